// Acting for one of several agencies, and how long a session lives.
import t from 'tap';
import ExcelJS from 'exceljs';
import { addNumberedMembers, build, enquiry, submitCase, text } from './helpers.js';
import { loadConfig, ConfigError } from '../src/config.js';
import { forgetUser } from '../src/auth/kept-viewers.js';
import type { Db } from '../src/db/index.js';

const userIdOf = async (db: Db, email: string) =>
  (await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;

t.test('a user of several agencies chooses which one they act for; lists, forms and exports follow', async (t) => {
  const { db, login } = await build(t);
  const agencies = Object.fromEntries(
    (await db.selectFrom('agencies').select(['id', 'name']).execute()).map((a) => [a.name, a.id]),
  );
  const kariId = (
    await db.selectFrom('users').select('id').where('email', '=', 'kari@demoetaten.no').executeTakeFirstOrThrow()
  ).id;
  await db.insertInto('agency_members').values({ user_id: kariId, agency_id: agencies.Testdirektoratet! }).execute();

  const ola = await login('ola@demoetaten.no');
  await ola.get('/cases/new?area=lonn&form=henvendelse');
  const olaCase = String((await submitCase(ola, enquiry('lonn', 'Olas sak i Demoetaten', 'Tekst'))).headers.location)
    .split('/')
    .pop()!;

  const kari = await login('kari@demoetaten.no');
  const home = text((await kari.get('/')).body);
  t.match(home, 'Opptrer for Demoetaten Testdirektoratet', 'the switcher offers both agencies');
  t.match(
    text((await kari.get('/cases?scope=agency')).body),
    'Olas sak i Demoetaten',
    'acting for Demoetaten, she sees its cases',
  );

  const switched = await kari.post('/me/agency', { agency: String(agencies.Testdirektoratet) });
  t.equal(switched.statusCode, 303);
  t.equal(switched.headers.location, '/cases');
  t.match(text((await kari.get('/cases')).body), 'Du opptrer nå for Testdirektoratet.');
  t.equal((await kari.get(`/cases/${olaCase}`)).statusCode, 404, "Demoetaten's cases are out of reach");
  t.notMatch(text((await kari.get('/cases?scope=mine')).body), 'Olas sak');
  await kari.get('/cases/new?area=regnskap&form=henvendelse');
  const created = String(
    (await submitCase(kari, enquiry('regnskap', 'Sak for direktoratet', 'Tekst'))).headers.location,
  )
    .split('/')
    .pop()!;
  const row = await db.selectFrom('cases').select('agency_id').where('number', '=', created).executeTakeFirstOrThrow();
  t.equal(row.agency_id, agencies.Testdirektoratet, 'a new case belongs to the agency she acts for');
  t.equal(
    (await kari.get('/cases/export.xlsx?scope=agency')).statusCode,
    422,
    'without a role there, the whole-agency export is not hers',
  );

  const foreign = await db
    .insertInto('agencies')
    .values({ org_number: '910000099', name: 'Fremmedetaten' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const refused = await kari.post('/me/agency', { agency: String(foreign.id) });
  t.equal(refused.statusCode, 403, 'an agency she does not belong to is refused');
  t.match(text(refused.body), 'Du kan bare opptre for virksomheter du hører til.');
  t.equal((await kari.post('/me/agency', { agency: 'x' })).statusCode, 403);
  t.match(text((await kari.get('/cases')).body), 'Sak for direktoratet', 'and nothing changed');

  await kari.post('/me/agency', { agency: String(agencies.Demoetaten) });
  t.match(text((await kari.get('/cases?scope=agency')).body), 'Olas sak i Demoetaten', 'switching back works');
  t.notMatch(text((await ola.get('/')).body), 'Opptrer for', 'a user of one agency gets no switcher');
});

t.test('sessions end after the inactivity and absolute limits from the settings', async (t) => {
  const { db, login } = await build(t, { env: { SESSION_IDLE_MINUTES: '10', SESSION_MAX_HOURS: '2' } });
  const ola = await login('ola@demoetaten.no');
  t.equal((await ola.get('/cases')).statusCode, 200);
  await db
    .updateTable('sessions')
    .set({ last_seen_at: new Date(Date.now() - 9 * 60_000) })
    .execute();
  t.equal((await ola.get('/cases')).statusCode, 200, 'nine idle minutes are fine');
  await db
    .updateTable('sessions')
    .set({ last_seen_at: new Date(Date.now() - 11 * 60_000) })
    .execute();
  // Moving the stamp back stands in for eleven minutes passing; a viewer is kept at most a minute after
  // the stamp (src/auth/kept-viewers.ts), which those minutes would have ended too.
  forgetUser(await userIdOf(db, 'ola@demoetaten.no'));
  t.not((await ola.get('/cases')).statusCode, 200, 'eleven are not: the session is over');

  const kari = await login('kari@demoetaten.no');
  t.equal((await kari.get('/cases')).statusCode, 200);
  await db
    .updateTable('sessions')
    .set({ created_at: new Date(Date.now() - 121 * 60_000) })
    .where('revoked_at', 'is', null)
    .execute();
  // As above, standing in for two hours passing (a kept viewer is checked against the total limit on
  // every request); the database's notice of the change would also drop it, moments later.
  forgetUser(await userIdOf(db, 'kari@demoetaten.no'));
  t.not((await kari.get('/cases')).statusCode, 200, 'an active session still ends at the absolute limit');

  const problems = (env: Record<string, string>) => {
    try {
      loadConfig({ DATA_DIR: '/tmp/ks-config-test', ...env });
      return '';
    } catch (error) {
      return error instanceof ConfigError ? error.problems.join('\n') : String(error);
    }
  };
  t.match(problems({ SESSION_IDLE_MINUTES: 'soon' }), 'SESSION_IDLE_MINUTES must be a whole number between 5 and 1440');
  t.match(problems({ SESSION_MAX_HOURS: '0' }), 'SESSION_MAX_HOURS must be a whole number between 1 and 720');
});

t.test(
  "Min side: profile and language, the agency's contacts by role, and the access overview for those allowed",
  async (t) => {
    const { login } = await build(t);
    const kari = await login('kari@demoetaten.no');
    const page = await kari.get('/me');
    t.equal(page.statusCode, 200);
    const body = text(page.body);
    t.match(body, 'Kari Nordmann kari@demoetaten.no');
    t.match(body, 'Opptrer for Demoetaten (910000001)');
    t.match(body, 'Fagbruker, Lønn Autorisert bestiller, Lønn', 'her own access');
    t.match(body, 'Lønnskontakt (1) Kari Nordmann, kari@demoetaten.no , +47 22 00 00 01', 'contacts grouped by role');
    t.match(body, 'Teknisk kontakt (1) Tor Teknikk');
    t.match(page.body, /href="\/cases\/new\?area=lonn&form=tilgang"/, 'an orderer gets the access-order form');
    t.match(
      body,
      'Fellespostkasser Kari Nordmann kari@demoetaten.no Lønn Lønn Lønn – Lønnsteamet Ola Nordmann ' +
        'ola@demoetaten.no – – – – Lønnsteamet',
      'the overview, row by row',
    );
    t.notMatch(body, 'Per Hansen', 'nothing of another agency');

    // Language is kept for the user.
    await kari.post('/language', { language: 'en', returnTo: '/me' });
    t.match(text((await kari.get('/me')).body), 'My page');

    const ola = await login('ola@demoetaten.no');
    const olas = text((await ola.get('/me')).body);
    t.match(olas, 'Lønnskontakt (1) Kari Nordmann', 'every member sees the contacts');
    t.notMatch(olas, 'Hvem har hvilken tilgang', 'but not who has which access');
    t.notMatch((await ola.get('/me')).body, 'form=tilgang');

    const per = await login('per@testdirektoratet.no');
    const pers = text((await per.get('/me')).body);
    t.match(pers, 'Regnskapskontakt (1) Per Hansen');
    t.notMatch(pers, 'Tor Teknikk', "another agency's contacts stay there");

    const siri = await login('siri@kundesenter.no');
    const siris = text((await siri.get('/me')).body);
    t.match(siris, 'Saksbehandler, Lønn Saksbehandler, Regnskap');
    t.notMatch(siris, 'Kontaktpersoner i');
    t.equal((await siri.post('/logout', {})).statusCode, 303);
    t.equal((await siri.get('/me')).statusCode, 303, 'signed out, Min side asks for a login');
  },
);

t.test('who has which access: searched, paged, and sorted as people read numbers', async (t) => {
  const { login, db } = await build(t);
  await addNumberedMembers(db, '910000001', 120, 'bruker');
  const kari = await login('kari@demoetaten.no');
  const names = (body: string) => [...body.matchAll(/<th scope="row">([^<]+)<span/g)].map((m) => m[1]);

  const first = await kari.get('/me');
  t.match(text(first.body), 'Viser 1–50 av 122', 'the count of everyone');
  t.same(
    names(first.body).slice(0, 12),
    [
      'Bruker 1',
      'Bruker 2',
      'Bruker 3',
      'Bruker 4',
      'Bruker 5',
      'Bruker 6',
      'Bruker 7',
      'Bruker 8',
      'Bruker 9',
      'Bruker 10',
      'Bruker 11',
      'Bruker 12',
    ],
    'numbers sort by their value',
  );
  const next = /rel="next" href="([^"]+)"/.exec(first.body)?.[1]?.replaceAll('&amp;', '&');
  t.equal(next, '/me?page=2#overview-heading');
  const last = await kari.get('/me?page=3');
  t.match(text(last.body), 'Viser 101–122 av 122');
  t.same(
    names(last.body),
    [...Array.from({ length: 20 }, (_, i) => `Bruker ${101 + i}`), 'Kari Nordmann', 'Ola Nordmann'],
    'the last page, in order',
  );
  t.match(last.body, /rel="prev" href="\/me\?page=2#overview-heading"/);
  t.notMatch(last.body, 'rel="next"');

  const search = await kari.get('/me?who=bruker1');
  t.match(text(search.body), 'Viser 1–32 av 32', 'a search by e-mail (bruker1, bruker10–19, bruker100–120)');
  t.notMatch(search.body, /rel="next"/);
  const none = await kari.get('/me?who=ingen-slik');
  t.match(text(none.body), 'Ingen passer med søket.');
  const odd = await kari.get(`/me?page=abc&who=${'x'.repeat(500)}`);
  t.equal(odd.statusCode, 200, 'an odd page or a long search is just the first page');

  const ola = await login('ola@demoetaten.no');
  t.notMatch(text((await ola.get('/me?who=bruker')).body), 'Bruker 1', 'the overview stays with those allowed');
});

t.test('the power-of-attorney form: filled in for the agency, offered where an order is refused', async (t) => {
  const { login } = await build(t);
  const ola = await login('ola@demoetaten.no');
  const refused = await ola.get('/cases/new?area=lonn&form=tilgang');
  t.equal(refused.statusCode, 403);
  t.match(refused.body, 'href="/me/power-of-attorney.xlsx"', 'the refusal offers the form');
  t.match((await ola.get('/me')).body, 'href="/me/power-of-attorney.xlsx"', 'and so does Min side');

  const download = await ola.get('/me/power-of-attorney.xlsx');
  t.equal(download.statusCode, 200);
  t.equal(download.headers['content-type'], 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  t.match(String(download.headers['content-disposition']), /filename="fullmaktsskjema-910000001\.xlsx"/);
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(download.rawPayload as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0]!;
  const cells = sheet
    .getSheetValues()
    .flatMap((row) => (Array.isArray(row) ? row : []))
    .map(String);
  const valueAfter = (label: string) => {
    let found: unknown;
    sheet.eachRow((row) => {
      if (row.getCell(1).value === label) found = row.getCell(2).value;
    });
    return found;
  };
  t.equal(valueAfter('Virksomhet'), 'Demoetaten', "the agency's name is filled in");
  t.equal(valueAfter('Organisasjonsnummer'), '910000001', 'and its organisation number');
  for (const label of ['Navn', 'E-post', 'Område', 'Rolle', 'Gjelder fra', 'Stilling', 'Dato', 'Signatur'])
    t.ok(cells.includes(label), `a field for ${label}`);
  t.ok(
    cells.some((c) => c.includes('budsjettdisponeringsmyndighet')),
    'signed by whoever holds the budget authority',
  );
  let roleChoices: string[] = [];
  sheet.eachRow((row) => {
    const validation = row.getCell(4).dataValidation;
    if (validation?.type === 'list') roleChoices = String(validation.formulae?.[0]).replace(/"/g, '').split(',');
  });
  t.same(roleChoices, ['Autorisert bestiller', 'Fullmakt'], 'the role is chosen from a list');
  t.equal(sheet.pageSetup.fitToWidth, 1, 'it prints on one page width');

  const per = await login('per@testdirektoratet.no');
  const pers = await per.get('/me/power-of-attorney.xlsx');
  const other = new ExcelJS.Workbook();
  await other.xlsx.load(pers.rawPayload as unknown as ArrayBuffer);
  t.notOk(
    other.worksheets[0]!.getSheetValues().flat().map(String).includes('Demoetaten'),
    "another agency's form holds its own name, never Demoetaten's",
  );
  const siri = await login('siri@kundesenter.no');
  t.equal((await siri.get('/me/power-of-attorney.xlsx')).statusCode, 404, 'staff act for no agency');
});
