// Admin pages for the service catalogue: areas, forms and their fields, categories, caseworker groups
// and routing, and templates. Each refusal says why and writes nothing; what is saved reaches the
// customer's form and the caseworker's queue.
import t from 'tap';
import { build, enquiry, submitCase, text } from './helpers.js';

t.test('an admin builds an area with a form; the customer can use it once it is valid and in use', async (t) => {
  const { db, login } = await build(t);
  const admin = await login('admin@kundesenter.no');
  await admin.get('/admin/areas');
  const badCode = await admin.post('/admin/areas', { code: 'Reise!', name_nb: 'Reise', name_en: 'Travel' });
  t.equal(badCode.statusCode, 422);
  t.match(text(badCode.body), 'Skriv en kode med små bokstaver');
  t.match(
    text((await admin.post('/admin/areas', { code: 'lonn', name_nb: 'Lønn 2', name_en: 'Payroll 2' })).body),
    'Koden er allerede i bruk',
  );
  const created = await admin.post('/admin/areas', { code: 'reise', name_nb: 'Reise', name_en: 'Travel' });
  t.equal(created.statusCode, 303);
  const areaId = String(created.headers.location).split('/').pop()!;
  const found = text((await admin.get('/admin/areas?q=reis')).body);
  t.match(found, 'Reise reise');
  t.notMatch(found, 'Regnskap regnskap', 'the search narrows the list');

  await admin.get(`/admin/areas/${areaId}`);
  t.equal(
    (
      await admin.post(`/admin/areas/${areaId}/forms`, {
        code: 'reiseregning',
        name_nb: 'Reiseregning',
        name_en: 'Travel claim',
      })
    ).statusCode,
    303,
  );
  const form = await db
    .selectFrom('forms')
    .select(['id', 'active'])
    .where('code', '=', 'reiseregning')
    .executeTakeFirstOrThrow();
  t.equal(form.active, false, 'a new form starts out of use');
  const kari = await login('kari@demoetaten.no');
  t.equal(
    (await kari.get('/cases/new?area=reise&form=reiseregning')).statusCode,
    404,
    'so customers cannot reach it yet',
  );

  const base = {
    name_nb: 'Reiseregning',
    name_en: 'Travel claim',
    description_nb: 'Krav om refusjon av reiseutgifter',
    description_en: 'Claim for travel expenses',
    active: 'on',
  };
  await admin.get(`/admin/forms/${form.id}`);
  const broken = await admin.post(`/admin/forms/${form.id}`, { ...base, fields: '[{"key": "reisemal",' });
  t.equal(broken.statusCode, 422);
  t.match(text(broken.body), 'Feltene er ikke gyldig JSON');
  const noOptions = await admin.post(`/admin/forms/${form.id}`, {
    ...base,
    fields: JSON.stringify([{ key: 'transport', type: 'select', label: { nb: 'Transport', en: 'Transport' } }]),
  });
  t.match(text(noOptions.body), 'Nedtrekksfeltet «transport» må ha alternativer');
  t.equal(
    (await db.selectFrom('forms').select('active').where('id', '=', form.id).executeTakeFirstOrThrow()).active,
    false,
    'nothing saved by the refusals',
  );

  const fields = [{ key: 'reisemal', type: 'text', label: { nb: 'Reisemål', en: 'Destination' }, required: true }];
  t.equal((await admin.post(`/admin/forms/${form.id}`, { ...base, fields: JSON.stringify(fields) })).statusCode, 303);
  const page = await kari.get('/cases/new?area=reise&form=reiseregning');
  t.equal(page.statusCode, 200);
  t.match(text(page.body), 'Reisemål');
  const refused = await submitCase(kari, {
    area: 'reise',
    form_code: 'reiseregning',
    title: 'Tur til Bergen',
    body: 'Reise',
  });
  t.match(text(refused.body), 'Reisemål', 'the new required field is enforced');

  // Categories: unique codes per area, switched on and off.
  t.equal(
    (await admin.post(`/admin/areas/${areaId}/categories`, { code: 'utland', name_nb: 'Utland', name_en: 'Abroad' }))
      .statusCode,
    303,
  );
  t.match(
    text(
      (await admin.post(`/admin/areas/${areaId}/categories`, { code: 'utland', name_nb: 'Utland', name_en: 'Abroad' }))
        .body,
    ),
    'Koden er allerede i bruk',
  );
  const category = await db
    .selectFrom('categories')
    .select('id')
    .where('code', '=', 'utland')
    .executeTakeFirstOrThrow();
  await admin.get(`/admin/areas/${areaId}`);
  t.equal(
    (
      await admin.post(`/admin/areas/${areaId}/active`, {
        kind: 'category',
        target: String(category.id),
        active: 'false',
      })
    ).statusCode,
    303,
  );
  t.equal(
    (await db.selectFrom('categories').select('active').where('id', '=', category.id).executeTakeFirstOrThrow()).active,
    false,
  );
  const lonn = (await db.selectFrom('areas').select('id').where('code', '=', 'lonn').executeTakeFirstOrThrow()).id;
  t.equal(
    (await admin.post(`/admin/areas/${lonn}/active`, { kind: 'category', target: String(category.id), active: 'true' }))
      .statusCode,
    404,
    "another area's category is not found through this one",
  );
});

t.test("groups take the area's caseworkers; routing sends new cases to the chosen group", async (t) => {
  const { db, login } = await build(t);
  const admin = await login('admin@kundesenter.no');
  const lonn = String(
    (await db.selectFrom('areas').select('id').where('code', '=', 'lonn').executeTakeFirstOrThrow()).id,
  );
  await admin.get(`/admin/areas/${lonn}`);
  t.equal(
    (
      await admin.post(`/admin/areas/${lonn}/groups`, {
        code: 'lonn-ekstra',
        name_nb: 'Lønn ekstra',
        name_en: 'Payroll extra',
      })
    ).statusCode,
    303,
  );
  const group = String(
    (await db.selectFrom('groups').select('id').where('code', '=', 'lonn-ekstra').executeTakeFirstOrThrow()).id,
  );
  const ids = Object.fromEntries(
    (await db.selectFrom('users').select(['id', 'email']).execute()).map((u) => [u.email, String(u.id)]),
  );
  const notCaseworker = await admin.post(`/admin/areas/${lonn}/group-members`, {
    group,
    user: ids['kari@demoetaten.no']!,
  });
  t.equal(notCaseworker.statusCode, 422);
  t.match(text(notCaseworker.body), 'Velg en saksbehandler i området');
  t.equal(
    (await admin.post(`/admin/areas/${lonn}/group-members`, { group, user: ids['siri@kundesenter.no']! })).statusCode,
    303,
  );

  const henvendelse = String(
    (
      await db
        .selectFrom('forms')
        .innerJoin('areas', 'areas.id', 'forms.area_id')
        .select('forms.id')
        .where('areas.code', '=', 'lonn')
        .where('forms.code', '=', 'henvendelse')
        .executeTakeFirstOrThrow()
    ).id,
  );
  const regnskapForm = String(
    (
      await db
        .selectFrom('forms')
        .innerJoin('areas', 'areas.id', 'forms.area_id')
        .select('forms.id')
        .where('areas.code', '=', 'regnskap')
        .executeTakeFirstOrThrow()
    ).id,
  );
  const wrongForm = await admin.post(`/admin/areas/${lonn}/routing`, {
    routing_form: regnskapForm,
    routing_group: group,
  });
  t.equal(wrongForm.statusCode, 422);
  t.match(text(wrongForm.body), 'Velg et skjema i området');
  t.equal(
    (await admin.post(`/admin/areas/${lonn}/routing`, { routing_form: henvendelse, routing_group: group })).statusCode,
    303,
  );

  const kari = await login('kari@demoetaten.no');
  const number = String((await submitCase(kari, enquiry('lonn', 'Rutes til ekstra', 'Tekst'))).headers.location)
    .split('/')
    .pop()!;
  const routed = await db.selectFrom('cases').select('group_id').where('number', '=', number).executeTakeFirstOrThrow();
  t.equal(String(routed.group_id), group, 'the new rule decides the group');

  const rule = await db
    .selectFrom('routing_rules')
    .select('id')
    .where('form_id', '=', Number(henvendelse))
    .executeTakeFirstOrThrow();
  t.equal((await admin.post(`/admin/areas/${lonn}/routing/removal`, { rule: String(rule.id) })).statusCode, 303);
  const trail = await db.selectFrom('audit_log').select('object_type').where('action', '=', 'admin.change').execute();
  for (const kind of ['group', 'group_member', 'routing_rule'])
    t.ok(
      trail.some((e) => e.object_type === kind),
      `${kind} changes are in the audit trail`,
    );
});

t.test(
  'templates: placeholders are checked, case templates need an area, and they can be taken out of use',
  async (t) => {
    const { db, login } = await build(t);
    const admin = await login('admin@kundesenter.no');
    await admin.get('/admin/templates');
    const unknown = await admin.post('/admin/templates', {
      template_kind: 'answer',
      template_name: 'Hilsen',
      template_area: '',
      template_title: '',
      template_body: 'Hei {navn}, saken {saksnummer} er løst.',
    });
    t.equal(unknown.statusCode, 422);
    t.match(text(unknown.body), 'Ukjente plassholdere: {navn}');
    const noArea = await admin.post('/admin/templates', {
      template_kind: 'case',
      template_name: 'Telefon',
      template_area: '',
      template_title: 'Glemt passord',
      template_body: 'Kunden ringte',
    });
    t.match(text(noArea.body), 'En saksmal må høre til et område');
    const before = (await db.selectFrom('templates').select('id').execute()).length;
    t.equal(
      (
        await admin.post('/admin/templates', {
          template_kind: 'answer',
          template_name: 'Løst',
          template_area: '',
          template_title: '',
          template_body: 'Hei {kunde}, sak {saksnummer} er løst.',
        })
      ).statusCode,
      303,
    );
    t.equal(
      (await db.selectFrom('templates').select('id').execute()).length,
      before + 1,
      'one template, after two refusals',
    );
    const template = await db.selectFrom('templates').select('id').where('name', '=', 'Løst').executeTakeFirstOrThrow();
    t.match(text((await admin.get('/admin/templates')).body), 'Løst Svarmal Alle områder Ja');
    const searched = text((await admin.get('/admin/templates?q=l%C3%B8st')).body);
    t.match(searched, 'Løst Svarmal');
    t.equal(
      (await admin.get('/admin/templates?q=finnes-ikke')).body.includes('Svarmal Alle'),
      false,
      'the search narrows the list',
    );
    t.equal(
      (await admin.post('/admin/templates/active', { template: String(template.id), active: 'false' })).statusCode,
      303,
    );
    t.equal(
      (await db.selectFrom('templates').select('active').where('id', '=', template.id).executeTakeFirstOrThrow())
        .active,
      false,
    );
    t.equal((await admin.post('/admin/templates/active', { template: '999999', active: 'false' })).statusCode, 404);
  },
);

t.test(
  "the contact page shows each area's customer centre as admins edit it, linked from every page and help page",
  async (t) => {
    const { login, client, db } = await build(t);
    const visitor = client();
    const page = await visitor.get('/contact');
    t.equal(page.statusCode, 200);
    const shown = text(page.body);
    t.match(
      shown,
      'Kundesenter for lønn Telefon +47 40 00 00 10 E-post lonn@kundesenter.no Åpningstider Hverdager 08.00–15.30',
    );
    t.match(shown, 'Kundesenter for regnskap Telefon +47 40 00 00 20');
    t.match(page.body, 'href="tel:+4740000010"');
    t.match(page.body, 'href="/cases/new?area=lonn"', 'a visitor is offered a new case (after logging in)');
    t.match((await visitor.get('/')).body, 'href="/contact"', 'the footer links to it');
    const article = await db
      .selectFrom('articles')
      .select('id')
      .where('status', '=', 'published')
      .where('audience', '=', 'public')
      .executeTakeFirstOrThrow();
    t.match(
      (await visitor.get(`/kb/${article.id}`)).body,
      /href="\/contact">Fant du ikke svaret\?/,
      'and so does every help page',
    );
    t.match((await visitor.get('/kb')).body, /href="\/contact">Fant du ikke svaret\?/);
    t.equal((await visitor.get('/kontakt')).headers.location, '/contact');
    const english = text((await visitor.get('/contact', { 'accept-language': 'en' })).body);
    t.match(
      english,
      'Customer centre for payroll Phone +47 40 00 00 10 E-mail lonn@kundesenter.no Opening hours Weekdays 08:00–15:30',
    );

    const siri = await login('siri@kundesenter.no');
    t.notMatch((await siri.get('/contact')).body, 'href="/cases/new', 'staff are not offered a form they cannot use');

    const anne = await login('admin@kundesenter.no');
    const lonn = await db.selectFrom('areas').select('id').where('code', '=', 'lonn').executeTakeFirstOrThrow();
    await anne.get(`/admin/areas/${lonn.id}`);
    const bad = await anne.post(`/admin/areas/${lonn.id}/contact`, {
      contact_phone: 'ring oss',
      contact_email: 'ikke-en-adresse',
      opening_hours_nb: 'Hverdager',
      opening_hours_en: '',
    });
    t.equal(bad.statusCode, 422);
    t.match(text(bad.body), 'Skriv et telefonnummer med sifre');
    t.match(text(bad.body), 'Skriv en gyldig e-postadresse.');
    t.match(text((await visitor.get('/contact')).body), '+47 40 00 00 10', 'a refused edit changes nothing');
    const saved = await anne.post(`/admin/areas/${lonn.id}/contact`, {
      contact_phone: '+47 22 33 44 55',
      contact_email: 'Lonn@Kundesenter.no',
      opening_hours_nb: 'Mandag–fredag 09.00–15.00',
      opening_hours_en: '',
    });
    t.equal(saved.statusCode, 303);
    const after = await visitor.get('/contact');
    t.match(
      text(after.body),
      'Kundesenter for lønn Telefon +47 22 33 44 55 E-post lonn@kundesenter.no Åpningstider Mandag–fredag 09.00–15.00',
    );
    t.match(
      (await visitor.get('/contact', { 'accept-language': 'en' })).body,
      '<dd lang="nb">Mandag–fredag 09.00–15.00</dd>',
      'hours only in Norwegian are marked so on the English page',
    );
    const ola = await login('ola@demoetaten.no');
    t.equal((await ola.post(`/admin/areas/${lonn.id}/contact`, { contact_phone: '1' })).statusCode, 403);
  },
);
