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

t.test('targets per category: the seed ships them, admins set them, and a case follows its category', async (t) => {
  const { login, db } = await build(t);
  const categoryId = async (code: string, area = 'lonn') =>
    (
      await db
        .selectFrom('categories')
        .innerJoin('areas', 'areas.id', 'categories.area_id')
        .select('categories.id')
        .where('areas.code', '=', area)
        .where('categories.code', '=', code)
        .executeTakeFirstOrThrow()
    ).id;
  const anne = await login('admin@kundesenter.no');
  const settings = text((await anne.get('/admin/service-levels')).body);
  for (const [name, days] of [
    ['NAV-refusjon', 5],
    ['Større organisasjonsendring', 15],
    ['SAP-oppsett: tid', 20],
    ['Annet SAP-oppsett', 5],
  ] as const)
    t.match(settings, `Lønn Alle ${name} Alle ${days}`, `the seed's target for ${name}`);

  const ola = await login('ola@demoetaten.no');
  const created = await submitCase(ola, enquiry('lonn', 'Refusjon mangler', 'Sykepenger for mars.'));
  const number = String(created.headers.location).split('/').pop()!;
  const dueOf = async () =>
    await db
      .selectFrom('cases')
      .select(['created_at', 'due_at'])
      .where('number', '=', number)
      .executeTakeFirstOrThrow();
  const cal = calendar();
  const expect = async (days: number, message: string) => {
    const { created_at, due_at } = await dueOf();
    // The deadline is counted from the moment the case came in (the clock of the app, not the database).
    t.ok(Math.abs(due_at.getTime() - addWorkingDays(cal, created_at, days).getTime()) < 1000, message);
  };
  await expect(2, 'no category: the default two working days');

  const siri = await login('siri@kundesenter.no');
  const setCategory = async (id: number | '') => {
    const page = await siri.get(`/cases/${number}`);
    const version = /name="version" value="(\d+)"/.exec(page.body)![1]!;
    return siri.post(`/cases/${number}/handling`, { category_id: String(id), version });
  };
  t.equal((await setCategory(await categoryId('refusjon'))).statusCode, 303);
  await expect(5, 'NAV-refusjon: a week');
  const due = (await dueOf()).due_at;
  t.match(
    (await ola.get(`/cases/${number}`)).body,
    `<time datetime="${due.toISOString()}">`,
    'the customer sees the new deadline on the case page',
  );
  t.equal((await setCategory(await categoryId('organisasjonsendring'))).statusCode, 303);
  await expect(15, 'a larger organisation change: three weeks');
  t.equal((await setCategory(await categoryId('lonnskjoring'))).statusCode, 303);
  await expect(2, 'a category without a target of its own: the default again');

  // An admin's own target for a category; one of another area is refused and saves nothing.
  const reise = await categoryId('reise');
  const refused = await anne.post('/admin/service-targets', {
    area: String(
      (await db.selectFrom('areas').select('id').where('code', '=', 'regnskap').executeTakeFirstOrThrow()).id,
    ),
    category: String(reise),
    working_days: '7',
  });
  t.equal(refused.statusCode, 422);
  t.match(text(refused.body), 'Kategorien finnes ikke, eller hører til et annet område enn det du valgte.');
  const before = await db.selectFrom('service_targets').select('id').execute();
  t.equal((await anne.post('/admin/service-targets', { category: String(reise), working_days: '7' })).statusCode, 303);
  const saved = await db
    .selectFrom('service_targets')
    .innerJoin('areas', 'areas.id', 'service_targets.area_id')
    .select(['areas.code', 'service_targets.working_days'])
    .where('category_id', '=', reise)
    .executeTakeFirstOrThrow();
  t.same(saved, { code: 'lonn', working_days: 7 }, "a category's target is its area's");
  t.equal((await db.selectFrom('service_targets').select('id').execute()).length, before.length + 1);
  t.equal((await setCategory(reise)).statusCode, 303);
  await expect(7, 'the new target applies to the case');
});
