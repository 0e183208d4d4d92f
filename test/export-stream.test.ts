// The case list's Excel export streams from a database cursor for as long as the rows and the download
// take: longer than one statement may run, never longer than the stream's own limit, and a download
// closed halfway gives its database connection back.
import t from 'tap';
import { PassThrough } from 'node:stream';
import { setTimeout } from 'node:timers/promises';
import ExcelJS from 'exceljs';
import { sql } from 'kysely';
import type { Db } from '../src/db/index.js';
import { build, text, viewerFor, type Client } from './helpers.js';
import { until } from './processes.js';
import { listChoices } from '../src/cases/list/choices.js';
import { writeCasesWorkbook } from '../src/cases/list/export.js';
import { parseListQuery } from '../src/cases/list/filter.js';
import { streamCases } from '../src/cases/list/queries.js';
import { translator } from '../src/web/i18n.js';

/** `count` cases of Ola's (a customer of Demoetaten), inserted in one statement, however short the app's limit. */
async function olasCases(db: Db, count: number): Promise<number> {
  await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL statement_timeout = 0`.execute(trx);
    await sql`
    INSERT INTO cases (number, title, body, area_id, agency_id, requester_id, status, channel, due_at)
    SELECT '2098-' || lpad(n::text, 6, '0'), 'Eksportsak ' || n, 'Beskrivelse', areas.id, agency_members.agency_id,
           users.id, 'active', 'web', now() + interval '2 days'
    FROM users
    JOIN agency_members ON agency_members.user_id = users.id
    JOIN areas ON areas.code = 'lonn'
    CROSS JOIN generate_series(1, ${count}) AS n
    WHERE users.email = 'ola@demoetaten.no'`.execute(trx);
  });
  const { n } = await db
    .selectFrom('cases')
    .innerJoin('users', 'users.id', 'cases.requester_id')
    .where('users.email', '=', 'ola@demoetaten.no')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(n);
}

/** The rows of an export downloaded in full, or undefined when what came is not a whole workbook. */
async function exportedRows(client: Client): Promise<number | undefined> {
  const response = await client.get('/cases/export.xlsx?scope=mine').catch(() => undefined);
  if (response?.statusCode !== 200) return undefined;
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
  } catch {
    return undefined;
  }
  return (workbook.worksheets[0]?.rowCount ?? 1) - 1;
}

/** Whether `attempt` comes true within `ms` (what is released after a close is released soon after). */
const soon = (what: string, attempt: () => Promise<boolean>, ms = 3000) =>
  until(what, ms, async () => ((await attempt()) ? true : undefined));

t.test('an export that streams for longer than one statement may run still holds every row', async (t) => {
  // A page's statement may run 100 ms here; 12,000 rows take the export well over a second.
  const { db, login } = await build(t, { databaseTimeouts: { statementMs: 100 } });
  const expected = await olasCases(db, 12_000);
  const ola = await login('ola@demoetaten.no');
  t.equal(await exportedRows(ola), expected, 'every one of the cases is in the workbook');
});

t.test('an export past the stream limit is cut off, and its connection is given back', async (t) => {
  const { db, login } = await build(t, { databaseTimeouts: { streamMs: 150 } });
  const expected = await olasCases(db, 12_000);
  const ola = await login('ola@demoetaten.no');
  // More cut exports than the pool has connections (four in tests): none may keep one.
  for (let i = 0; i < 5; i++) t.not(await exportedRows(ola), expected, `export ${i + 1} does not arrive whole`);
  const list = await ola.get('/cases');
  t.equal(list.statusCode, 200, 'the list answers after them');
  t.match(text(list.body), 'Eksportsak');
});

t.test('a download closed while the workbook waits for its reader gives the connection back', async (t) => {
  const { db } = await build(t);
  await olasCases(db, 3_000);
  const viewer = await viewerFor(db, 'ola@demoetaten.no');
  const { filter } = parseListQuery({ scope: 'mine' }, viewer, await listChoices(db));
  // Five in turn, more than the pool's four connections: a writer left waiting would keep one each.
  for (let i = 0; i < 5; i++) {
    const download = new PassThrough({ highWaterMark: 1024 });
    const writing = writeCasesWorkbook(
      download,
      streamCases(db, viewer, filter),
      ['title'],
      translator('nb'),
      'nb',
      'Saker',
    );
    t.ok(
      await soon('a full download', async () => download.writableNeedDrain),
      `download ${i + 1} fills up, nobody reading`,
    );
    download.destroy();
    const ended = await Promise.race([writing.then(() => true), setTimeout(3000, false)]);
    t.ok(ended, `closing download ${i + 1} ends its writer`);
  }
  await t.resolves(
    db
      .selectFrom('cases')
      .select((eb) => eb.fn.countAll().as('n'))
      .execute(),
    'and the database still has connections to give',
  );
});

t.test('beyond the exports one process streams at once, a clear answer to try again', async (t) => {
  const { db, login } = await build(t, { env: { EXPORTS_MAX_CONCURRENT: '1' } });
  const expected = await olasCases(db, 100);
  const ola = await login('ola@demoetaten.no');
  const kari = await login('kari@demoetaten.no');
  // Holding the cases table keeps Ola's export streaming (waiting for its first row) for as long as needed.
  const lock = await db.startTransaction().execute();
  await sql`LOCK TABLE cases IN ACCESS EXCLUSIVE MODE`.execute(lock);
  const first = exportedRows(ola);
  t.ok(
    await soon("Ola's export waiting for the lock", async () => {
      const waiting = await sql<{ n: string }>`
        SELECT count(*) AS n FROM pg_stat_activity
        WHERE datname = current_database() AND wait_event_type = 'Lock' AND query LIKE '%from "cases"%'`.execute(db);
      return Number(waiting.rows[0]?.n) > 0;
    }),
    "Ola's export has begun",
  );
  const refused = await kari.get('/cases/export.xlsx?scope=agency');
  t.equal(refused.statusCode, 503, 'a second export while the first streams is refused');
  t.ok(Number(refused.headers['retry-after']) > 0, 'with Retry-After');
  t.match(text(refused.body), 'Mange eksporterer akkurat nå. Prøv igjen om et øyeblikk');
  const english = await kari.get('/cases/export.xlsx?scope=agency', { 'accept-language': 'en' });
  t.match(text(english.body), 'Many exports are running right now');
  const karisExports = await db
    .selectFrom('audit_log')
    .innerJoin('users', 'users.id', 'audit_log.actor_id')
    .where('users.email', '=', 'kari@demoetaten.no')
    .where('action', '=', 'cases.export')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .executeTakeFirstOrThrow();
  t.equal(Number(karisExports.n), 0, 'a refused export is not recorded as an export');
  await lock.commit().execute();
  t.equal(await first, expected, 'the first export arrives whole');
  // The slot is given back when the first export's writer has let its connection go, just after its last byte.
  t.ok(
    await soon('the next export', async () => (await exportedRows(ola)) === expected),
    'and the next one is let through',
  );
});
