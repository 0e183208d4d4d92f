// Rows read by Kysely come from pg as arrays and are made objects by src/db/rows.ts: they must be the
// objects pg itself would have made, whatever the columns are called.
import t from 'tap';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import pg from 'pg';
import { sql } from 'kysely';
import { freshDatabase } from './helpers.js';

t.test('a row is the object pg would make: names, order, duplicates, odd names, types', async (t) => {
  const { db, url } = await freshDatabase(t);
  const statement = `SELECT 1 AS a, 'x'::text AS "b c", 2 AS a, NULL::int AS "it's", '{"k": 1}'::jsonb AS "__proto__",
    '2026-12-03 10:00:00+00'::timestamptz AS at, 7::int8 AS big, true AS "0"
    FROM generate_series(1, 3)`;
  const ours = (await sql.raw(statement).execute(db)).rows as Record<string, unknown>[];
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  t.teardown(() => client.end());
  const theirs = (await client.query(statement)).rows as Record<string, unknown>[];
  t.equal(ours.length, 3);
  t.same(ours, theirs);
  for (const [i, row] of ours.entries()) {
    t.same(Object.keys(row), Object.keys(theirs[i]!), 'the same keys in the same order');
    t.equal(Object.getPrototypeOf(row), Object.prototype, 'a plain object');
    t.same(
      Object.getOwnPropertyDescriptor(row, '__proto__')?.value,
      { k: 1 },
      '"__proto__" is a column, not a prototype',
    );
    t.equal(row.a, 2, 'the later of two columns with one name');
    t.equal(row.big, 7, 'int8 read as a number');
    t.ok(row.at instanceof Date, 'timestamptz read as a Date');
  }
  const empty = await sql.raw('SELECT 1 AS a WHERE false').execute(db);
  t.same(empty.rows, []);
  const failed = await sql`SELECT 1 / 0`.execute(db).catch((error: { code?: string }) => error);
  t.equal((failed as { code?: string }).code, '22012', "the database's error still reaches the caller");
});

t.test("a query's rows do not outlive it: nothing is left for the next minor garbage collection to copy", async (t) => {
  // pg's own promise (a query without a callback) left each result alive through the next minor
  // collection and the one after promoted it; for a case list that was every result, scavenges of
  // 4–10 ms instead of under one (docs/speed.md, tenth pass). The rows here are a case list's size.
  const { db } = await freshDatabase(t);
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as (options?: { type: 'major' | 'minor' }) => void;
  const youngUsed = () => getHeapSpaceStatistics().find((space) => space.space_name === 'new_space')!.space_used_size;
  const statement = sql.raw(`SELECT g AS id, 'Avklaring om feriepenger desember ' || g AS title,
    now() - g * interval '1 hour' AS created_at, now() AS updated_at FROM generate_series(1, 51) g`);
  const left: number[] = [];
  let rows = 0;
  for (let round = 0; round < 4; round++) {
    gc();
    for (let i = 0; i < 100; i++) rows += (await statement.execute(db)).rows.length;
    gc({ type: 'minor' });
    left.push(youngUsed());
  }
  t.equal(rows, 4 * 100 * 51, 'every query answered');
  // Measured: about 0.1 MB left after each hundred (the test's own objects), 1.9–2.3 MB with pg's promise.
  t.ok(Math.max(...left) < 500_000, `under 500 KB left young after 100 queries (${left.join(', ')} bytes)`);
});
