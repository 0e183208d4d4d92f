// The centre's handling of a case: category and priority on any open case (staff-only events), closing
// rules per area, "Lagre og neste", and templates added to what was typed (without JavaScript).
import t from 'tap';
import { build, caseNumbersIn, enquiry, submitCase, text, type TestApp } from './helpers.js';

async function newCase(app: TestApp, title: string) {
  const ola = await app.login('ola@demoetaten.no');
  await ola.get('/cases/new?area=lonn&form=henvendelse');
  const created = await submitCase(ola, enquiry('lonn', title, 'Gjelder lønn for november.'));
  return { ola, number: String(created.headers.location).split('/').pop()! };
}

const versionIn = (body: string) => /name="version" value="(\d+)"/.exec(body)![1]!;

async function category(app: TestApp, area: string) {
  return app.db
    .selectFrom('categories')
    .innerJoin('areas', 'areas.id', 'categories.area_id')
    .select(['categories.id', 'categories.name_nb'])
    .where('areas.code', '=', area)
    .orderBy('categories.id')
    .executeTakeFirstOrThrow();
}

t.test('a caseworker sets category and priority; the customer never sees the priority or the change', async (t) => {
  const app = await build(t);
  const { ola, number } = await newCase(app, 'Feil i trekk');
  const siri = await app.login('siri@kundesenter.no');
  const page = await siri.get(`/cases/${number}`);
  t.match(text(page.body), 'Prioritet Normal', 'the facts show the priority to staff');
  const lonn = await category(app, 'lonn');
  const saved = await siri.post(`/cases/${number}/handling`, {
    category_id: String(lonn.id),
    priority: 'high',
    version: versionIn(page.body),
  });
  t.equal(saved.statusCode, 303);
  const after = text((await siri.get(`/cases/${number}`)).body);
  t.match(after, 'Behandlingen ble endret av Siri Saksbehandler');
  t.match(after, `Kategori: – → ${lonn.name_nb}`);
  t.match(after, 'Prioritet: Normal → Høy');

  const seen = text((await ola.get(`/cases/${number}`)).body);
  t.notMatch(seen, 'Prioritet', 'no priority on the customer’s page');
  t.notMatch(seen, 'Behandlingen ble endret', 'no handling event in the customer’s timeline');
  t.match(seen, lonn.name_nb, 'the category itself is shown, as before');
  t.equal((await ola.get('/cases?priority=high')).statusCode, 422, 'a customer cannot filter by priority');

  // Queues filter and sort by it.
  const { number: other } = await newCase(app, 'Spørsmål om feriepenger');
  const high = caseNumbersIn((await siri.get('/work?queue=all&priority=high')).body);
  t.same(high, [number], 'the filter finds the high-priority case only');
  const sorted = caseNumbersIn((await siri.get('/work?queue=all&sort=priority&dir=asc')).body);
  t.ok(sorted.indexOf(number) < sorted.indexOf(other), 'most urgent first');

  const stale = await siri.post(`/cases/${number}/handling`, { priority: 'low', version: versionIn(page.body) });
  t.equal(stale.statusCode, 409, 'a form older than the case is refused');
  const wrong = await siri.post(`/cases/${number}/handling`, {
    category_id: String((await category(app, 'regnskap')).id),
    version: versionIn((await siri.get(`/cases/${number}`)).body),
  });
  t.equal(wrong.statusCode, 422);
  t.match(text(wrong.body), 'Velg en kategori fra sakens område.');
  t.equal((await ola.post(`/cases/${number}/handling`, { priority: 'critical' })).statusCode, 403);
});

t.test("a caseworker of another area cannot touch the case's handling: it is not there for them", async (t) => {
  const app = await build(t);
  const { number } = await newCase(app, 'Lønnsslipp mangler');
  const rune = await app.db
    .insertInto('users')
    .values({ email: 'rune@kundesenter.no', name: 'Rune Regnskap' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const regnskap = await app.db
    .selectFrom('areas')
    .select('id')
    .where('code', '=', 'regnskap')
    .executeTakeFirstOrThrow();
  await app.db
    .insertInto('user_roles')
    .values({ user_id: rune.id, role: 'caseworker', area_id: regnskap.id })
    .execute();
  const client = await app.login('rune@kundesenter.no');
  t.equal((await client.get('/work')).statusCode, 200, 'Rune works in regnskap');
  t.equal((await client.post(`/cases/${number}/handling`, { priority: 'critical' })).statusCode, 404);
  t.equal((await client.get(`/cases/${number}`)).statusCode, 404);
  const { priority } = await app.db
    .selectFrom('cases')
    .select('priority')
    .where('number', '=', number)
    .executeTakeFirstOrThrow();
  t.equal(priority, 'normal', 'nothing changed');
});

t.test('closing rules: an area can require fields at closing; each missing one is named', async (t) => {
  const app = await build(t);
  const { number } = await newCase(app, 'Refusjon fra NAV');
  const admin = await app.login('admin@kundesenter.no');
  const lonn = await app.db.selectFrom('areas').select('id').where('code', '=', 'lonn').executeTakeFirstOrThrow();
  await admin.get(`/admin/areas/${lonn.id}`);
  t.equal(
    (await admin.post(`/admin/areas/${lonn.id}/closing`, { closing: ['category', 'resolution', 'time_spent'] }))
      .statusCode,
    303,
  );
  t.equal((await admin.post(`/admin/areas/${lonn.id}/closing`, { closing: 'favourite_colour' })).statusCode, 400);

  const siri = await app.login('siri@kundesenter.no');
  const page = await siri.get(`/cases/${number}`);
  t.match(text(page.body), 'Før saken avsluttes', 'the reply form asks for them');
  const close = (fields: Record<string, string>) =>
    siri.post(`/cases/${number}/messages`, {
      kind: 'answer',
      message: 'Refusjonen er registrert.',
      status: 'closed',
      version: versionIn(page.body),
      ...fields,
    });
  const refused = await close({ category_id: '', resolution: '', time_spent: '' });
  t.equal(refused.statusCode, 422);
  const said = text(refused.body);
  t.match(said, 'Velg en kategori før saken avsluttes.');
  t.match(said, 'Velg en løsningskode før saken avsluttes.');
  t.match(said, 'Skriv inn tidsbruk før saken avsluttes.');
  t.match(refused.body, 'Refusjonen er registrert.', 'the answer is kept in the box');
  const unchanged = await app.db
    .selectFrom('cases')
    .select(['status', 'version'])
    .where('number', '=', number)
    .executeTakeFirstOrThrow();
  t.equal(unchanged.status, 'active', 'nothing was saved');
  t.equal(String(unchanged.version), versionIn(page.body));

  const badMinutes = await close({
    category_id: String((await category(app, 'lonn')).id),
    resolution: 'answered',
    time_spent: 'mye',
  });
  t.equal(badMinutes.statusCode, 422);
  t.match(text(badMinutes.body), 'Tidsbruk må være et helt antall minutter');

  const closed = await close({
    category_id: String((await category(app, 'lonn')).id),
    resolution: 'answered',
    time_spent: '25',
  });
  t.equal(closed.statusCode, 303);
  const row = await app.db
    .selectFrom('cases')
    .select(['status', 'resolution', 'time_spent_minutes'])
    .where('number', '=', number)
    .executeTakeFirstOrThrow();
  t.same(row, { status: 'closed', resolution: 'answered', time_spent_minutes: 25 });
  t.match(text((await siri.get(`/cases/${number}`)).body), 'Tidsbruk: 25 minutter');
});

t.test('"Lagre og neste" saves and opens the next case of the list the caseworker came from', async (t) => {
  const app = await build(t);
  const numbers: string[] = [];
  for (const title of ['Første', 'Andre', 'Tredje']) numbers.push((await newCase(app, title)).number);
  const siri = await app.login('siri@kundesenter.no');
  const list = caseNumbersIn((await siri.get('/work?queue=all&sort=created&dir=asc')).body);
  const mine = list.filter((n) => numbers.includes(n));
  t.same(mine, numbers, 'the list in creation order');
  const page = await siri.get(`/cases/${numbers[0]}`);
  const saved = await siri.post(`/cases/${numbers[0]}/messages`, {
    kind: 'internal_note',
    message: 'Sjekket mot lønnsarket.',
    version: versionIn(page.body),
    after_save: 'next',
  });
  t.equal(saved.headers.location, `/work/next?after=${numbers[0]}`);
  const next = await siri.get(saved.headers.location as string);
  t.equal(next.headers.location, `/cases/${numbers[1]}`, 'on to the next case in that order');
  const last = await siri.get(`/work/next?after=${list[list.length - 1]}`);
  t.match(String(last.headers.location), /^\/work\?queue=all/, 'after the last one, back to the list');
  t.match(text((await siri.get(String(last.headers.location))).body), 'Det er ingen flere saker etter denne');
});

t.test('a template is added after the text already typed, never in its place (without JavaScript)', async (t) => {
  const app = await build(t);
  const { number } = await newCase(app, 'Skattetrekk');
  const template = await app.db
    .insertInto('templates')
    .values({ kind: 'answer', name: 'Takk', body: 'Hilsen kundesenteret, sak {saksnummer}.' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const siri = await app.login('siri@kundesenter.no');
  await siri.get(`/cases/${number}`);
  const composed = await siri.postMultipart(`/cases/${number}/compose`, {
    message: 'Hei Ola,\n\nvi har rettet trekket.',
    template: String(template.id),
    kind: 'answer',
  });
  t.equal(composed.statusCode, 200);
  t.match(composed.body, `Hei Ola,\n\nvi har rettet trekket.\n\nHilsen kundesenteret, sak ${number}.`);
  const messages = await app.db
    .selectFrom('case_events')
    .innerJoin('cases', 'cases.id', 'case_events.case_id')
    .select('case_events.kind')
    .where('cases.number', '=', number)
    .where('case_events.kind', '=', 'message')
    .execute();
  t.equal(messages.length, 0, 'nothing was sent');
  const ola = await app.login('ola@demoetaten.no');
  await ola.get(`/cases/${number}`);
  t.equal((await ola.postMultipart(`/cases/${number}/compose`, { template: String(template.id) })).statusCode, 404);
});
