// The reporting settings as an admin: a new report type, its layout edited into a new version (columns
// added without JavaScript, an unsafe pattern refused), a delivery checked against the new version, and
// the payroll calendar's date showing as the deadline.
import t from 'tap';
import { osloDay } from '../src/sla/calendar.js';
import { build, text } from './helpers.js';

t.test('an admin creates a report type, versions its layout and sets the calendar', async (t) => {
  const { login, db } = await build(t);
  const admin = await login('admin@kundesenter.no');
  const list = await admin.get('/admin/reporting');
  t.equal(list.statusCode, 200);
  t.match(text(list.body), 'Variable lønnsdata');

  const lonn = await db.selectFrom('areas').select('id').where('code', '=', 'lonn').executeTakeFirstOrThrow();
  const year = osloDay(new Date()).slice(0, 4);
  const fields = {
    code: 'reiser',
    area: String(lonn.id),
    name_nb: 'Reiseregninger',
    name_en: 'Travel claims',
    description_nb: 'Reiseregninger som skal utbetales.',
    description_en: 'Travel claims to be paid.',
    period_kind: 'monthly',
    first_period: `${year}-01`,
    deadline_rule: 'working_days',
    deadline_days: '5',
    reminder_days: '2',
    active: 'yes',
    audience: 'area',
  };
  const invalid = await admin.post('/admin/reporting', { ...fields, code: 'Reiser!', first_period: `${year}-Q1` });
  t.equal(invalid.statusCode, 422);
  t.match(text(invalid.body), 'Koden kan bare ha små bokstaver');
  t.match(text(invalid.body), 'Skriv første periode i formatet');
  const created = await admin.post('/admin/reporting', fields);
  t.equal(created.statusCode, 303);
  const path = String(created.headers.location);
  const taken = await admin.post('/admin/reporting', fields);
  t.equal(taken.statusCode, 422);
  t.match(text(taken.body), 'Denne koden er allerede i bruk.');

  // The layout: one column to start; a second added without JavaScript.
  const page = await admin.get(path);
  t.equal(page.statusCode, 200);
  const layout = {
    columns: '1',
    c0_name: 'Ansattnummer',
    c0_type: 'employee_number',
    c0_required: 'yes',
    c0_key: 'yes',
  };
  const added = await admin.post(`${path}/layout`, { ...layout, action: 'add' });
  t.equal(added.statusCode, 200);
  t.match(added.body, 'value="Ansattnummer"', 'what was typed stays');
  t.match(added.body, 'name="c1_name"', 'a second column');
  const columns = {
    ...layout,
    columns: '2',
    c1_name: 'Beløp',
    c1_type: 'amount',
    c1_required: 'yes',
    c1_pattern: '(a+)+$',
    control_count: 'yes',
    control_sum: 'Beløp',
    example: '10023;450,00',
  };
  const unsafe = await admin.post(`${path}/layout`, { ...columns, action: 'save' });
  t.equal(unsafe.statusCode, 422);
  t.match(text(unsafe.body), 'Mønsteret i kolonne 2 er ikke gyldig, eller kan ta for lang tid å kontrollere.');
  const saved = await admin.post(`${path}/layout`, { ...columns, c1_pattern: '', action: 'save' });
  t.equal(saved.statusCode, 303);
  t.match(text((await admin.get(path)).body), 'Oppsettet er lagret som versjon 2.');
  const again = await admin.post(`${path}/layout`, { ...columns, c1_pattern: '', action: 'save' });
  t.equal(again.statusCode, 303);
  const versions = await db
    .selectFrom('report_layouts')
    .innerJoin('report_types', 'report_types.id', 'report_layouts.report_type_id')
    .select('report_layouts.version')
    .where('report_types.code', '=', 'reiser')
    .execute();
  t.same(versions.map((v) => v.version).sort(), [1, 2], 'saving the same layout again writes no new version');

  // Kari delivers against version 2.
  const kari = await login('kari@demoetaten.no');
  const month = osloDay(new Date()).slice(0, 7);
  const layoutPage = await kari.get('/reporting/types/reiser');
  t.match(text(layoutPage.body), 'Versjon av oppsettet 2');
  t.match(text(layoutPage.body), 'Du oppgir summen av Beløp når du leverer');
  await kari.get(`/reporting/types/reiser/${month}`);
  const delivered = await kari.postMultipart(
    `/reporting/types/reiser/${month}`,
    { declared_count: '1', declared_sum_1: '450' },
    [{ field: 'file', name: 'reiser.csv', data: Buffer.from('Ansattnummer;Beløp\n10023;450,00\n') }],
  );
  t.equal(delivered.statusCode, 303);
  t.match(text((await kari.get(String(delivered.headers.location))).body), 'Kontrollert mot oppsett versjon 2');

  // Only the agencies chosen: Testdirektoratet must deliver, Demoetaten no longer sees the type.
  const testdirektoratet = await db
    .selectFrom('agencies')
    .select('id')
    .where('name', '=', 'Testdirektoratet')
    .executeTakeFirstOrThrow();
  await admin.get(path);
  const noneChosen = await admin.post(path, { ...fields, audience: 'chosen' });
  t.equal(noneChosen.statusCode, 422);
  t.match(text(noneChosen.body), 'Kryss av minst én virksomhet som finnes.');
  const chosen = await admin.post(path, { ...fields, audience: 'chosen', agencies: [String(testdirektoratet.id)] });
  t.equal(chosen.statusCode, 303);
  t.equal((await kari.get('/reporting/types/reiser')).statusCode, 404, 'Demoetaten is not on the list');
  t.match((await admin.get(path)).body, new RegExp(`value="${testdirektoratet.id}" checked`), 'the choice is shown');

  // The calendar: a payroll date becomes the variable pay's deadline.
  const calendarPath = `/admin/reporting/calendar?year=${year}`;
  await admin.get(calendarPath);
  const wrong = await admin.post(calendarPath, { payroll_5: '15.05.2026' });
  t.equal(wrong.statusCode, 422);
  t.match(text(wrong.body), 'Skriv datoen som ÅÅÅÅ-MM-DD.');
  const current = await db
    .selectFrom('reporting_calendar')
    .select(['calendar', 'month', 'deadline'])
    .where('month', 'like', `${year}-%`)
    .execute();
  const form = Object.fromEntries(current.map((r) => [`${r.calendar}_${Number(r.month.slice(5, 7))}`, r.deadline]));
  const set = await admin.post(calendarPath, { ...form, payroll_5: `${year}-05-13` });
  t.equal(set.statusCode, 303);
  const typePage = await kari.get(`/reporting/types/variabel-lonn?year=${year}`);
  t.match(text(typePage.body), `mai ${year}: 13. mai ${year}`);

  const siri = await login('siri@kundesenter.no');
  t.equal((await siri.get('/admin/reporting')).statusCode, 403);
});
