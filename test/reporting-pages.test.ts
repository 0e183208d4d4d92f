// Periodic reporting through the pages, as Kari (Demoetaten's innrapportør for lønn), Per (who gets the
// role in a test), Ola (no role) and Siri (the centre): delivering, correcting, refused files and their
// error report, the web form without JavaScript, templates read back, the overviews and a follow-up case.
import { createHash } from 'node:crypto';
import ExcelJS from 'exceljs';
import t from 'tap';
import { variablePayLayout } from '../src/demo/reporting.js';
import { build, text } from './helpers.js';
import { assertPrintable } from './workbooks.js';
import { csv, deliverFile, header, periodPath, thisMonth } from './reporting-fixture.js';

async function readWorkbook(body: Buffer) {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(body as unknown as ArrayBuffer);
  return workbook;
}

t.test('Kari delivers, corrects and gets receipts; a refused file changes nothing', async (t) => {
  const { login, db } = await build(t);
  const kari = await login('kari@demoetaten.no');

  const overview = await kari.get('/reporting');
  t.equal(overview.statusCode, 200);
  t.match(text(overview.body), 'Variable lønnsdata');
  t.notMatch(text(overview.body), 'Periodeavstemming', 'only her own area');
  t.match(overview.body, /IR-\d{4}-\d{6}/, 'the seeded history has receipts');

  // A refused delivery: errors by line and column, nothing delivered.
  const before = await db.selectFrom('report_deliveries').select('id').execute();
  const refused = await deliverFile(kari, csv(thisMonth, ['12,3,4', '-350,00']), {
    declared_count: '2',
    declared_sum_3: '2100,00',
  });
  t.equal(refused.statusCode, 422);
  t.match(text(refused.body), 'Linje 2, kolonne Beløp: «12,3,4» er ikke et beløp');
  t.match(text(refused.body), 'Ingenting er levert');
  t.equal(
    (await db.selectFrom('report_deliveries').select('id').execute()).length,
    before.length,
    'nothing stored as delivered',
  );
  const refusedId = /\/reporting\/refused\/(\d+)\/errors\.xlsx/.exec(refused.body)?.[1];
  t.ok(refusedId, 'a link to the error report');
  const report = await kari.get(`/reporting/refused/${refusedId}/errors.xlsx`);
  t.equal(report.statusCode, 200);
  const sheet = (await readWorkbook(report.rawPayload)).worksheets[0]!;
  assertPrintable(t, sheet, 'Feilrapport for innleveringen');
  t.equal(sheet.getRow(2).getCell(1).value, 2, 'the error report lists the line');
  t.match(String(sheet.getRow(2).getCell(3).value), '«12,3,4» er ikke et beløp');
  t.match(
    String(sheet.getRow(3).getCell(3).value),
    'Summen av Beløp i filen er',
    'and the stated sum that did not match',
  );

  // Stated figures are checked before the file is read.
  const unstated = await deliverFile(kari, csv(thisMonth), {});
  t.equal(unstated.statusCode, 422);
  t.match(text(unstated.body), 'Skriv antall rader som et helt tall.');

  // The first delivery of the month.
  const data = csv(thisMonth);
  const delivered = await deliverFile(kari, data, { declared_count: '2', declared_sum_3: '2 100,00' });
  t.equal(delivered.statusCode, 303);
  const receiptPath = String(delivered.headers.location);
  t.match(receiptPath, /^\/reporting\/receipts\/IR-\d{4}-\d{6}$/);
  const receipt = await kari.get(receiptPath);
  t.equal(receipt.statusCode, 200);
  t.match(text(receipt.body), createHash('sha256').update(data).digest('hex'), 'the SHA-256 of the file');
  t.match(text(receipt.body), '2 100,00', 'the control sum');
  const file = await kari.get(`${receiptPath}/file`);
  t.same(file.rawPayload, data, 'the file as delivered');
  const mail = await db
    .selectFrom('outbox')
    .select(['recipient', 'payload'])
    .where('kind', '=', 'reporting_receipt')
    .execute();
  t.equal(mail.length, 1, 'one receipt mail');
  t.equal(mail[0]!.recipient, 'kari@demoetaten.no');
  t.notMatch(JSON.stringify(mail[0]!.payload), '01010012356', 'without the report content');
  t.ok(
    await db.selectFrom('audit_log').select('id').where('action', '=', 'reporting.deliver').executeTakeFirst(),
    'the delivery is in the audit trail',
  );

  // A correction replaces it as version 2; both stay listed and downloadable.
  const corrected = csv(thisMonth, ['2500,00', '-350,00']);
  const second = await deliverFile(kari, corrected, { declared_count: '2', declared_sum_3: '2150' });
  t.equal(second.statusCode, 303);
  const page = await kari.get(periodPath);
  t.match(text(page.body), 'Erstattet');
  t.match(text(page.body), 'Lever en rettet versjon');
  t.equal(
    (await kari.get(receiptPath)).body.includes('erstattet av en nyere versjon'),
    true,
    'the first receipt says so',
  );
  t.same((await kari.get(`${receiptPath}/file`)).rawPayload, data, 'the first version is still there');
  t.same((await kari.get(`${second.headers.location}/file`)).rawPayload, corrected);
  const versions = await db
    .selectFrom('report_deliveries')
    .select(['version', 'replaced_at'])
    .where('period', '=', thisMonth)
    .orderBy('version')
    .execute();
  t.same(
    versions.map((v) => [v.version, v.replaced_at !== null]),
    [
      [1, true],
      [2, false],
    ],
  );

  // The year as a workbook.
  const exported = await kari.get('/reporting/overview.xlsx');
  const yearSheet = (await readWorkbook(exported.rawPayload)).worksheets[0]!;
  assertPrintable(t, yearSheet, `Innrapportering ${new Date().getFullYear()}`);
  const rows = yearSheet.getSheetValues().flat().map(String);
  t.ok(rows.includes(String(second.headers.location).split('/').pop()!), 'the current receipt is in the export');
});

t.test('who may deliver what, and when', async (t) => {
  const { login, db } = await build(t, { env: { REPORTING_MAX_FILE_MB: '1' } });
  const kari = await login('kari@demoetaten.no');
  const large = Buffer.concat([csv(thisMonth), Buffer.alloc(1024 * 1024 + 10, 0x20)]);
  const tooLarge = await deliverFile(kari, large, { declared_count: '2', declared_sum_3: '2100' });
  t.equal(tooLarge.statusCode, 422);
  t.match(text(tooLarge.body), 'Filen er større enn 1 MB');

  const nextYear = `${Number(thisMonth.slice(0, 4)) + 1}-01`;
  await kari.get(`/reporting/types/variabel-lonn/${nextYear}`);
  const closed = await kari.postMultipart(
    `/reporting/types/variabel-lonn/${nextYear}`,
    { declared_count: '2', declared_sum_3: '2100' },
    [{ field: 'file', name: 'x.csv', data: csv(nextYear) }],
  );
  t.equal(closed.statusCode, 422);
  t.match(text(closed.body), 'Perioden er ikke åpen for levering ennå.');
  t.equal((await kari.get('/reporting/types/periodeavstemming')).statusCode, 404, 'another area is not hers');
  t.equal((await kari.get('/reporting/types/variabel-lonn/2026-13')).statusCode, 404, 'a month that does not exist');

  const ola = await login('ola@demoetaten.no');
  t.equal((await ola.get('/reporting')).statusCode, 403);
  await ola.get('/');
  const byOla = await ola.postMultipart(periodPath, {}, [{ field: 'file', name: 'x.csv', data: csv(thisMonth) }]);
  t.equal(byOla.statusCode, 403, 'no role, no delivery');

  // Per becomes Testdirektoratet's innrapportør for lønn: first he names a reporting contact.
  const per = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'per@testdirektoratet.no')
    .executeTakeFirstOrThrow();
  const agency = await db
    .selectFrom('agencies')
    .select('id')
    .where('name', '=', 'Testdirektoratet')
    .executeTakeFirstOrThrow();
  const area = await db.selectFrom('areas').select('id').where('code', '=', 'lonn').executeTakeFirstOrThrow();
  await db
    .insertInto('user_roles')
    .values({ user_id: per.id, role: 'reporter', agency_id: agency.id, area_id: area.id })
    .execute();
  const perClient = await login('per@testdirektoratet.no');
  const first = await perClient.get('/reporting');
  t.equal(first.statusCode, 303);
  t.equal(first.headers.location, '/reporting/contact');
  await perClient.get('/reporting/contact');
  const early = await deliverFile(perClient, csv(thisMonth), { declared_count: '2', declared_sum_3: '2100' });
  t.equal(early.headers.location, '/reporting/contact', 'no delivery before a contact is named');
  const invalid = await perClient.post('/reporting/contact', { name: 'P', email: 'nei', phone: '12' });
  t.equal(invalid.statusCode, 422);
  t.match(text(invalid.body), 'Skriv en gyldig e-postadresse.');
  const saved = await perClient.post('/reporting/contact', {
    name: 'Per Hansen',
    email: 'Per@Testdirektoratet.no',
    phone: '+47 22 33 44 55',
  });
  t.equal(saved.headers.location, '/reporting');
  const now = await perClient.get('/reporting');
  t.equal(now.statusCode, 200);
  t.match(text(now.body), 'per@testdirektoratet.no');
  // Kari's receipts are Demoetaten's: Per, acting for Testdirektoratet, does not find them.
  const karisReceipt = await db.selectFrom('report_deliveries').select('receipt').executeTakeFirstOrThrow();
  t.equal((await perClient.get(`/reporting/receipts/${karisReceipt.receipt}`)).statusCode, 404);
});

t.test(
  'the web form: rows added and removed without JavaScript, errors at their cells, delivered as a file',
  async (t) => {
    const { login, db } = await build(t);
    const kari = await login('kari@demoetaten.no');
    const formPath = `${periodPath}/form`;
    const page = await kari.get(formPath);
    t.equal(page.statusCode, 200);
    t.equal((page.body.match(/name="r\d+c0"/g) ?? []).length, 3, 'three empty rows to start');
    const row = (r: number, values: string[]) => Object.fromEntries(values.map((v, c) => [`r${r}c${c}`, v]));
    const filled = { ...row(0, ['10023', '01010012356', '1100', '100,00', thisMonth, '']), rows: '3' };
    const added = await kari.post(formPath, { ...filled, action: 'add' });
    t.equal(added.statusCode, 200);
    t.equal((added.body.match(/name="r\d+c0"/g) ?? []).length, 4, 'a row more');
    t.match(added.body, 'value="01010012356"', 'what was typed is kept');
    const removed = await kari.post(formPath, { ...filled, rows: '4', action: 'remove:0' });
    t.equal((removed.body.match(/name="r\d+c0"/g) ?? []).length, 3);
    t.notMatch(removed.body, 'value="01010012356"', 'the first row is gone');

    const wrong = await kari.post(formPath, {
      ...row(0, ['10023', '01010012356', '1100', 'mye', thisMonth, '']),
      rows: '1',
      action: 'deliver',
    });
    t.equal(wrong.statusCode, 422);
    t.match(text(wrong.body), 'Linje 2, kolonne Beløp: «mye» er ikke et beløp');
    t.match(wrong.body, /id="r0c3" value="mye"[^>]*aria-invalid="true"/, 'the cell is marked');

    const done = await kari.post(formPath, {
      ...row(0, ['10023', '01010012356', '1100', '100,00', thisMonth, '']),
      ...row(1, ['', '', '', '', '', '']),
      rows: '2',
      action: 'deliver',
    });
    t.equal(done.statusCode, 303, 'empty rows are left out');
    const receipt = await kari.get(String(done.headers.location));
    t.match(text(receipt.body), 'Skjema');
    const stored = await db
      .selectFrom('report_deliveries')
      .select(['channel', 'row_count'])
      .where('channel', '=', 'web')
      .executeTakeFirstOrThrow();
    t.equal(stored.row_count, 1);
  },
);

t.test('templates come from the layout and read back the same; a filled template is accepted', async (t) => {
  const { login } = await build(t);
  const kari = await login('kari@demoetaten.no');
  const page = await kari.get('/reporting/types/variabel-lonn');
  t.equal(page.statusCode, 200);
  for (const column of variablePayLayout.columns) t.match(text(page.body), column.name);
  t.match(text(page.body), 'Samme kombinasjon av Ansattnummer, Lønnsart kan bare forekomme én gang.');

  const csvTemplate = await kari.get('/reporting/types/variabel-lonn/template.csv');
  t.same(csvTemplate.rawPayload.subarray(0, 3), Buffer.from([0xef, 0xbb, 0xbf]), 'UTF-8 with a byte order mark');
  t.equal(csvTemplate.rawPayload.subarray(3).toString('utf8'), `${header}\r\n`);

  const xlsxTemplate = await kari.get('/reporting/types/variabel-lonn/template.xlsx');
  const workbook = await readWorkbook(xlsxTemplate.rawPayload);
  const sheet = workbook.worksheets[0]!;
  t.same(
    (sheet.getRow(1).values as unknown[]).slice(1),
    variablePayLayout.columns.map((c) => c.name),
    'the header row',
  );
  t.match(sheet.views[0], { state: 'frozen', ySplit: 1 }, 'the header is frozen');
  t.equal(sheet.getColumn(4).numFmt, '#,##0.00', 'amounts as kroner and øre');
  t.equal(sheet.getColumn(2).numFmt, '@', 'identity numbers as text, keeping leading zeros');
  const validation = sheet.getCell('C2').dataValidation;
  t.equal(validation?.type, 'list', 'wage types from a drop-down');
  t.match(validation?.formulae?.[0], '1100,1110,1200,1210,2010,5010');

  sheet.addRow(['10023', '01010012356', '1100', 2450, thisMonth, '']);
  const filled = Buffer.from(await workbook.xlsx.writeBuffer());
  await kari.get(periodPath);
  const delivered = await kari.postMultipart(periodPath, { declared_count: '1', declared_sum_3: '2450' }, [
    { field: 'file', name: 'mal.xlsx', data: filled },
  ]);
  t.equal(delivered.statusCode, 303, 'the template, filled in, passes its own check');
});

t.test('the centre sees who has delivered, and opens a case about a missing delivery', async (t) => {
  const { login, db } = await build(t);
  const siri = await login('siri@kundesenter.no');
  const start = await siri.get('/reporting');
  t.equal(start.headers.location, '/reporting/centre');
  const centre = await siri.get('/reporting/centre');
  t.equal(centre.statusCode, 200);
  t.match(text(centre.body), 'Variable lønnsdata');
  t.match(text(centre.body), 'Periodeavstemming');
  // The seeded history: Demoetaten delivered last month's variable pay, Testdirektoratet did not.
  const last = (() => {
    const index = Number(thisMonth.slice(0, 4)) * 12 + Number(thisMonth.slice(5, 7)) - 2;
    return `${Math.floor(index / 12)}-${String((index % 12) + 1).padStart(2, '0')}`;
  })();
  const delivered = await siri.get(`/reporting/centre/variabel-lonn/${last}?status=delivered`);
  t.match(text(delivered.body), 'Demoetaten');
  t.notMatch(text(delivered.body), 'Testdirektoratet');
  const missing = await siri.get(`/reporting/centre/variabel-lonn/${last}`);
  t.match(text(missing.body), 'Testdirektoratet');

  const testdirektoratet = await db
    .selectFrom('agencies')
    .select('id')
    .where('name', '=', 'Testdirektoratet')
    .executeTakeFirstOrThrow();
  const nobody = await siri.post(`/reporting/centre/variabel-lonn/${last}/follow-up`, {
    agency: String(testdirektoratet.id),
  });
  t.equal(nobody.statusCode, 303);
  t.match(text((await siri.get(String(nobody.headers.location))).body), 'har ingen innrapportør');

  const demoetaten = await db
    .selectFrom('agencies')
    .select('id')
    .where('name', '=', 'Demoetaten')
    .executeTakeFirstOrThrow();
  await siri.get(`/reporting/centre/variabel-lonn/${thisMonth}`);
  const opened = await siri.post(`/reporting/centre/variabel-lonn/${thisMonth}/follow-up`, {
    agency: String(demoetaten.id),
  });
  t.equal(opened.statusCode, 303);
  const number = String(opened.headers.location).split('/').pop()!;
  const created = await db
    .selectFrom('cases')
    .innerJoin('users', 'users.id', 'cases.requester_id')
    .select(['cases.agency_id', 'users.email', 'cases.title'])
    .where('cases.number', '=', number)
    .executeTakeFirstOrThrow();
  t.equal(created.agency_id, demoetaten.id);
  t.equal(created.email, 'kari@demoetaten.no', "the area's innrapportør is the customer");
  t.match(created.title, 'Innrapportering: Variable lønnsdata');
  const kari = await login('kari@demoetaten.no');
  t.equal((await kari.get(`/cases/${number}`)).statusCode, 200, 'and Kari finds it among her cases');
});

t.test('a power-of-attorney holder appoints and removes innrapportører; Min side shows who has the role', async (t) => {
  const { login, db } = await build(t);
  const demoetaten = await db
    .selectFrom('agencies')
    .select('id')
    .where('name', '=', 'Demoetaten')
    .executeTakeFirstOrThrow();
  const regnskap = await db.selectFrom('areas').select('id').where('code', '=', 'regnskap').executeTakeFirstOrThrow();
  const ola = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'ola@demoetaten.no')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('user_roles')
    .values({ user_id: ola.id, role: 'power_of_attorney', agency_id: demoetaten.id })
    .execute();

  const kari = await login('kari@demoetaten.no');
  const overview = await kari.get('/me');
  t.match(text(overview.body), 'Innrapportør', 'the role has a column in the access overview');
  t.match(text(overview.body), /Kari Nordmann kari@demoetaten\.no.*Lønn/);
  await kari.get('/reporting/reporters');
  const byKari = await kari.post('/reporting/reporters', {
    user: String(ola.id),
    area: String(regnskap.id),
    reason: 'Ny rolle',
  });
  t.equal(byKari.statusCode, 403, 'an innrapportør does not appoint others');

  const attorney = await login('ola@demoetaten.no');
  const page = await attorney.get('/reporting/reporters');
  t.equal(page.statusCode, 200);
  t.match(text(page.body), 'Kari Nordmann (kari@demoetaten.no), Lønn');
  const noReason = await attorney.post('/reporting/reporters', {
    user: String(ola.id),
    area: String(regnskap.id),
    reason: '',
  });
  t.equal(noReason.statusCode, 422);
  const appointed = await attorney.post('/reporting/reporters', {
    user: String(ola.id),
    area: String(regnskap.id),
    reason: 'Tar over periodeavstemmingen',
  });
  t.equal(appointed.statusCode, 303);
  t.equal((await attorney.get('/reporting')).statusCode, 303, "the role change ended Ola's session");
  const again = await login('ola@demoetaten.no');
  t.equal((await again.get('/reporting/types/periodeavstemming')).statusCode, 200, 'now he reports regnskap');
  const trail = await db.selectFrom('audit_log').select('details').where('action', '=', 'role.grant').execute();
  t.match(JSON.stringify(trail), 'Tar over periodeavstemmingen', 'with the reason in the audit trail');

  await again.get('/reporting/reporters');
  const role = await db
    .selectFrom('user_roles')
    .select('id')
    .where('user_id', '=', ola.id)
    .where('role', '=', 'reporter')
    .executeTakeFirstOrThrow();
  const removed = await again.post('/reporting/reporters/removal', { role_id: String(role.id), reason: 'Ferdig' });
  t.equal(removed.statusCode, 303);
  t.notOk(
    await db.selectFrom('user_roles').select('id').where('id', '=', role.id).executeTakeFirst(),
    'the role is gone',
  );
});
