// Times read from the database: the fast reader of `timestamptz` must give the very instant pg's own
// parser gives, to the millisecond, in every time zone a session may use and for every shape PostgreSQL
// sends (fractions of any length, offsets with minutes, infinity, years before 1000, BC).
import t from 'tap';
import pg from 'pg';
import { sql } from 'kysely';
import { timestampParser } from '../src/db/timestamps.js';
import { freshDatabase } from './helpers.js';

t.test('every shape PostgreSQL sends reads as the instant it names', async (t) => {
  const { db } = await freshDatabase(t);
  // The database's own reckoning of each instant, in whole milliseconds since 1970 (cut, not rounded).
  const instants = sql<{ shown: string; ms: string }>`
    SELECT ts::text AS shown, floor(extract(epoch FROM ts) * 1000)::text AS ms
    FROM (VALUES
      ('2026-12-02 12:53:08.361234+00'::timestamptz), ('2026-12-02 12:53:08+00'), ('2026-12-02 12:53:08.1+00'),
      ('2026-03-29 00:59:59.999999+00'), ('2026-03-29 01:00:00.000001+00'), ('2026-10-25 00:30:00+00'),
      ('1970-01-01 00:00:00+00'), ('1969-12-31 23:59:59.999+00'), ('1900-01-01 00:00:00+00'),
      ('1850-06-01 12:00:00+00'), ('0999-01-01 00:00:00+00'), ('9999-12-31 23:59:59.999999+00')
    ) AS v(ts)
    UNION ALL
    SELECT ts::text, floor(extract(epoch FROM ts) * 1000)::text
    FROM generate_series('2025-01-01'::timestamptz, '2027-01-01', interval '7 days 3 hours 17 minutes 11.123457 seconds') AS ts`;
  for (const zone of ['UTC', 'Europe/Oslo', 'Asia/Kolkata', 'America/St_Johns', 'Pacific/Chatham']) {
    const rows = await db.connection().execute(async (connection) => {
      await sql`SELECT set_config('TimeZone', ${zone}, false)`.execute(connection);
      return (await instants.execute(connection)).rows;
    });
    const read = timestampParser((value) => {
      throw new Error(`left to the fallback: ${value}`);
    });
    // What the app reads with: the installed parser (this one, over pg's own for the odd shapes).
    const mine = pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ, 'text') as (value: string) => Date;
    let fast = 0;
    for (const { shown, ms } of rows) {
      t.equal((mine(shown) as Date).getTime(), Number(ms), `${zone}: ${shown}`);
      try {
        read(shown);
        fast++;
      } catch {}
    }
    t.ok(fast >= rows.length - 4, `${zone}: all but the odd shapes are read without the fallback (${fast})`);
  }
  const original = (value: string) => `fallback ${value}`;
  const mine = timestampParser(original);
  for (const odd of ['infinity', '-infinity', '0044-03-15 12:00:00+00 BC', '1890-01-01 00:00:00+00:53:28', 'nonsense'])
    t.equal(mine(odd), `fallback ${odd}`, `${odd} is left to pg's parser`);
});
