import t from 'tap';
import { build, enquiry, submitCase as submit, text } from './helpers.js';

t.test('a customer submits a case, sees its number at once and finds it in their list', async (t) => {
  const { login } = await build(t);
  const kari = await login('kari@demoetaten.no');
  const created = await submit(kari, enquiry('lonn', 'Feil i feriepenger', 'Feriepengene for mai er beregnet feil.'));
  t.equal(created.statusCode, 303);
  const year = new Date().getFullYear();
  t.equal(created.headers.location, `/cases/${year}-000001`);

  const page = await kari.get(String(created.headers.location));
  t.equal(page.statusCode, 200);
  const shown = text(page.body);
  t.match(shown, 'Saken er registrert');
  t.match(shown, `${year}-000001`);
  t.match(shown, 'Feil i feriepenger');
  t.match(shown, 'Aktiv');
  t.match(shown, 'Lønn');
  t.match(shown, 'Saken ble opprettet av Kari Nordmann');

  const list = await kari.get('/cases');
  t.match(text(list.body), `${year}-000001 Feil i feriepenger Lønn Aktiv`);
});

t.test('invalid input re-renders the form with 422, keeps what was typed and saves nothing', async (t) => {
  const { login, db } = await build(t);
  const ola = await login('ola@demoetaten.no');
  const unknownArea = await submit(ola, enquiry('nonexistent', 'Tittel', 'Tekst'));
  t.equal(unknownArea.statusCode, 404, 'an unknown area or form is not found');
  t.equal((await ola.post('/cases', enquiry('lonn', 'Tittel', 'Tekst', { form_code: 'finnes-ikke' }))).statusCode, 404);

  const response = await submit(ola, enquiry('lonn', '', '<b>Beskrivelse</b> beholdes'));
  t.equal(response.statusCode, 422);
  const shown = text(response.body);
  t.match(shown, 'Skriv en tittel.');
  t.match(response.body, '&lt;b&gt;Beskrivelse&lt;/b&gt; beholdes', 'the typed text comes back, escaped');
  t.match(response.body, 'aria-invalid="true"');

  const tooLong = await submit(ola, enquiry('lonn', 'x'.repeat(201), 'ok'));
  t.equal(tooLong.statusCode, 422);
  t.match(text(tooLong.body), 'Tittelen kan ha høyst 200 tegn.');

  const count = await db
    .selectFrom('cases')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  t.equal(Number(count.n), 0);
});

t.test('a submission without a CSRF token is refused and creates nothing', async (t) => {
  const { login, db } = await build(t);
  const ola = await login('ola@demoetaten.no');
  await ola.get('/cases/new');
  const forged = await ola.post('/cases', { ...enquiry('lonn', 'Forfalsket', 'Fra en annen side'), _csrf: '' });
  t.equal(forged.statusCode, 403);
  const count = await db
    .selectFrom('cases')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  t.equal(Number(count.n), 0);
});

t.test(
  'who sees a case: requester, professional users of that agency and area, caseworkers; nobody else',
  async (t) => {
    const { login, client } = await build(t);
    const ola = await login('ola@demoetaten.no');
    const olaLonn = String(
      (await submit(ola, enquiry('lonn', 'Lønnsslipp mangler', 'Mangler slipp.'))).headers.location,
    );
    const olaRegnskap = String((await submit(ola, enquiry('regnskap', 'Bilag avvist', 'Hvorfor?'))).headers.location);
    const kari = await login('kari@demoetaten.no');
    const kariCase = String((await submit(kari, enquiry('lonn', 'Kari sin sak', 'Privat.'))).headers.location);

    t.equal((await ola.get(olaLonn)).statusCode, 200, 'the requester');
    t.equal((await kari.get(olaLonn)).statusCode, 200, 'a professional user in lønn at the same agency');
    t.equal((await kari.get(olaRegnskap)).statusCode, 404, 'not in an area where she is no professional user');
    t.equal((await ola.get(kariCase)).statusCode, 404, 'a colleague without roles does not see it');

    const per = await login('per@testdirektoratet.no');
    for (const path of [olaLonn, olaRegnskap, kariCase]) {
      const response = await per.get(path);
      t.equal(response.statusCode, 404, `another agency gets 404 for ${path}`);
      t.notMatch(response.body, 'Lønnsslipp mangler');
    }
    t.equal((await per.get('/cases/2099-999999')).statusCode, 404, 'a number that does not exist looks the same');
    t.equal((await per.get('/cases/not-a-number')).statusCode, 404);

    const ownList = text((await ola.get('/cases')).body);
    t.match(ownList, 'Lønnsslipp mangler');
    t.notMatch(ownList, 'Kari sin sak', 'the list shows own cases only');

    const siri = await login('siri@kundesenter.no');
    const work = await siri.get('/work');
    t.equal(work.statusCode, 200);
    const queue = text(work.body);
    for (const title of ['Lønnsslipp mangler', 'Bilag avvist', 'Kari sin sak']) t.match(queue, title);
    t.match(queue, 'Demoetaten');
    t.equal((await siri.get(olaLonn)).statusCode, 200, 'the caseworker opens the case');

    t.equal((await ola.get('/work')).statusCode, 403, 'customers have no workspace');
    t.equal((await client().get('/work')).statusCode, 303, 'anonymous visitors are sent to log in');
  },
);

t.test('case numbers are unique and consecutive under concurrent submissions', async (t) => {
  const { login } = await build(t);
  const kari = await login('kari@demoetaten.no');
  await kari.get('/cases/new?area=lonn&form=henvendelse');
  const responses = await Promise.all(
    Array.from({ length: 8 }, (_, i) => kari.post('/cases', enquiry('lonn', `Sak ${i}`, 'Samtidig innsending'))),
  );
  const numbers = responses.map((r) => String(r.headers.location).split('/').pop()!).sort();
  const year = new Date().getFullYear();
  t.same(
    numbers,
    Array.from({ length: 8 }, (_, i) => `${year}-${String(i + 1).padStart(6, '0')}`),
  );
});

t.test('the case list pages with a keyset cursor and loses no case', async (t) => {
  const { login, db } = await build(t);
  const ola = await login('ola@demoetaten.no');
  const user = await db
    .selectFrom('users')
    .select(['id'])
    .where('email', '=', 'ola@demoetaten.no')
    .executeTakeFirstOrThrow();
  const agency = await db
    .selectFrom('agencies')
    .select('id')
    .where('name', '=', 'Demoetaten')
    .executeTakeFirstOrThrow();
  const area = await db.selectFrom('areas').select('id').where('code', '=', 'lonn').executeTakeFirstOrThrow();
  const sameMoment = new Date('2025-03-01T10:00:00Z');
  await db
    .insertInto('cases')
    .values(
      Array.from({ length: 120 }, (_, i) => ({
        number: `2025-${String(i + 1).padStart(6, '0')}`,
        title: `Eldre sak ${i + 1}`,
        body: 'Fra i fjor',
        area_id: area.id,
        agency_id: agency.id,
        requester_id: user.id,
        created_at: i < 60 ? sameMoment : new Date(sameMoment.getTime() + i * 60_000),
      })),
    )
    .execute();
  const seen = new Set<string>();
  let url: string | undefined = '/cases';
  let pages = 0;
  while (url && pages < 10) {
    const page = await ola.get(url);
    for (const match of page.body.matchAll(/href="\/cases\/(2025-\d{6})"/g)) seen.add(match[1]!);
    url = /href="(\/cases\?[^"]*after=[^"]+)"/.exec(page.body)?.[1]?.replaceAll('&amp;', '&');
    pages++;
  }
  t.equal(pages, 3);
  t.equal(seen.size, 120, 'every case appears exactly once across pages');
});

t.test('staff without an agency cannot submit customer cases', async (t) => {
  const { login } = await build(t);
  const siri = await login('siri@kundesenter.no');
  t.equal((await siri.get('/cases/new')).statusCode, 403);
  const list = await siri.get('/cases');
  t.equal(list.statusCode, 303);
  t.equal(list.headers.location, '/work');
});
