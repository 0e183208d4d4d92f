import { appendFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import t from 'tap';
import { ChangedMigrationError, migrate } from '../src/db/migrate.js';
import { migrationsDir } from '../src/paths.js';
import { build, enquiry, freshDatabase, submitCase } from './helpers.js';

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

t.test('0018 cuts files stored whole into 1 MiB slices without losing a byte', async (t) => {
  const { db, login } = await build(t);
  const created = await submitCase(await login('ola@demoetaten.no'), enquiry('lonn', 'Med vedlegg', 'Tekst'));
  t.equal(created.statusCode, 303);
  // Put the table back as 0003 left it, with one file of 2.5 MiB and one of a single byte.
  await sql`DROP TABLE attachment_chunks`.execute(db);
  await sql`CREATE TABLE attachment_contents (
    attachment_id bigint PRIMARY KEY REFERENCES attachments (id) ON DELETE CASCADE, data bytea NOT NULL)`.execute(db);
  const caseId = (await db.selectFrom('cases').select('id').limit(1).executeTakeFirstOrThrow()).id;
  const big = Buffer.alloc(2.5 * 1024 * 1024);
  for (let i = 0; i < big.length; i++) big[i] = (i * 7) % 251;
  const files = [big, Buffer.from('x')];
  const ids: number[] = [];
  for (const data of files) {
    const { id } = await db
      .insertInto('attachments')
      .values({
        case_id: caseId,
        filename: 'a.pdf',
        content_type: 'application/pdf',
        size_bytes: data.length,
        sha256: '0'.repeat(64),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await sql`INSERT INTO attachment_contents VALUES (${id}, ${data})`.execute(db);
    ids.push(id);
  }
  await sql.raw(readFileSync(path.join(migrationsDir, '0018_attachment_chunks.sql'), 'utf8')).execute(db);
  for (const [index, id] of ids.entries()) {
    const chunks = await db
      .selectFrom('attachment_chunks')
      .select(['seq', 'data'])
      .where('attachment_id', '=', id)
      .orderBy('seq')
      .execute();
    t.same(
      chunks.map((c) => c.seq),
      index === 0 ? [0, 1, 2] : [0],
    );
    t.ok(Buffer.concat(chunks.map((c) => c.data)).equals(files[index]!), `file ${index + 1} is whole`);
  }
  const { rows } = await sql<{ found: string | null }>`SELECT to_regclass('attachment_contents') AS found`.execute(db);
  t.equal(rows[0]?.found, null, 'the old table is gone');
});

t.test('a landed migration is never edited: each file still has the checksum it landed with', async (t) => {
  // test/fixtures/migration-checksums.txt is `sha256sum *.sql` of the landed migrations. A database that
  // applied a file refuses to start once the file changes (ChangedMigrationError); this fails first, in
  // CI. A new migration is added to the list when it lands: (cd migrations && sha256sum NNNN_*.sql).
  const { createHash } = await import('node:crypto');
  const listed = new Map(
    readFileSync(path.resolve('test/fixtures/migration-checksums.txt'), 'utf8')
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/))
      .map(([sum, file]) => [file!, sum!]),
  );
  for (const file of readdirSync(migrationsDir)
    .filter((name) => name.endsWith('.sql'))
    .sort()) {
    const sum = createHash('sha256')
      .update(readFileSync(path.join(migrationsDir, file)))
      .digest('hex');
    t.equal(sum, listed.get(file), `${file} is as it landed (or, if new, is listed)`);
  }
});
