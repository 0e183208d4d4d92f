// Scheduled reports: when they run (Oslo wall-clock time across daylight saving), the catch-up after
// downtime, exactly one mail per period with two instances running, and the subscriber's access
// checked at every run.
import t from 'tap';
import { build, mailbox } from './helpers.js';
import { createDb } from '../src/db/index.js';
import { lastRun, nextRun, periodOf, type Schedule } from '../src/reports/schedule.js';
import { sendDueReports, startReportScheduler } from '../src/reports/scheduler.js';
import { caseAt, oslo } from './fixtures/report-cases.js';
import { addDays } from '../src/sla/calendar.js';
import { formatDate } from '../src/web/i18n.js';

const monday: Schedule = { frequency: 'weekly', weekday: 1, time: '07:00' };

t.test('Monday 07:00 in Oslo, summer or winter, and the period before it', async (t) => {
  t.equal(
    nextRun(monday, oslo('2026-03-29 12:00')).toISOString(),
    '2026-03-30T05:00:00.000Z',
    'summer time: 07:00 is 05:00 UTC',
  );
  t.equal(
    nextRun(monday, oslo('2026-11-25 12:00')).toISOString(),
    '2026-11-30T06:00:00.000Z',
    'winter time: 06:00 UTC',
  );
  t.equal(
    nextRun(monday, oslo('2026-11-30 07:00')).toISOString(),
    oslo('2026-12-07 07:00').toISOString(),
    'strictly after: the next week',
  );
  t.equal(
    lastRun(monday, oslo('2026-11-25 10:00')).toISOString(),
    oslo('2026-11-23 07:00').toISOString(),
    'the run a late scheduler owes',
  );
  t.same(
    periodOf(monday, oslo('2026-11-23 07:00')),
    { from: '2026-11-16', to: '2026-11-22' },
    'last week, Monday to Sunday',
  );
  const daily: Schedule = { frequency: 'daily', weekday: 1, time: '06:30' };
  t.same(
    periodOf(daily, nextRun(daily, oslo('2026-11-25 07:00'))),
    { from: '2026-11-25', to: '2026-11-25' },
    'a daily report covers yesterday',
  );
  const monthly: Schedule = { frequency: 'monthly', weekday: 1, time: '07:00' };
  const first = nextRun(monthly, oslo('2026-11-15 12:00'));
  t.equal(first.toISOString(), oslo('2026-12-01 07:00').toISOString());
  t.same(
    periodOf(monthly, first),
    { from: '2026-11-01', to: '2026-11-30' },
    'a monthly report covers the month before',
  );
});

t.test('a run missed while the service was down is sent on the next start, once', async (t) => {
  const app = await build(t);
  const siri = await app.login('siri@kundesenter.no');
  await siri.get('/reports');
  t.equal(
    (await siri.post('/reports/subscriptions', { area: 'lonn', frequency: 'weekly', weekday: '1', time: '07:00' }))
      .statusCode,
    303,
  );
  await caseAt(app.db, {
    agency: 'Demoetaten',
    requester: 'ola@demoetaten.no',
    area: 'lonn',
    channel: 'web',
    status: 'active',
    created: '2026-11-18 10:00',
    due: '2026-11-20 10:00',
  });
  // Due Monday 23 November 07:00; nothing ran until Wednesday.
  await app.db
    .updateTable('report_subscriptions')
    .set({ next_run_at: oslo('2026-11-23 07:00') })
    .execute();

  t.equal(
    await sendDueReports(app.db, app.config.publicUrl, oslo('2026-11-25 10:00')),
    1,
    'the start finds the missed run',
  );
  const outbox = () =>
    app.db
      .selectFrom('outbox')
      .select(['idempotency_key', 'recipient', 'payload'])
      .where('kind', '=', 'scheduled_report')
      .orderBy('id')
      .execute();
  const [sent] = await outbox();
  t.equal(
    sent?.idempotency_key.replace(/\d+:/, 'N:'),
    'report:N:2026-11-16',
    'the week that ended before the missed Monday',
  );
  t.equal(sent?.recipient, 'siri@kundesenter.no');
  t.match(JSON.stringify(sent?.payload), /Innkomne saker","1"/);
  const subscription = await app.db.selectFrom('report_subscriptions').selectAll().executeTakeFirstOrThrow();
  t.equal(
    subscription.next_run_at.toISOString(),
    oslo('2026-11-30 07:00').toISOString(),
    'the next run is next Monday',
  );
  t.equal(subscription.last_period, '2026-11-16');

  t.equal(
    await sendDueReports(app.db, app.config.publicUrl, oslo('2026-11-25 10:05')),
    0,
    'a second start owes nothing',
  );
  t.equal((await outbox()).length, 1, 'never twice');
  t.equal(await sendDueReports(app.db, app.config.publicUrl, oslo('2026-11-30 07:00')), 1);
  t.same(
    (await outbox()).map((row) => row.idempotency_key.replace(/\d+:/, 'N:')),
    ['report:N:2026-11-16', 'report:N:2026-11-23'],
  );
});

t.test('two instances running the scheduler send exactly one mail per period', async (t) => {
  const inbox = await mailbox(t);
  const app = await build(t, { smtpUrl: inbox.url });
  // The week the catch-up reports on: the one before the latest Monday 07:00.
  const period = periodOf(monday, lastRun(monday, new Date()));
  const number = await caseAt(app.db, {
    agency: 'Demoetaten',
    requester: 'ola@demoetaten.no',
    area: 'lonn',
    channel: 'phone',
    status: 'active',
    created: `${addDays(period.from, 1)} 10:00`,
    due: `${addDays(period.from, 3)} 10:00`,
  });
  const siri = await app.login('siri@kundesenter.no');
  await siri.get('/reports');
  await siri.post('/reports/subscriptions', { area: 'lonn', frequency: 'weekly', weekday: '1', time: '07:00' });
  await app.db
    .updateTable('report_subscriptions')
    .set({ next_run_at: new Date(Date.now() - 3 * 86_400_000) })
    .execute();

  // Two instances: each with its own connection pool, both starting (and so catching up) at once.
  const instances = [createDb(app.config.databaseUrl!, { max: 2 }), createDb(app.config.databaseUrl!, { max: 2 })];
  const schedulers = instances.map((db) =>
    startReportScheduler(db, { publicUrl: app.config.publicUrl, intervalMs: 25 }),
  );
  t.teardown(async () => {
    for (const scheduler of schedulers) await scheduler.stop();
    for (const db of instances) await db.destroy();
  });
  const mail = await inbox.waitFor((m) => m.subject?.startsWith('Kundesenterets rapport') ?? false);
  await Promise.all(schedulers.flatMap((s) => [s.tick(), s.tick()]));
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal(
    inbox.received.filter((m) => m.subject?.startsWith('Kundesenterets rapport')).length,
    1,
    'one mail, however many instances',
  );
  t.ok(
    mail.subject?.endsWith(`for ${formatDate('nb', period.from)}–${formatDate('nb', period.to)}`),
    `the subject names the period: ${mail.subject}`,
  );
  t.match(mail.text ?? '', /Innkomne saker\s+1\n/);
  t.match(mail.text ?? '', /Åpne saker\s+1\n/);
  t.ok(
    mail.text?.includes(`/reports?from=${period.from}&to=${period.to}&by=day&area=lonn`),
    'a link to the report behind the figures',
  );
  t.notMatch(mail.text ?? '', new RegExp(`Rapportsak|${number}`), 'no case content in the mail');
  t.equal((await app.db.selectFrom('outbox').select('id').where('kind', '=', 'scheduled_report').execute()).length, 1);
});

t.test("an agency report mail carries that agency's figures; lost access sends nothing", async (t) => {
  const app = await build(t);
  const kari = await app.login('kari@demoetaten.no');
  await kari.get('/reports');
  t.equal(
    (await kari.post('/reports/subscriptions', { frequency: 'weekly', weekday: '1', time: '07:00' })).statusCode,
    303,
  );
  await caseAt(app.db, {
    agency: 'Demoetaten',
    requester: 'ola@demoetaten.no',
    area: 'lonn',
    channel: 'web',
    status: 'active',
    created: '2026-11-17 10:00',
    due: '2026-11-19 10:00',
  });
  for (const created of ['2026-11-17 11:00', '2026-11-18 11:00']) {
    await caseAt(app.db, {
      agency: 'Testdirektoratet',
      requester: 'per@testdirektoratet.no',
      area: 'lonn',
      channel: 'web',
      status: 'active',
      created,
      due: '2026-11-20 10:00',
    });
  }
  await app.db
    .updateTable('report_subscriptions')
    .set({ next_run_at: oslo('2026-11-23 07:00') })
    .execute();
  await sendDueReports(app.db, app.config.publicUrl, oslo('2026-11-23 07:01'));
  const sent = await app.db
    .selectFrom('outbox')
    .select(['recipient', 'payload'])
    .where('kind', '=', 'scheduled_report')
    .executeTakeFirstOrThrow();
  const payload = sent.payload as { subject: string; rows: [string, string][] };
  t.equal(sent.recipient, 'kari@demoetaten.no');
  t.match(payload.subject, /^Rapport for Demoetaten/);
  t.same(
    payload.rows.find(([label]) => label === 'Innkomne saker'),
    ['Innkomne saker', '1'],
    "Demoetaten's one case, not Testdirektoratet's two",
  );

  // Kari loses her roles: the next run sends nothing and says why.
  const kariId = (
    await app.db.selectFrom('users').select('id').where('email', '=', 'kari@demoetaten.no').executeTakeFirstOrThrow()
  ).id;
  await app.db.deleteFrom('user_roles').where('user_id', '=', kariId).execute();
  await sendDueReports(app.db, app.config.publicUrl, oslo('2026-11-30 07:01'));
  t.equal(
    (await app.db.selectFrom('outbox').select('id').where('kind', '=', 'scheduled_report').execute()).length,
    1,
    'no mail without access',
  );
  const after = await app.db
    .selectFrom('report_subscriptions')
    .select(['last_error', 'next_run_at'])
    .executeTakeFirstOrThrow();
  t.equal(after.last_error, 'forbidden');
  t.equal(after.next_run_at.toISOString(), oslo('2026-12-07 07:00').toISOString(), 'and it tries again next period');
  await app.db.updateTable('users').set({ active: false }).where('id', '=', kariId).execute();
  await sendDueReports(app.db, app.config.publicUrl, oslo('2026-12-07 07:01'));
  t.equal(
    (await app.db.selectFrom('report_subscriptions').select('last_error').executeTakeFirstOrThrow()).last_error,
    'inactive',
  );
});
