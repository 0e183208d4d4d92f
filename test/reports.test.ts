// The dashboard and the agency report: figures against fixtures computed by hand (over Easter 2026,
// whose holidays are not working days), the links behind them, filters, access and the Excel export.
import t from 'tap';
import ExcelJS from 'exceljs';
import { assertPrintable } from './workbooks.js';
import { build, enquiry, submitCase, text, type TestApp } from './helpers.js';
import { caseAt, caseNumbersIn, measures } from './fixtures/report-cases.js';

// Easter 2026: Maundy Thursday 2 April, Good Friday 3 April, Easter Monday 6 April.
async function easterCases(db: TestApp['db']) {
  return {
    // 1 April 10:00 → 7 April 10:00 is 14 h + 10 h of working time: one working day. Closed 9 April 10:00: three.
    a: await caseAt(db, {
      agency: 'Demoetaten',
      requester: 'ola@demoetaten.no',
      area: 'lonn',
      channel: 'web',
      status: 'closed',
      group: 'lonn-bilag',
      created: '2026-04-01 10:00',
      due: '2026-04-08 10:00',
      firstAnswered: '2026-04-07 10:00',
      closed: '2026-04-09 10:00',
    }),
    // Six hours: a quarter of a working day, in time.
    b: await caseAt(db, {
      agency: 'Demoetaten',
      requester: 'ola@demoetaten.no',
      area: 'lonn',
      channel: 'email',
      status: 'in_progress',
      group: 'lonn',
      created: '2026-03-30 09:00',
      due: '2026-04-01 09:00',
      firstAnswered: '2026-03-30 15:00',
    }),
    // 31 March 12:00 → 10 April 12:00: 12 + 24 + 3 × 24 + 12 h = five working days, after its deadline.
    c: await caseAt(db, {
      agency: 'Demoetaten',
      requester: 'kari@demoetaten.no',
      area: 'lonn',
      channel: 'phone',
      status: 'closed',
      created: '2026-03-31 12:00',
      due: '2026-04-07 12:00',
      firstAnswered: '2026-04-10 12:00',
      closed: '2026-04-10 12:00',
    }),
    // Never answered, long past its deadline.
    d: await caseAt(db, {
      agency: 'Demoetaten',
      requester: 'ola@demoetaten.no',
      area: 'lonn',
      channel: 'web',
      status: 'active',
      group: 'lonn',
      created: '2026-04-09 08:00',
      due: '2026-04-13 08:00',
    }),
    // Another agency's case in another area.
    e: await caseAt(db, {
      agency: 'Testdirektoratet',
      requester: 'per@testdirektoratet.no',
      area: 'regnskap',
      channel: 'web',
      status: 'in_progress',
      created: '2026-04-08 10:00',
      due: '2026-04-10 10:00',
      firstAnswered: '2026-04-08 11:00',
    }),
    // After the period, waiting for the customer (its clock stopped).
    f: await caseAt(db, {
      agency: 'Demoetaten',
      requester: 'ola@demoetaten.no',
      area: 'lonn',
      channel: 'web',
      status: 'awaiting_customer',
      created: '2026-04-13 09:00',
      due: '2026-04-15 09:00',
      firstAnswered: '2026-04-13 10:00',
    }),
  };
}

/** The cells of a report table, row by row, as a reader sees them. */
function table(html: string, id: string): string[][] {
  const found = new RegExp(`<table[^>]*id="table-${id}"[\\s\\S]*?</table>`).exec(html);
  if (!found) return [];
  return [...found[0].matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((row) =>
    [...row[1]!.matchAll(/<t[hd][^>]*>([\s\S]*?)<\/t[hd]>/g)].map((cell) => text(cell[1]!).trim()),
  );
}

function row(html: string, id: string, label: string): string[] {
  return (
    table(html, id)
      .find((cells) => cells[0] === label)
      ?.slice(1) ?? []
  );
}

function kpi(html: string, id: string): string {
  const found = new RegExp(`data-kpi="${id}">([\\s\\S]*?)</li>`).exec(html);
  return found ? text(found[1]!).trim() : '';
}

function kpiLink(html: string, id: string): string {
  const found = new RegExp(`data-kpi="${id}">[\\s\\S]*?href="([^"]+)"`).exec(html);
  return found ? found[1]!.replaceAll('&amp;', '&') : '';
}

const easter = '/reports?from=2026-03-30&to=2026-04-12';

t.test('the dashboard counts by hand-computed working days over Easter', async (t) => {
  const app = await build(t);
  const cases = await easterCases(app.db);
  t.equal(
    (await measures(app.db, cases.a)).first_answer_ms,
    86_400_000,
    'Easter holidays and the weekend do not count',
  );
  t.equal((await measures(app.db, cases.c)).resolution_ms, 5 * 86_400_000);
  const siri = await app.login('siri@kundesenter.no');

  const page = await siri.get(`${easter}&area=lonn`);
  t.equal(page.statusCode, 200);
  const html = page.body;
  t.match(
    kpi(html, 'received'),
    /Innkomne saker 4$/,
    'four lønn cases arrived in the period; the one after it does not count',
  );
  t.match(kpi(html, 'inTime'), /Besvart innen fristen 67 %$/, 'two of three answered within target');
  t.match(kpi(html, 'firstAnswer'), /median 1 arbeidsdag$/);
  t.match(kpi(html, 'open'), /Åpne saker 3$/, 'open now: in progress, active and awaiting');
  t.match(kpi(html, 'breached'), /Over fristen 2$/, "the waiting case's clock is stopped, so it is not overdue");
  t.same(
    row(html, 'timing', 'Tid til første svar, 90. persentil'),
    ['4,2 arbeidsdager'],
    'p90 of 0.25, 1 and 5 days, interpolated',
  );
  t.same(row(html, 'timing', 'Avsluttede saker'), ['2']);
  t.same(
    row(html, 'timing', 'Tid til avslutning, median'),
    ['4 arbeidsdager'],
    'median of three and five working days',
  );
  t.same(row(html, 'timing', 'Tid til avslutning, 90. persentil'), ['4,8 arbeidsdager']);
  t.same(row(html, 'incoming', 'Totalt'), ['2', '1', '1', '4'], 'web, e-mail, phone, total');
  t.same(row(html, 'incoming', '30. mars 2026'), ['0', '1', '0', '1']);
  t.same(row(html, 'incoming', '1. apr. 2026'), ['1', '0', '0', '1']);
  t.same(row(html, 'incoming', '2. apr. 2026'), ['0', '0', '0', '0'], 'every day of the period has its row');
  t.same(row(html, 'status', 'Under arbeid'), ['1', '1', '0']);
  t.same(row(html, 'status', 'Venter på kunde'), ['1', '0', '0']);
  t.same(row(html, 'group', 'Lønn'), ['2', '2', '0'], 'the two open cases of the Lønn group');
  t.match(
    html,
    /<svg role="img" aria-labelledby="chart-incoming-title chart-incoming-desc"/,
    'the chart is an image with a title and a description',
  );
  t.match(
    html,
    /4 saker kom inn fra 30\. mars 2026 til 12\. apr\. 2026: 2 via nettskjema, 1 på e-post og 1 på telefon/,
  );

  const weekly = await siri.get(`${easter}&area=lonn&by=week`);
  t.same(row(weekly.body, 'incoming', '30. mars 2026–5. apr. 2026'), ['1', '1', '1', '3']);
  t.same(row(weekly.body, 'incoming', '6. apr. 2026–12. apr. 2026'), ['1', '0', '0', '1']);

  // Without the area filter the other agency's regnskap case counts too.
  t.match(kpi((await siri.get(easter)).body, 'received'), /Innkomne saker 5$/);
});

t.test('every figure links to the case list behind it', async (t) => {
  const app = await build(t);
  const cases = await easterCases(app.db);
  const siri = await app.login('siri@kundesenter.no');
  const html = (await siri.get(`${easter}&area=lonn`)).body;

  const received = await siri.get(kpiLink(html, 'received'));
  t.equal(received.statusCode, 200, kpiLink(html, 'received'));
  t.same(
    caseNumbersIn(received.body),
    [cases.a, cases.b, cases.c, cases.d].sort(),
    'the received figure lists exactly its four cases',
  );
  t.same(caseNumbersIn((await siri.get(kpiLink(html, 'open'))).body), [cases.b, cases.d, cases.f].sort());
  t.same(caseNumbersIn((await siri.get(kpiLink(html, 'breached'))).body), [cases.b, cases.d].sort());
  const groupLink = /<th scope="row">Lønn<\/th>\s*<td class="ks-num"><a class="ds-link" href="([^"]+)"/
    .exec(table.length ? html.slice(html.indexOf('id="table-group"')) : '')?.[1]
    ?.replaceAll('&amp;', '&');
  t.ok(groupLink, 'the group row links');
  const byGroup = await siri.get(groupLink!);
  t.same(caseNumbersIn(byGroup.body), [cases.b, cases.d].sort(), "the group figure lists the group's open cases");
  t.match(
    byGroup.body,
    /Viser bare saker for gruppen eller virksomheten du valgte i rapporten/,
    'the list says it is narrowed by the report',
  );
  const phone = /href="([^"]*created_from=2026-03-30&amp;created_to=2026-04-12&amp;channel=phone)"/
    .exec(html)?.[1]
    ?.replaceAll('&amp;', '&');
  t.same(caseNumbersIn((await siri.get(phone!)).body), [cases.c], 'a channel count lists the cases received that way');
});

t.test('a closed day added afterwards measures the cases again', async (t) => {
  const app = await build(t);
  const cases = await easterCases(app.db);
  const admin = await app.login('admin@kundesenter.no');
  await admin.get('/admin/service-levels');
  const added = await admin.post('/admin/closed-days', { day: '2026-04-08', reason_nb: 'Stengt', reason_en: 'Closed' });
  t.equal(added.statusCode, 303);
  t.equal((await measures(app.db, cases.a)).resolution_ms, 2 * 86_400_000, 'three working days became two');
  t.equal((await measures(app.db, cases.c)).first_answer_ms, 4 * 86_400_000);
  t.same(row((await admin.get(`${easter}&area=lonn`)).body, 'timing', 'Tid til avslutning, median'), [
    '3 arbeidsdager',
  ]);
  await admin.get('/admin/service-levels');
  await admin.post('/admin/closed-days/removal', { day: '2026-04-08' });
  t.equal((await measures(app.db, cases.a)).resolution_ms, 3 * 86_400_000, 'and back when it is removed');
});

t.test('answers and closing through the app are measured', async (t) => {
  const app = await build(t);
  const { submitCase, enquiry } = await import('./helpers.js');
  const ola = await app.login('ola@demoetaten.no');
  const created = await submitCase(ola, enquiry('lonn', 'Feriepenger', 'Når kommer feriepengene?'));
  const number = /\/cases\/([0-9-]+)/.exec(String(created.headers.location))![1]!;
  const siri = await app.login('siri@kundesenter.no');
  const casePage = await siri.get(`/cases/${number}`);
  const version = /name="version" value="(\d+)"/.exec(casePage.body)![1]!;
  const answered = await siri.post(`/cases/${number}/messages`, {
    kind: 'answer',
    message: 'De kommer i juni.',
    status: 'closed',
    version,
  });
  t.equal(answered.statusCode, 303);
  const m = await measures(app.db, number);
  t.ok(m.closed_at, 'closing stamps the case');
  t.equal(m.answered_in_time, true);
  t.ok(m.first_answer_ms !== null && m.resolution_ms !== null, 'both times are measured');
  const html = (await siri.get('/reports')).body;
  t.match(kpi(html, 'received'), /Innkomne saker 1$/);
  t.same(row(html, 'timing', 'Avsluttede saker'), ['1']);
  t.same(row(html, 'status', 'Aktiv'), ['0', '0', '0'], 'a closed case is not open');
});

t.test("the agency report shows the agency's own figures only, to its authorised staff", async (t) => {
  const app = await build(t);
  await easterCases(app.db);
  const kari = await app.login('kari@demoetaten.no');
  const page = await kari.get(easter);
  t.equal(page.statusCode, 200);
  t.match(page.body, /Virksomhetens rapport/);
  t.match(kpi(page.body, 'received'), /Innkomne saker 4$/, "Demoetaten's lønn cases, whoever sent them");
  t.notMatch(page.body, /href="\/work/, "no links into the centre's workspace");
  t.notMatch(page.body, /id="table-agency"|id="table-group"/, 'no other agencies, no centre groups');
  const other = await kari.get(`${easter}&agency=2`);
  t.equal(other.statusCode, 422, 'an agency filter is refused');

  const per = await app.login('per@testdirektoratet.no');
  const perPage = await per.get(easter);
  t.match(kpi(perPage.body, 'received'), /Innkomne saker 1$/, 'Testdirektoratet sees its one case');
  t.match(kpi(perPage.body, 'firstAnswer'), /0 arbeidsdager$/);
  t.equal((await per.get(`${easter}&area=lonn`)).statusCode, 422, 'an area outside the role is refused');

  const ola = await app.login('ola@demoetaten.no');
  t.equal((await ola.get('/reports')).statusCode, 403, 'a customer without a role gets no report');
  t.equal((await ola.get('/reports/export.xlsx')).statusCode, 403);
  const anonymous = await app.client().get('/reports');
  t.equal(anonymous.statusCode, 303, 'signed out: to the login');
  t.match(String(anonymous.headers.location), /\/login/);
});

t.test('bad filters get a clear message and no figures', async (t) => {
  const app = await build(t);
  const siri = await app.login('siri@kundesenter.no');
  const cases: [string, RegExp][] = [
    ['/reports?from=2026-04-12&to=2026-03-30', /Til-datoen må være lik eller etter fra-datoen/],
    ['/reports?from=2024-01-01&to=2026-04-30', /Perioden kan være høyst 366 dager/],
    ['/reports?from=2026-13-40', /Skriv datoen som dd\.mm\.åååå/],
    ['/reports?colour=red', /Ukjent filter: colour/],
    ['/reports?area=nope', /Ukjent område/],
    ['/reports?group=999999', /Ukjent gruppe/],
    ['/reports?by=year', /Velg dag eller uke/],
    ['/reports?area=lonn&area=regnskap', /Ukjent område/],
  ];
  for (const [url, message] of cases) {
    const page = await siri.get(url);
    t.equal(page.statusCode, 422, url);
    t.match(text(page.body), message, url);
    t.notMatch(page.body, /data-kpi=/, `${url}: no figures`);
  }
  t.equal((await siri.get('/reports/export.xlsx?to=2020-01-01&from=2021-01-01')).statusCode, 422);
  const fragment = await siri.get('/reports?from=2026-04-12&to=2026-03-30', {
    'hx-request': 'true',
    'hx-request-type': 'partial',
  });
  t.match(fragment.body, /^<section id="report"/, 'htmx gets the report fragment, errors included');
});

t.test('the Excel export has every table with the same filters', async (t) => {
  const app = await build(t);
  await easterCases(app.db);
  const siri = await app.login('siri@kundesenter.no');
  const response = await siri.get(`/reports/export.xlsx?from=2026-03-30&to=2026-04-12&area=lonn`);
  t.equal(response.statusCode, 200);
  t.match(String(response.headers['content-disposition']), /rapport-2026-03-30-2026-04-12\.xlsx/);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(response.rawPayload as unknown as ArrayBuffer);
  const names = workbook.worksheets.map((sheet) => sheet.name);
  t.same(names, [
    'Åpne saker etter status',
    'Åpne saker etter område',
    'Åpne saker etter gruppe',
    'Åpne saker etter virksomhet',
    'Innkomne saker per dag og kanal',
    'Svartider i arbeidsdager',
    'Saker etter kategori',
    'Saker etter saksbehandler',
    'Kunnskapsbasen',
  ]);
  const timing = workbook.getWorksheet('Svartider i arbeidsdager')!;
  assertPrintable(t, timing, `${String(timing.getCell('A1').value)}`, '1:2');
  t.match(String(timing.getCell('A1').value), /: Svartider i arbeidsdager$/, 'the sheet starts with its title');
  const values = Object.fromEntries(
    timing.getRows(3, timing.rowCount - 2)!.map((r) => [String(r.getCell(1).value), r.getCell(2).value]),
  );
  t.equal(values['Innkomne saker'], 4);
  t.equal(values['Tid til første svar, 90. persentil'], 4.2);
  t.equal(Math.round(Number(values['Besvart innen fristen']) * 100), 67);
  t.equal(timing.getRow(timing.rowCount).getCell(1).value, 'Tid til avslutning, 90. persentil');
  const audit = await app.db.selectFrom('audit_log').select('action').where('action', '=', 'report.export').execute();
  t.equal(audit.length, 1, 'the export is in the audit trail');
});

t.test('subscriptions: own ones, checked, and only for those who may see the report', async (t) => {
  const app = await build(t);
  const siri = await app.login('siri@kundesenter.no');
  await siri.get('/reports');
  const created = await siri.post('/reports/subscriptions', {
    area: 'lonn',
    group: '',
    agency: '',
    frequency: 'weekly',
    weekday: '1',
    time: '07:00',
  });
  t.equal(created.statusCode, 303);
  const list = await siri.get('/reports/subscriptions');
  t.match(text(list.body), /Rapporter og nøkkeltall .* Område: Lønn Hver uke, mandag 07:00/);
  const row = await app.db.selectFrom('report_subscriptions').selectAll().executeTakeFirstOrThrow();
  t.equal(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: 'Europe/Oslo',
      weekday: 'long',
      hour: '2-digit',
      minute: '2-digit',
    }).format(row.next_run_at),
    'Monday 07:00',
    'next run: Monday 07:00 in Oslo',
  );

  const refused = await siri.post('/reports/subscriptions', {
    area: 'lonn',
    frequency: 'weekly',
    weekday: '9',
    time: '25:00',
  });
  t.equal(refused.statusCode, 422);
  t.match(text(refused.body), /Velg en ukedag.*Skriv klokkeslettet som tt:mm/);
  const outside = await siri.post('/reports/subscriptions', {
    area: 'nope',
    frequency: 'weekly',
    weekday: '1',
    time: '07:00',
  });
  t.equal(outside.statusCode, 422, 'an unknown area is refused');

  const ola = await app.login('ola@demoetaten.no');
  await ola.get('/');
  t.equal(
    (await ola.post('/reports/subscriptions', { frequency: 'weekly', weekday: '1', time: '07:00' })).statusCode,
    403,
    'a customer without a report cannot subscribe',
  );
  t.equal((await ola.post(`/reports/subscriptions/${row.id}/removal`, {})).statusCode, 404, "nor end someone else's");

  const kari = await app.login('kari@demoetaten.no');
  await kari.get('/reports');
  t.equal(
    (await kari.post('/reports/subscriptions', { group: '1', frequency: 'weekly', weekday: '1', time: '07:00' }))
      .statusCode,
    422,
    'an agency report has no group filter',
  );
  t.equal(
    (await kari.post('/reports/subscriptions', { frequency: 'daily', weekday: '1', time: '06:30' })).statusCode,
    303,
  );
  t.notMatch((await kari.get('/reports/subscriptions')).body, /siri@kundesenter\.no/, "only one's own subscriptions");
  t.equal(
    (await app.db.selectFrom('report_subscriptions').select('id').execute()).length,
    2,
    'the refused ones wrote nothing',
  );

  const admin = await app.login('admin@kundesenter.no');
  const all = await admin.get('/reports/subscriptions');
  t.match(all.body, /siri@kundesenter\.no/);
  t.match(all.body, /kari@demoetaten\.no/, 'an admin sees every subscription');
  await siri.get('/reports/subscriptions');
  t.equal((await siri.post(`/reports/subscriptions/${row.id}/removal`, {})).statusCode, 303);
  t.equal((await app.db.selectFrom('report_subscriptions').select('id').execute()).length, 1);
});

t.test('the report says which kinds of cases came and who solved them; agencies see no caseworkers', async (t) => {
  const app = await build(t);
  const ola = await app.login('ola@demoetaten.no');
  await ola.get('/cases/new?area=lonn&form=henvendelse');
  const number = String((await submitCase(ola, enquiry('lonn', 'Feil i trekk', 'Se vedlegg.'))).headers.location)
    .split('/')
    .pop()!;
  const siri = await app.login('siri@kundesenter.no');
  const page = await siri.get(`/cases/${number}`);
  const version = /name="version" value="(\d+)"/.exec(page.body)![1]!;
  await siri.post(`/cases/${number}/assignment`, { assignee_id: 'me', group_id: '', version });
  const report = await siri.get('/reports');
  const table = (id: string) => text((report.body.split(`id="table-${id}"`)[1] ?? '').split('</table>')[0]!);
  t.match(table('category'), 'Uten kategori 1', 'the new case has no category yet');
  t.match(table('caseworker'), 'Siri Saksbehandler 1', 'and is Siri’s');
  const kari = await app.login('kari@demoetaten.no');
  const agency = await kari.get('/reports');
  t.match(agency.body, 'id="table-category"');
  t.notMatch(agency.body, 'id="table-caseworker"', 'no names of caseworkers in an agency’s report');
});
