// Consultants (seed 002): bound to exactly one agency, and a consent declaration accepted before anything
// else, again when its text changes; shown on their profile and in the agency's access overview.
import t from 'tap';
import { sql } from 'kysely';
import { build, text } from './helpers.js';

t.test('a consultant accepts the declaration first, acts for one agency only, and is shown as such', async (t) => {
  const { login, db } = await build(t);
  const agency = async (org: string) =>
    (await db.selectFrom('agencies').select('id').where('org_number', '=', org).executeTakeFirstOrThrow()).id;
  const demo = await agency('910000001');
  const other = await agency('910000002');
  const anne = await login('admin@kundesenter.no');
  await anne.get(`/admin/agencies/${demo}`);
  t.equal(
    (
      await anne.post(`/admin/agencies/${demo}/members`, {
        member_email: 'konsulent@firma.no',
        member_name: 'Kari Konsulent',
      })
    ).statusCode,
    303,
  );
  const user = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'konsulent@firma.no')
    .executeTakeFirstOrThrow();
  await anne.get(`/admin/users/${user.id}`);
  t.equal((await anne.post(`/admin/users/${user.id}/consultant`, { consultant: 'yes' })).statusCode, 303);
  t.match(text((await anne.get(`/admin/users/${user.id}`)).body), 'Brukertype: Konsulent');

  // First use: the declaration, and nothing else until it is accepted.
  const consultant = await login('konsulent@firma.no');
  const cases = await consultant.get('/cases');
  t.equal(cases.statusCode, 303);
  t.equal(cases.headers.location, '/consent', 'any page leads to the declaration');
  t.equal((await consultant.get('/accessibility')).statusCode, 200, 'the pages about the service stay open');
  const declaration = await consultant.get('/consent');
  t.match(text(declaration.body), 'Du er registrert som konsulent for Demoetaten.');
  t.match(text(declaration.body), 'Jeg er innleid konsulent og opptrer bare på vegne av virksomheten');
  t.equal((await consultant.post('/cases/columns', { columns: ['title'] })).statusCode, 303, 'posts lead there too');
  t.equal((await consultant.post('/consent', {})).statusCode, 303);
  t.equal((await consultant.get('/cases')).statusCode, 200, 'accepted: the service is open');
  t.match(text((await consultant.get('/consent')).body), 'Du godtok erklæringen');
  const accepted = await db
    .selectFrom('audit_log')
    .select(['action', 'agency_id'])
    .where('action', '=', 'consent.accept')
    .executeTakeFirstOrThrow();
  t.same(accepted, { action: 'consent.accept', agency_id: demo }, 'the acceptance is in the audit trail');

  // Shown on the profile and in the access overview.
  t.match(text((await consultant.get('/me')).body), 'Brukertype Konsulent Du er registrert som konsulent');
  const kari = await login('kari@demoetaten.no');
  // (The name is the one the identity provider gave at login.)
  t.match(
    (await kari.get('/me?who=konsulent')).body,
    /<th scope="row">[^<]+ <span class="ds-tag" data-color="info">Konsulent<\/span><span class="ks-help">konsulent@firma\.no/,
    'tagged in the access overview',
  );

  // One agency only: refused by the admin page, and by the database whatever adds it.
  await anne.get(`/admin/agencies/${other}`);
  const second = await anne.post(`/admin/agencies/${other}/members`, { member_email: 'konsulent@firma.no' });
  t.equal(second.statusCode, 422);
  t.match(text(second.body), 'En konsulent kan bare være medlem av én virksomhet');
  await t.rejects(
    db.insertInto('agency_members').values({ user_id: user.id, agency_id: other }).execute(),
    /a consultant acts for one agency only/,
    'the database refuses it too',
  );
  const memberships = await db
    .selectFrom('agency_members')
    .select('agency_id')
    .where('user_id', '=', user.id)
    .execute();
  t.same(memberships, [{ agency_id: demo }], 'still one agency');

  // Someone in two agencies cannot be made a consultant.
  await anne.post(`/admin/agencies/${other}/members`, { member_email: 'kari@demoetaten.no' });
  const kariId = (
    await db.selectFrom('users').select('id').where('email', '=', 'kari@demoetaten.no').executeTakeFirstOrThrow()
  ).id;
  await anne.get(`/admin/users/${kariId}`);
  const refused = await anne.post(`/admin/users/${kariId}/consultant`, { consultant: 'yes' });
  t.equal(refused.statusCode, 422);
  t.match(text(refused.body), 'Brukeren er medlem av flere virksomheter.');
  t.equal(
    (await db.selectFrom('users').select('consultant').where('id', '=', kariId).executeTakeFirstOrThrow()).consultant,
    false,
  );

  // A new text: asked again.
  await anne.get('/admin/consultants');
  const tooShort = await anne.post('/admin/consultants/declaration', { body_nb: 'Kort', body_en: '' });
  t.equal(tooShort.statusCode, 422);
  t.equal(
    (
      await anne.post('/admin/consultants/declaration', {
        body_nb: 'Ny erklæring: jeg følger virksomhetens instruks og taushetsplikt.',
        body_en: '',
      })
    ).statusCode,
    303,
  );
  t.equal((await consultant.get('/cases')).headers.location, '/consent', 'the changed text must be accepted again');
  const changed = text((await consultant.get('/consent', { 'accept-language': 'nb' })).body);
  t.match(changed, 'Samtykkeerklæringen er endret siden du godtok den.');
  t.match(changed, 'Ny erklæring: jeg følger virksomhetens instruks og taushetsplikt.');
  t.match(text((await anne.get('/admin/consultants')).body), 'konsulent@firma.no Demoetaten Ikke godtatt ennå');

  const ola = await login('ola@demoetaten.no');
  t.equal((await ola.get('/consent')).statusCode, 404, 'not for others');
  t.equal((await ola.get('/admin/consultants')).statusCode, 403);
  const count = await sql<{ n: string }>`SELECT count(*) AS n FROM consultant_declarations`.execute(db);
  t.equal(Number(count.rows[0]!.n), 2, 'the old text is kept as a version');
});
