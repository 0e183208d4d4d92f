import { appendFileSync, cpSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import t from 'tap';
import { ChangedMigrationError, migrate } from '../src/db/migrate.js';
import { migrationsDir } from '../src/paths.js';
import { freshDatabase } from './helpers.js';

/** A copy of the migrations folder that a test may change as a careless developer would. */
function migrationsCopy(t: Parameters<typeof freshDatabase>[0]): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'ks-migrations-'));
  cpSync(migrationsDir, folder, { recursive: true });
  t.teardown(() => rmSync(folder, { recursive: true, force: true }));
  return folder;
}

t.test('every applied migration has its SHA-256 recorded', async (t) => {
  const { db } = await freshDatabase(t);
  const files = readdirSync(migrationsDir).filter((name) => name.endsWith('.sql'));
  const { rows } = await sql<{ name: string; sha256: string }>`
    SELECT name, sha256 FROM kysely_migration_checksum ORDER BY name`.execute(db);
  t.same(
    rows.map((row) => row.name),
    files.map((file) => file.replace(/\.sql$/, '')),
  );
  t.ok(rows.every((row) => /^[0-9a-f]{64}$/.test(row.sha256)));
  t.same(await migrate(db), [], 'an unchanged tree migrates nothing and starts');
});

t.test('a landed migration whose content changed stops the start-up, naming the file', async (t) => {
  const { db } = await freshDatabase(t);
  const folder = migrationsCopy(t);
  appendFileSync(path.join(folder, '0003_customer_portal.sql'), '\n-- an edit after landing\n');
  writeFileSync(path.join(folder, '9999_new.sql'), 'CREATE TABLE should_not_exist (id int);\n');
  const error = await migrate(db, folder).catch((e: unknown) => e);
  t.type(error, ChangedMigrationError);
  t.match((error as Error).message, /0003_customer_portal\.sql was changed after it was applied/);
  const { rows } = await sql<{ found: string | null }>`SELECT to_regclass('should_not_exist') AS found`.execute(db);
  t.equal(rows[0]?.found, null, 'nothing newer is applied over a changed migration');
});

t.test('a new migration is applied and its checksum recorded; editing it afterwards is refused too', async (t) => {
  const { db } = await freshDatabase(t);
  const folder = migrationsCopy(t);
  const file = path.join(folder, '9999_new.sql');
  writeFileSync(file, 'CREATE TABLE a_new_table (id int);\n');
  t.same(await migrate(db, folder), ['9999_new']);
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM kysely_migration_checksum WHERE name = '9999_new'`.execute(db);
  t.equal(rows[0]?.n, 1);
  writeFileSync(file, 'CREATE TABLE a_new_table (id bigint);\n');
  await t.rejects(migrate(db, folder), { message: /9999_new\.sql was changed/ });
});

t.test('a database migrated before checksums were kept gets them recorded, then guarded', async (t) => {
  const { db } = await freshDatabase(t);
  await sql`DROP TABLE kysely_migration_checksum`.execute(db);
  t.same(await migrate(db), []);
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM kysely_migration_checksum`.execute(db);
  t.ok((rows[0]?.n ?? 0) >= 16);
  const folder = migrationsCopy(t);
  appendFileSync(path.join(folder, '0016_reports.sql'), '\n-- edited\n');
  await t.rejects(migrate(db, folder), { name: 'ChangedMigrationError', message: /0016_reports\.sql was changed/ });
});
