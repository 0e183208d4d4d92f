// Applies the plain SQL files in migrations/ in name order, once each, under Kysely's migration lock.
// A landed migration is frozen: its SHA-256 is recorded when it is applied, and a changed file stops
// the start-up (as Flyway does).
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { Migrator, sql, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import { migrationsDir } from '../paths.js';

/** Kysely's own tables are left out of the generated schema by their prefix; so is this one. */
const checksumTable = 'kysely_migration_checksum';

interface SqlFile {
  name: string;
  text: string;
  sha256: string;
}

async function readSqlFiles(folder: string): Promise<SqlFile[]> {
  const files = (await fs.readdir(folder)).filter((name) => name.endsWith('.sql')).sort();
  return Promise.all(
    files.map(async (file) => {
      const text = await fs.readFile(path.join(folder, file), 'utf8');
      return { name: file.replace(/\.sql$/, ''), text, sha256: createHash('sha256').update(text).digest('hex') };
    }),
  );
}

class SqlFileMigrationProvider implements MigrationProvider {
  constructor(private readonly files: readonly SqlFile[]) {}

  async getMigrations(): Promise<Record<string, Migration>> {
    return Object.fromEntries(
      this.files.map((file) => [
        file.name,
        { up: async (db: Kysely<unknown>) => void (await sql.raw(file.text).execute(db)) },
      ]),
    );
  }
}

export class ChangedMigrationError extends Error {
  override name = 'ChangedMigrationError';

  constructor(readonly file: string) {
    super(
      `Migration ${file}.sql was changed after it was applied to this database. Landed migrations are frozen: ` +
        `restore ${file}.sql as it was and put the change in a new migration.`,
    );
  }
}

/**
 * Compares every applied migration with the checksum recorded when it was applied, and records the
 * checksums of the ones that have none yet (databases migrated before checksums were kept, and
 * migrations just applied). Under a transaction-scoped advisory lock, so that two instances starting
 * together record once.
 */
// biome-ignore lint/suspicious/noExplicitAny: migrations run before the schema they create exists
async function verifyChecksums(db: Kysely<any>, files: readonly SqlFile[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(hashtext(${checksumTable}))`.execute(trx);
    await sql`CREATE TABLE IF NOT EXISTS ${sql.table(checksumTable)} (
      name text PRIMARY KEY, sha256 text NOT NULL, recorded_at timestamptz NOT NULL DEFAULT now())`.execute(trx);
    const applied = await sql<{ name: string; sha256: string | null }>`
      SELECT m.name, c.sha256 FROM kysely_migration m LEFT JOIN ${sql.table(checksumTable)} c ON c.name = m.name
      ORDER BY m.name`.execute(trx);
    const byName = new Map(files.map((file) => [file.name, file]));
    for (const { name, sha256 } of applied.rows) {
      const file = byName.get(name);
      // A missing file is Kysely's to report; it refuses to migrate with one.
      if (!file) continue;
      if (sha256 === null) {
        await sql`INSERT INTO ${sql.table(checksumTable)} (name, sha256) VALUES (${name}, ${file.sha256})`.execute(trx);
      } else if (sha256 !== file.sha256) {
        throw new ChangedMigrationError(name);
      }
    }
  });
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the schema they create exists
export async function migrate(db: Kysely<any>, folder = migrationsDir): Promise<string[]> {
  const files = await readSqlFiles(folder);
  const migrator = new Migrator({ db, provider: new SqlFileMigrationProvider(files) });
  // Before anything new is applied: a changed landed migration means this tree and the database disagree.
  if (await hasMigrationTable(db)) await verifyChecksums(db, files);
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((result) => result.status === 'Error');
    throw new Error(
      `Migration ${failed?.migrationName ?? ''} failed: ${error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
  await verifyChecksums(db, files);
  return (results ?? []).map((result) => result.migrationName);
}

// biome-ignore lint/suspicious/noExplicitAny: migrations run before the schema they create exists
async function hasMigrationTable(db: Kysely<any>): Promise<boolean> {
  const { rows } = await sql<{ found: string | null }>`SELECT to_regclass('kysely_migration') AS found`.execute(db);
  return rows[0]?.found != null;
}
