import t from 'tap';
import { build, enquiry, submitCase, text } from './helpers.js';
import { addWorkingDays, calendar } from '../src/sla/calendar.js';

/** The next weekday after today that is an ordinary working day. */
function nextWorkingDay(): string {
  const cal = calendar();
  let day = new Date();
  for (;;) {
    day = new Date(day.getTime() + 86_400_000);
    const iso = day.toISOString().slice(0, 10);
    if (cal.isWorkingDay(iso)) return iso;
  }
}

t.test('admins add closed days and targets; new cases count them; bad input changes nothing', async (t) => {
  const { login, db } = await build(t);
  const anne = await login('admin@kundesenter.no');
  const page = await anne.get('/admin/service-levels');
  t.equal(page.statusCode, 200);
  const closed = nextWorkingDay();
  t.equal(
    (await anne.post('/admin/closed-days', { day: '2026-02-30', reason_nb: 'x', reason_en: 'x' })).statusCode,
    422,
  );
  const sunday = await anne.post('/admin/closed-days', { day: '2026-11-22', reason_nb: 'Søndag', reason_en: 'Sunday' });
  t.equal(sunday.statusCode, 422);
  t.match(text(sunday.body), 'Datoen er allerede en helg eller helligdag.');
  t.equal(
    (await anne.post('/admin/closed-days', { day: closed, reason_nb: '', reason_en: 'Closed' })).statusCode,
    422,
    'a reason in both languages',
  );
  t.equal((await db.selectFrom('closed_days').select('day').execute()).length, 0);
  t.equal(
    (await anne.post('/admin/closed-days', { day: closed, reason_nb: 'Personalseminar', reason_en: 'Staff seminar' }))
      .statusCode,
    303,
  );
  t.match(text((await anne.get('/admin/service-levels')).body), 'Personalseminar');

  const ola = await login('ola@demoetaten.no');
  const before = Date.now();
  await submitCase(ola, enquiry('lonn', 'Etter stengt dag', 'Tekst'));
  const due = (await db.selectFrom('cases').select('due_at').executeTakeFirstOrThrow()).due_at;
  const expected = addWorkingDays(calendar([closed]), new Date(before), 2);
  t.ok(Math.abs(due.getTime() - expected.getTime()) < 60_000, 'the closed day is skipped in the new deadline');

  const lonn = await db.selectFrom('areas').select('id').where('code', '=', 'lonn').executeTakeFirstOrThrow();
  t.equal(
    (
      await anne.post('/admin/service-targets', {
        area: String(lonn.id),
        form: '',
        classification: '',
        working_days: '0',
      })
    ).statusCode,
    422,
  );
  t.equal(
    (await anne.post('/admin/service-targets', { area: '999999', form: '', classification: '', working_days: '4' }))
      .statusCode,
    422,
  );
  t.equal(
    (
      await anne.post('/admin/service-targets', {
        area: String(lonn.id),
        form: '',
        classification: '',
        working_days: '4',
      })
    ).statusCode,
    303,
  );
  await submitCase(ola, enquiry('lonn', 'Med eget mål', 'Tekst'));
  const rows = await db.selectFrom('cases').select(['created_at', 'due_at']).orderBy('id').execute();
  const last = rows[rows.length - 1]!;
  t.ok(
    Math.abs(last.due_at.getTime() - addWorkingDays(calendar([closed]), last.created_at, 4).getTime()) < 1000,
    'the area target now applies',
  );

  t.equal((await ola.get('/admin/service-levels')).statusCode, 403, 'customers have no settings');
  const siri = await login('siri@kundesenter.no');
  await siri.get('/work');
  t.equal(
    (await siri.post('/admin/closed-days', { day: closed, reason_nb: 'x', reason_en: 'x' })).statusCode,
    403,
    'nor do caseworkers',
  );
});
