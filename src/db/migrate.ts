// Applies the plain SQL files in migrations/ in name order, once each, under Kysely's migration lock;
// then the reference data that SQL cannot compute (public holidays).
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { migrationsDir } from '../paths.js';
import { syncPublicHolidays } from '../sla/measures.js';
import type { Db } from './index.js';

class SqlFileMigrationProvider implements MigrationProvider {
  constructor(private readonly folder: string) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    const migrations: Record<string, Migration> = {};
    for (const file of (await fs.readdir(this.folder)).filter((name) => name.endsWith('.sql')).sort()) {
      const text = await fs.readFile(path.join(this.folder, file), 'utf8');
      migrations[file.replace(/\.sql$/, '')] = { up: async (db) => void (await sql.raw(text).execute(db)) };
    }
    return migrations;
  }
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the schema they create exists
export async function migrate(db: Kysely<any>, folder = migrationsDir): Promise<string[]> {
  const migrator = new Migrator({ db, provider: new SqlFileMigrationProvider(folder) });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error');
    throw new Error(
      `Migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  await syncPublicHolidays(db as Db);
  return (results ?? []).map((result) => result.migrationName);
}
