// Synthetic cases (npm run seed, the bench) must look to reports exactly like cases the app made: the
// seed measures them itself, all at once, instead of through cases_measure() row by row.
import t from 'tap';
import { sql } from 'kysely';
import type { Db } from '../src/db/index.js';
import { seedCases } from '../src/demo/seed.js';
import { freshDatabase } from './helpers.js';

type Measure = 'cases' | 'answered' | 'closed' | 'first_answer' | 'resolution' | 'closed_at' | 'in_time';

/** Cases whose measures differ from what cases_measure() and working_ms() give. */
async function mismeasured(db: Db) {
  const { rows } = await sql<Record<Measure, string>>`
    SELECT count(*) AS cases,
           count(*) FILTER (WHERE first_answer_ms IS NOT NULL) AS answered,
           count(*) FILTER (WHERE resolution_ms IS NOT NULL) AS closed,
           count(*) FILTER (WHERE first_answer_ms IS DISTINCT FROM
             CASE WHEN first_answered_at IS NOT NULL THEN working_ms(created_at, first_answered_at) END) AS first_answer,
           count(*) FILTER (WHERE resolution_ms IS DISTINCT FROM
             CASE WHEN closed_at IS NOT NULL THEN working_ms(created_at, closed_at) END) AS resolution,
           count(*) FILTER (WHERE closed_at IS DISTINCT FROM CASE WHEN status = 'closed' THEN updated_at END) AS closed_at,
           count(*) FILTER (WHERE answered_in_time IS DISTINCT FROM (first_answered_at <= due_at)) AS in_time
    FROM cases`.execute(db);
  return Object.fromEntries(Object.entries(rows[0]!).map(([key, value]) => [key, Number(value)])) as Record<
    Measure,
    number
  >;
}

const indexes = async (db: Db) =>
  (
    await sql<{ definition: string }>`
      SELECT pg_get_indexdef(indexrelid) AS definition FROM pg_index
      WHERE indrelid IN ('cases'::regclass, 'case_events'::regclass) ORDER BY 1`.execute(db)
  ).rows.map((row) => row.definition);

t.test('seeded cases carry the working times and flags the app would record', async (t) => {
  const { db } = await freshDatabase(t);
  // Days the centre was closed, within the three years the seed spreads cases over.
  await sql`
    INSERT INTO closed_days (day, reason_nb, reason_en)
    SELECT (current_date - n * 37), 'Stengt', 'Closed' FROM generate_series(1, 20) AS n
    ON CONFLICT DO NOTHING`.execute(db);
  await seedCases(db, 3_000);
  const counts = await mismeasured(db);
  t.equal(counts.cases, 3_000);
  t.ok(counts.answered > 1_000 && counts.closed > 1_000, 'most cases answered, many closed');
  t.same(
    {
      first_answer: counts.first_answer,
      resolution: counts.resolution,
      closed_at: counts.closed_at,
      in_time: counts.in_time,
    },
    { first_answer: 0, resolution: 0, closed_at: 0, in_time: 0 },
    'every working time to the millisecond as working_ms() gives it, closing times and in-time flags as the trigger sets them',
  );
  const reopened = await db
    .updateTable('cases')
    .set({ status: 'in_progress' })
    .where('status', '=', 'closed')
    .returning('closed_at')
    .execute();
  t.ok(reopened.length > 0 && reopened.every((row) => row.closed_at === null), 'the trigger is on again afterwards');
});

t.test('a bulk seed with its indexes rebuilt ends with the same indexes and the same measures', async (t) => {
  const { db } = await freshDatabase(t);
  const before = await indexes(db);
  await seedCases(db, 2_000, { rebuildIndexes: true });
  t.same(await indexes(db), before, 'every index is back, as it was defined');
  const counts = await mismeasured(db);
  t.equal(counts.cases, 2_000);
  t.equal(counts.first_answer + counts.resolution + counts.closed_at + counts.in_time, 0);
});
