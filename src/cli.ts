// Shared start-up for the command-line tools: configuration, the database (embedded or DATABASE_URL), migrations.
import { loadConfig, type Config } from './config.js';
import { databaseTarget } from './db/connect.js';
import { createDb, type Db } from './db/index.js';
import { prepareDatabase } from './database.js';

export async function withDatabase(work: (db: Db, config: Config) => Promise<void>): Promise<void> {
  const config = loadConfig();
  const target = await databaseTarget(config, () => {});
  const db = createDb(target.url, { timeouts: config.databaseTimeouts });
  try {
    const applied = await prepareDatabase(db);
    console.log(
      applied.length > 0 ? `Applied migrations: ${applied.join(', ')}` : 'The database schema is up to date.',
    );
    await work(db, config);
  } finally {
    await db.destroy();
    await target.embedded?.stop();
  }
}
