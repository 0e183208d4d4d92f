// Start-up work on the database, for the server, the command-line tools, the tests and the bench:
// migrate, then the reference data that SQL cannot compute (public holidays for the service clock).
import type { Db } from './db/index.js';
import { migrate } from './db/migrate.js';
import { syncPublicHolidays } from './sla/measures.js';

/** Applies pending migrations and resolves with their names. */
export async function prepareDatabase(db: Db): Promise<string[]> {
  const applied = await migrate(db);
  await syncPublicHolidays(db);
  return applied;
}
