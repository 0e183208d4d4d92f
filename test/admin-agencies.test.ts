// Admin pages for agencies: search, create and edit with checked organisation numbers, e-mail domains
// (which open self-registration), contact persons by role, and members.
import { validOrgNumber } from '../src/admin/agencies/service.js';
import t from 'tap';
import { build, text } from './helpers.js';

t.test('organisation numbers must carry a valid modulus-11 check digit', async (t) => {
  for (const valid of ['974760673', '991825827', '910000004']) t.ok(validOrgNumber(valid), valid);
  for (const invalid of ['974760672', '12345678', '1234567890', '074760673', '97476067a', ''])
    t.notOk(validOrgNumber(invalid), invalid || 'empty');
});

t.test('admins create and edit agencies; every refusal says why and writes nothing', async (t) => {
  const { db, login, attemptLogin } = await build(t);
  const kari = await login('kari@demoetaten.no');
  t.equal((await kari.get('/admin/agencies')).statusCode, 403, 'customers do not reach the admin pages');
  await kari.get('/cases');
  t.equal((await kari.post('/admin/agencies', { name: 'Kari AS', org_number: '974760673' })).statusCode, 403);

  const admin = await login('admin@kundesenter.no');
  t.match(
    text((await admin.get('/admin/agencies?q=testdirektoratet.no')).body),
    'Testdirektoratet 910000002 testdirektoratet.no',
    'search by domain',
  );
  t.notMatch(
    text((await admin.get('/admin/agencies?q=910000002')).body),
    'Demoetaten 910000001',
    'search by organisation number',
  );
  const count = async () => (await db.selectFrom('agencies').select('id').execute()).length;
  const before = await count();
  const lonn = String(
    (await db.selectFrom('areas').select('id').where('code', '=', 'lonn').executeTakeFirstOrThrow()).id,
  );

  const tries: [Record<string, string | string[]>, string][] = [
    [{ name: 'Nyetaten', org_number: '974760672' }, 'Skriv et gyldig organisasjonsnummer'],
    [{ name: 'N', org_number: '974760673' }, 'Skriv virksomhetens navn'],
    [{ name: 'Nyetaten', org_number: '974760673', areas: ['999999'] }, 'Velg områder fra listen'],
    [{ name: 'Nyetaten', org_number: '910000002' }, 'Skriv et gyldig organisasjonsnummer'],
  ];
  for (const [fields, message] of tries) {
    const refused = await admin.post('/admin/agencies', fields);
    t.equal(refused.statusCode, 422, message);
    t.match(text(refused.body), message);
  }
  t.equal(await count(), before, 'nothing created by the refusals');

  const created = await admin.post('/admin/agencies', { name: 'Nyetaten', org_number: '974 760 673', areas: [lonn] });
  t.equal(created.statusCode, 303);
  const id = String(created.headers.location).split('/').pop()!;
  const page = await admin.get(`/admin/agencies/${id}`);
  t.match(text(page.body), 'Virksomheten er opprettet');
  t.match(
    page.body,
    new RegExp(`id="agency-area-${lonn}" name="areas" value="${lonn}" checked`),
    'the area it buys is ticked',
  );
  const duplicate = await admin.post('/admin/agencies', { name: 'Annen etat', org_number: '974760673' });
  t.match(text(duplicate.body), 'En annen virksomhet har allerede dette organisasjonsnummeret');

  // Domains: checked, no duplicates; with self-registration on, a person on the domain may register.
  const badDomain = await admin.post(`/admin/agencies/${id}/domains`, { domain: 'ikke et domene' });
  t.equal(badDomain.statusCode, 422);
  t.match(text(badDomain.body), 'Skriv et domene som etaten.no');
  t.equal(
    (await admin.post(`/admin/agencies/${id}/domains`, { domain: '@Nyetaten.NO' })).statusCode,
    303,
    'a leading @ and capitals are forgiven',
  );
  t.match(
    text((await admin.post(`/admin/agencies/${id}/domains`, { domain: 'nyetaten.no' })).body),
    'Virksomheten har allerede dette domenet',
  );
  t.equal(
    (await attemptLogin('ny@nyetaten.no')).callback.statusCode,
    403,
    'no self-registration until it is switched on',
  );
  await admin.get(`/admin/agencies/${id}`);
  t.equal(
    (
      await admin.post(`/admin/agencies/${id}`, {
        name: 'Nyetaten',
        org_number: '974760673',
        areas: [lonn],
        self_registration: 'on',
      })
    ).statusCode,
    303,
  );
  t.equal((await attemptLogin('ny@nyetaten.no')).callback.headers.location, '/register');

  // Contacts by role.
  const badContact = await admin.post(`/admin/agencies/${id}/contacts`, {
    role: 'boss',
    name: 'X',
    email: 'nope',
    phone: 'abc',
  });
  t.equal(badContact.statusCode, 422);
  for (const message of [
    'Velg en rolle fra listen',
    'Skriv kontaktpersonens navn',
    'Skriv en gyldig e-postadresse',
    'Skriv telefonnummeret med siffer',
  ])
    t.match(text(badContact.body), message);
  t.equal(
    (
      await admin.post(`/admin/agencies/${id}/contacts`, {
        role: 'payroll',
        name: 'Lønn Lønnesen',
        email: 'Lonn@nyetaten.no',
        phone: '+47 22 11 22 33',
      })
    ).statusCode,
    303,
  );
  t.match(
    text((await admin.get(`/admin/agencies/${id}`)).body),
    'Lønnskontakt Lønn Lønnesen lonn@nyetaten.no +47 22 11 22 33',
  );
  const demoContact = await db
    .selectFrom('agency_contacts')
    .innerJoin('agencies', 'agencies.id', 'agency_contacts.agency_id')
    .select('agency_contacts.id')
    .where('agencies.name', '=', 'Demoetaten')
    .executeTakeFirstOrThrow();
  t.equal(
    (await admin.post(`/admin/agencies/${id}/contacts/removal`, { contact: String(demoContact.id) })).statusCode,
    404,
    "another agency's contact is not found through this one",
  );

  // Members: an existing user by e-mail, or a new one with a name.
  const noName = await admin.post(`/admin/agencies/${id}/members`, {
    member_email: 'ny.person@nyetaten.no',
    member_name: '',
  });
  t.equal(noName.statusCode, 422);
  t.match(text(noName.body), 'Det finnes ingen bruker med denne e-postadressen');
  t.equal(
    (
      await admin.post(`/admin/agencies/${id}/members`, {
        member_email: 'ny.person@nyetaten.no',
        member_name: 'Ny Person',
      })
    ).statusCode,
    303,
  );
  t.equal(
    (await admin.post(`/admin/agencies/${id}/members`, { member_email: 'kari@demoetaten.no', member_name: '' }))
      .statusCode,
    303,
    'Kari joins a second agency',
  );
  t.match(
    text((await admin.post(`/admin/agencies/${id}/members`, { member_email: 'kari@demoetaten.no' })).body),
    'Brukeren hører allerede til virksomheten',
  );
  const newcomer = await attemptLogin('ny.person@nyetaten.no');
  t.equal(newcomer.callback.statusCode, 303, 'the new member can log in');

  t.equal((await admin.get('/admin/agencies/999999')).statusCode, 404);
  t.equal((await admin.post('/admin/agencies/999999/domains', { domain: 'x.no' })).statusCode, 404);
  const trail = await db
    .selectFrom('audit_log')
    .select('object_type')
    .where('action', '=', 'admin.change')
    .where('agency_id', '=', Number(id))
    .execute();
  t.same(
    [...new Set(trail.map((e) => e.object_type))].sort(),
    ['agency', 'agency_contact', 'agency_domain', 'agency_member'],
    'every change is in the audit trail',
  );
});
