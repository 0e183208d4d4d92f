// The workspace's queue counts come from counters the database keeps (migration 0021) and from the index
// of running clocks: they must say exactly what counting the cases says, after every kind of change, and
// the badge a caseworker sees must match the rows the queue lists.
import t from 'tap';
import { sql } from 'kysely';
import { build, caseNumbersIn, viewerFor } from './helpers.js';
import { seedCases } from '../src/demo/seed.js';
import { exactQueueCounts, queueCounts } from '../src/cases/list/counts.js';
import { queues } from '../src/cases/list/filter.js';

const staff = ['siri@kundesenter.no', 'admin@kundesenter.no'];

t.test(
  'the counters agree with counting the cases, for every queue and viewer, after every kind of change',
  async (t) => {
    const app = await build(t);
    await seedCases(app.db, 600);
    const viewers = await Promise.all(staff.map((email) => viewerFor(app.db, email)));
    const agree = async (when: string) => {
      for (const viewer of viewers)
        t.same(await queueCounts(app.db, viewer), await exactQueueCounts(app.db, viewer), `${viewer.name}, ${when}`);
    };
    await agree('after seeding');
    const siri = viewers[0]!;
    t.ok((await queueCounts(app.db, siri)).overdue > 0, 'the seed has overdue cases, so the clock queues are tested');

    // Assignment, status, deadlines, area, group, unknown senders: each changes a counter's key.
    await sql`UPDATE cases SET assignee_id = ${siri.userId} WHERE id % 7 = 0`.execute(app.db);
    await agree('after assigning');
    await sql`UPDATE cases SET status = 'closed' WHERE id % 5 = 0`.execute(app.db);
    await sql`UPDATE cases SET status = 'active', due_at = now() + interval '3 hours' WHERE id % 11 = 0`.execute(
      app.db,
    );
    await agree('after status and deadline changes');
    await sql`UPDATE cases SET area_id = (SELECT max(id) FROM areas), group_id = NULL WHERE id % 17 = 0`.execute(
      app.db,
    );
    await sql`UPDATE cases SET requester_id = NULL, agency_id = NULL, sender_address = 'ukjent@example.com' WHERE id % 19 = 0`.execute(
      app.db,
    );
    await agree('after moving cases between areas and unlinking requesters');
    // A change that aborts leaves the counters as they were.
    await t.rejects(
      app.db.transaction().execute(async (trx) => {
        await sql`UPDATE cases SET status = 'postponed'`.execute(trx);
        throw new Error('changed my mind');
      }),
    );
    await agree('after a rolled-back change');
    await sql`DELETE FROM case_events WHERE case_id IN (SELECT id FROM cases WHERE id % 23 = 0)`.execute(app.db);
    await sql`DELETE FROM cases WHERE id % 23 = 0 AND NOT EXISTS (SELECT 1 FROM attachments a WHERE a.case_id = cases.id)`.execute(
      app.db,
    );
    await agree('after deleting cases');
  },
);

t.test('each queue badge says how many cases the queue lists, page after page, each case once', async (t) => {
  const app = await build(t);
  await seedCases(app.db, 300);
  const siri = await app.login('siri@kundesenter.no');
  const page = await siri.get('/work');
  for (const queue of queues) {
    const badge = new RegExp(
      `href="/work\\?queue=${queue}"[^>]*>[^<]*<span class="ds-badge ks-count"[^>]*data-count="(\\d+)"`,
    ).exec(page.body);
    t.ok(badge, `the ${queue} tab has a badge`);
    const listed = new Set<string>();
    let rows = 0;
    let next = `/work?queue=${queue}`;
    const first = (await siri.get(next)).body;
    const stated = /class="ks-list-count">([^<]+)</.exec(first)?.[1]?.replace(/\s/g, ' ');
    if (badge && Number(badge[1]) > 0)
      t.equal(
        stated,
        Number(badge[1]) === 1 ? '1 sak' : `${badge[1]} saker`,
        `${queue}: the list states the badge's figure`,
      );
    for (;;) {
      const body = (await siri.get(next)).body;
      for (const number of caseNumbersIn(body)) listed.add(number);
      rows += caseNumbersIn(body).length;

      const more = /href="(\/work\?[^"]*after=[^"]+)"/.exec(body);
      if (!more) break;
      next = more[1]!.replaceAll('&amp;', '&');
    }
    t.equal(Number(badge?.[1]), rows, `${queue}: badge and list agree`);
    t.equal(listed.size, rows, `${queue}: no case is listed twice across pages`);
  }
  // The whole queue states its exact size past the counting cap (the tab's counter); narrowed by a filter,
  // it is counted, and the count stops at the cap.
  const all = /data-count="(\d+)"/.exec(
    /href="\/work\?queue=all"[^>]*>[^<]*<span[^>]*>/.exec(page.body)?.[0] ?? '',
  )?.[1];
  t.ok(Number(all) > 200, `the seed fills the whole queue past the cap (${all})`);
  const narrowed = (await siri.get('/work?queue=all&number=-')).body;
  t.match(
    /class="ks-list-count">([^<]+)</.exec(narrowed)?.[1],
    'Mer enn 200 saker',
    'a filtered queue is counted to the cap',
  );
});
