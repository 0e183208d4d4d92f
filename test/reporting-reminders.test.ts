// Deadline reminders: three working days before the payroll deadline and on the working day after it, to
// the agency's reporting contacts, once per period however many instances run at the same moment, and
// never for a period that has been delivered.
import t from 'tap';
import { createDb } from '../src/db/index.js';
import { sendReminders } from '../src/reporting/reminders.js';
import { addDays, loadCalendar, osloInstant } from '../src/sla/calendar.js';
import { build } from './helpers.js';

t.test('reminders before and after the deadline, exactly once with two instances', async (t) => {
  const { db, config } = await build(t);
  const second = createDb(config.databaseUrl!);
  t.teardown(() => second.destroy());

  // Next month's variable pay: its payroll deadline, three working days before it, the working day after.
  const today = new Date().toISOString().slice(0, 10);
  const index = Number(today.slice(0, 4)) * 12 + Number(today.slice(5, 7));
  const period = `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
  const { deadline } = await db
    .selectFrom('reporting_calendar')
    .select('deadline')
    .where('calendar', '=', 'payroll')
    .where('month', '=', period)
    .executeTakeFirstOrThrow();
  const cal = await loadCalendar(db);
  let before = deadline;
  for (let left = 3; left > 0; ) {
    before = addDays(before, -1);
    if (cal.isWorkingDay(before)) left--;
  }
  let after = addDays(deadline, 1);
  while (!cal.isWorkingDay(after)) after = addDays(after, 1);

  const pay = await db
    .selectFrom('report_types')
    .select('id')
    .where('code', '=', 'variabel-lonn')
    .executeTakeFirstOrThrow();
  const reminders = (kind: 'before' | 'after') =>
    db
      .selectFrom('report_reminders')
      .innerJoin('agencies', 'agencies.id', 'report_reminders.agency_id')
      .select('agencies.name')
      .where('report_type_id', '=', pay.id)
      .where('period', '=', period)
      .where('kind', '=', kind)
      .orderBy('agencies.name')
      .execute();
  const mails = (kind: string) =>
    db.selectFrom('outbox').select(['recipient', 'payload']).where('kind', '=', kind).execute();

  // The day before the reminder day: nothing yet.
  await sendReminders(db, config.publicUrl, osloInstant(addDays(before, -1), 10, 0));
  t.same(await reminders('before'), []);

  const at = osloInstant(before, 10, 0);
  await Promise.all([sendReminders(db, config.publicUrl, at), sendReminders(second, config.publicUrl, at)]);
  await sendReminders(second, config.publicUrl, at);
  t.same(
    (await reminders('before')).map((r) => r.name),
    ['Demoetaten', 'Testdirektoratet'],
    'one reminder per agency that must deliver',
  );
  const sent = (await mails('reporting_reminder')).filter((m) =>
    JSON.stringify(m.payload).includes(period.slice(0, 4)),
  );
  const forPay = sent.filter((m) => (m.payload as { report: string }).report === 'Variable lønnsdata');
  t.equal(forPay.length, 1, "one mail, to Demoetaten's contact (Testdirektoratet has named none)");
  t.equal(forPay[0]!.recipient, 'kari@demoetaten.no');
  t.match((forPay[0]!.payload as { link: string }).link, `/reporting/types/variabel-lonn/${period}`);

  // Testdirektoratet delivers on time; Demoetaten does not.
  const testdirektoratet = await db
    .selectFrom('agencies')
    .select('id')
    .where('name', '=', 'Testdirektoratet')
    .executeTakeFirstOrThrow();
  const layout = await db
    .selectFrom('report_layouts')
    .select('id')
    .where('report_type_id', '=', pay.id)
    .executeTakeFirstOrThrow();
  const file = await db
    .insertInto('report_files')
    .values({ filename: 'f.csv', content_type: 'text/csv', size_bytes: 1, sha256: '0'.repeat(64) })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('report_deliveries')
    .values({
      receipt: 'IR-2099-000001',
      report_type_id: pay.id,
      agency_id: testdirektoratet.id,
      period,
      version: 1,
      layout_id: layout.id,
      file_id: file.id,
      channel: 'file',
      row_count: 1,
    })
    .execute();

  const late = osloInstant(after, 8, 0);
  await Promise.all([sendReminders(db, config.publicUrl, late), sendReminders(second, config.publicUrl, late)]);
  t.same(
    (await reminders('after')).map((r) => r.name),
    ['Demoetaten'],
    'only the agency that has not delivered',
  );
  const overdue = (await mails('reporting_overdue')).filter(
    (m) => (m.payload as { report: string }).report === 'Variable lønnsdata',
  );
  t.equal(overdue.length, 1);
  t.match((overdue[0]!.payload as { deadline: string }).deadline, deadline.split('-').reverse().join('.'));
});
