// A case list's kept statement is pinned from its second use: its values written into its SQL, prepared
// once per connection (src/db/pinned.ts). It must answer exactly as the statement with parameters did,
// whatever the values hold, and no connection may keep more of them than its share.
import t from 'tap';
import { sql, type CompiledQuery } from 'kysely';
import { createDb } from '../src/db/index.js';
import { pinnedQuery } from '../src/db/pinned.js';
import { casePageQuery, listCases } from '../src/cases/list/queries.js';
import { listChoices } from '../src/cases/list/choices.js';
import { listColumns, parseListQuery, queues } from '../src/cases/list/filter.js';
import { seedCases } from '../src/demo/seed.js';
import { freshDatabase, viewerFor } from './helpers.js';

const compiled = (text: string, parameters: unknown[]): CompiledQuery =>
  ({ sql: text, parameters, query: { kind: 'RawNode' } }) as unknown as CompiledQuery;

t.test('a pinned list answers as the list with parameters, for every queue, sort and odd filter', async (t) => {
  const { db } = await freshDatabase(t);
  await seedCases(db, 120);
  const kari = await viewerFor(db, 'kari@demoetaten.no');
  const siri = await viewerFor(db, 'siri@kundesenter.no');
  const choices = await listChoices(db);
  // Titles a filter may look for (quotes, a backslash, something that looks like a parameter), on five
  // cases of Kari's agency list.
  const marked = (await listCases(db, kari, parseListQuery({ scope: 'agency' }, kari, choices).filter)).cases
    .slice(0, 5)
    .map((row) => row.id);
  t.equal(marked.length, 5, "Kari's agency list has cases");
  await db
    .updateTable('cases')
    .set({ title: sql`title || ${" o'k \\x $1 «æ» 🙂"}` })
    .where('id', 'in', marked)
    .execute();
  const lists: [string, typeof kari, Record<string, string>][] = [
    ['mine', kari, {}],
    ['agency', kari, { scope: 'agency' }],
    ['agency, title with quotes', kari, { scope: 'agency', title: "o'k \\x $1" }],
    ['agency, title with an emoji', kari, { scope: 'agency', title: '«æ» 🙂' }],
    ['agency, created from', kari, { scope: 'agency', createdFrom: '2020-01-01', status: 'active' }],
  ];
  for (const queue of queues)
    for (const sort of listColumns) lists.push([`${queue} by ${sort}`, siri, { queue, sort, dir: 'desc' }]);
  let rows = 0;
  for (const [label, viewer, query] of lists) {
    const { filter, problems } = parseListQuery(query, viewer, choices);
    t.same(problems, {}, `${label}: a valid list`);
    const statement = casePageQuery(db, viewer, filter).compile();
    const pinned = pinnedQuery(statement);
    if (!pinned) {
      t.fail(`${label}: pinned`);
      continue;
    }
    t.same(pinned.parameters, [], `${label}: no parameters left`);
    const expected = (await db.executeQuery(statement)).rows;
    // Twice: prepared the first time, run from the prepared statement the second.
    t.same((await db.executeQuery(pinned)).rows, expected, `${label}: the same rows`);
    t.same((await db.executeQuery(pinned)).rows, expected, `${label}: the same rows again`);
    rows += expected.length;
  }
  t.ok(rows > 500, `the lists held cases (${rows} rows compared)`);
  const odd = (
    await listCases(db, kari, parseListQuery({ scope: 'agency', title: "o'k \\x $1" }, kari, choices).filter)
  ).cases;
  t.same(
    odd.map((row) => row.id).sort(),
    [...marked].sort(),
    'the title with quotes and a backslash finds its five cases, and only those',
  );
});

t.test('only placeholders are replaced, and what is not read is not pinned', async (t) => {
  const { db } = await freshDatabase(t);
  const pinned = pinnedQuery(
    compiled(`SELECT '$1' AS a, $1::int AS b, "x$2" AS c /* $2 */ FROM (SELECT 1 AS "x$2") s -- $2\n`, [5]),
  );
  t.ok(pinned, 'pinned');
  t.same((await db.executeQuery(pinned!)).rows, [{ a: '$1', b: 5, c: 1 }], 'quoted text, names and comments kept');
  const named = pinnedQuery(compiled('SELECT $1::int AS n, 2 AS x$1', [5]));
  t.same((await db.executeQuery(named!)).rows, [{ n: 5, x$1: 2 }], 'a `$` inside a name is not a placeholder');
  t.equal(pinnedQuery(compiled(`SELECT E'\\n' || $1`, ['x'])), undefined, 'escape strings are not read');
  t.equal(pinnedQuery(compiled('SELECT $$a$$ || $1', ['x'])), undefined, 'dollar quoting is not read');
  t.equal(pinnedQuery(compiled('SELECT $2', ['x'])), undefined, 'a placeholder without its value');
  t.equal(pinnedQuery(compiled('SELECT $1', [Buffer.from('x')])), undefined, 'bytes are left as parameters');
  const values = pinnedQuery(
    compiled('SELECT $1::text AS s, $2::int[] AS a, $3::boolean AS b, $4::text AS n', [
      "it's; DROP TABLE cases; --",
      [1, 2],
      true,
      null,
    ]),
  );
  t.same(
    (await db.executeQuery(values!)).rows,
    [{ s: "it's; DROP TABLE cases; --", a: [1, 2], b: true, n: null }],
    'text, arrays, booleans and null come back as sent',
  );
  t.ok(await db.selectFrom('cases').select('id').limit(1).execute(), 'the cases table is still there');
});

t.test('a connection prepares a pinned statement once, and no more than its share of them', async (t) => {
  const { url } = await freshDatabase(t);
  const db = createDb(url, { max: 1 });
  t.teardown(() => db.destroy());
  const kari = await viewerFor(db, 'kari@demoetaten.no');
  const { filter } = parseListQuery({ scope: 'agency' }, kari, await listChoices(db));
  const prepared = async () =>
    (await sql<{ name: string }>`SELECT name FROM pg_prepared_statements WHERE name LIKE 'p%'`.execute(db)).rows.map(
      (row) => row.name,
    );
  await listCases(db, kari, filter);
  t.same(await prepared(), [], 'the first use is not pinned');
  await listCases(db, kari, filter);
  await listCases(db, kari, filter);
  t.equal((await prepared()).length, 1, 'the second and third use share one prepared statement');
  for (let i = 0; i < 50; i++) {
    const pinned = pinnedQuery(compiled(`SELECT $1::int + ${i} AS n`, [1]))!;
    t.same((await db.executeQuery(pinned)).rows, [{ n: 1 + i }], `statement ${i} answers`);
  }
  t.equal((await prepared()).length, 40, 'a connection keeps 40 pinned statements, and runs the rest unprepared');
});
