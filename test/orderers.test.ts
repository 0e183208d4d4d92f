// Authorised orderers appointed from inside the agency, and power of attorney granted from a case.
import t from 'tap';
import { addNumberedMembers, build, enquiry, submitCase, text } from './helpers.js';
import { createCaseFromMail } from '../src/cases/service.js';

t.test(
  'orderers and power-of-attorney holders appoint and remove orderers in their agency, and no further',
  async (t) => {
    const { db, login } = await build(t);
    const users = Object.fromEntries(
      (await db.selectFrom('users').select(['id', 'email']).execute()).map((u) => [u.email, String(u.id)]),
    );
    const areas = Object.fromEntries(
      (await db.selectFrom('areas').select(['id', 'code']).execute()).map((a) => [a.code, String(a.id)]),
    );

    let ola = await login('ola@demoetaten.no');
    const list = text((await ola.get('/me/orderers')).body);
    t.match(list, 'Kari Nordmann (kari@demoetaten.no), Lønn', 'everyone in the agency sees who may order');
    t.notMatch(list, 'Utnevn en autorisert bestiller', 'but only those allowed get the form');
    t.equal(
      (await ola.post('/me/orderers', { user: users['ola@demoetaten.no']!, area: areas.lonn!, reason: 'Meg selv' }))
        .statusCode,
      403,
      'nobody appoints themselves',
    );
    t.equal((await ola.get('/cases/new?area=lonn&form=tilgang')).statusCode, 403);

    const kari = await login('kari@demoetaten.no');
    await kari.get('/me/orderers');
    const otherArea = await kari.post('/me/orderers', {
      user: users['ola@demoetaten.no']!,
      area: areas.regnskap!,
      reason: 'Trenger det',
    });
    t.equal(otherArea.statusCode, 422);
    t.match(text(otherArea.body), 'Du kan bare utnevne bestillere for områder du selv har ansvar for.');
    for (const [who, why] of <[string, string][]>[
      ['per@testdirektoratet.no', 'someone of another agency, by address'],
      [users['per@testdirektoratet.no']!, 'or by id'],
      ['ukjent@demoetaten.no', 'an address nobody has'],
    ]) {
      const outsider = await kari.post('/me/orderers', { user: who, area: areas.lonn!, reason: 'Trenger det' });
      t.equal(outsider.statusCode, 422, why);
      t.match(text(outsider.body), 'Ingen i virksomheten logger inn med denne adressen.', why);
    }
    await addNumberedMembers(db, '910000001', 2, 'medlem');
    t.notMatch(
      (await kari.get('/me/orderers')).body,
      'medlem1@demoetaten.no',
      'no list of every member to choose from',
    );
    t.equal(
      (
        await db
          .selectFrom('user_roles')
          .select('id')
          .where('user_id', '=', Number(users['ola@demoetaten.no']))
          .execute()
      ).length,
      0,
      'nothing granted by the refusals',
    );

    t.equal(
      (
        await kari.post('/me/orderers', {
          user: 'OLA@demoetaten.no',
          area: areas.lonn!,
          reason: 'Ny lønnsansvarlig',
        })
      ).statusCode,
      303,
    );
    t.equal(
      (await ola.get('/cases/new?area=lonn&form=tilgang')).statusCode,
      303,
      "the role change ended Ola's session",
    );
    ola = await login('ola@demoetaten.no');
    t.equal((await ola.get('/cases/new?area=lonn&form=tilgang')).statusCode, 200, 'Ola may order access now');
    const olaRole = await db
      .selectFrom('user_roles')
      .select('id')
      .where('user_id', '=', Number(users['ola@demoetaten.no']))
      .executeTakeFirstOrThrow();

    const per = await login('per@testdirektoratet.no');
    t.match(
      text((await per.get('/me/orderers')).body),
      'Virksomheten har verken fullmakt eller autoriserte bestillere. Send et signert fullmaktsskjema',
    );
    t.equal(
      (await per.post('/me/orderers/removal', { role_id: String(olaRole.id), reason: 'Fjern' })).statusCode,
      403,
      'another agency cannot touch it',
    );

    t.equal(
      (await kari.post('/me/orderers/removal', { role_id: String(olaRole.id), reason: 'Sluttet' })).statusCode,
      303,
    );
    ola = await login('ola@demoetaten.no');
    t.equal((await ola.get('/cases/new?area=lonn&form=tilgang')).statusCode, 403, 'removed');
    const trail = await db
      .selectFrom('audit_log')
      .select(['action', 'actor_name'])
      .where('action', 'in', ['role.grant', 'role.revoke'])
      .orderBy('seq')
      .execute();
    t.same(
      trail,
      [
        { action: 'role.grant', actor_name: 'Kari Nordmann' },
        { action: 'role.revoke', actor_name: 'Kari Nordmann' },
      ],
      'in the audit trail, by Kari',
    );
  },
);

t.test('a caseworker grants power of attorney from the case the signed form came in', async (t) => {
  const { db, login } = await build(t);
  let per = await login('per@testdirektoratet.no');
  await per.get('/cases/new?area=regnskap&form=henvendelse');
  const number = String(
    (await submitCase(per, enquiry('regnskap', 'Signert fullmakt', 'Vedlagt signert fullmaktsskjema.'))).headers
      .location,
  )
    .split('/')
    .pop()!;
  t.equal(
    (await per.post(`/cases/${number}/power-of-attorney`, {})).statusCode,
    403,
    'the customer cannot grant it to themselves',
  );

  const siri = await login('siri@kundesenter.no');
  t.match(text((await siri.get(`/cases/${number}`)).body), 'Gi kunden fullmakt i Testdirektoratet');
  t.equal((await siri.post(`/cases/${number}/power-of-attorney`, {})).statusCode, 303);
  const role = await db
    .selectFrom('user_roles')
    .innerJoin('agencies', 'agencies.id', 'user_roles.agency_id')
    .select(['user_roles.role', 'agencies.name'])
    .where('user_roles.role', '=', 'power_of_attorney')
    .executeTakeFirstOrThrow();
  t.same(role, { role: 'power_of_attorney', name: 'Testdirektoratet' });
  const entry = await db
    .selectFrom('audit_log')
    .select(['action', 'actor_name', 'details'])
    .where('action', '=', 'role.grant')
    .executeTakeFirstOrThrow();
  t.same(
    { ...entry, reason: (entry.details as { reason: string }).reason, details: undefined },
    {
      action: 'role.grant',
      actor_name: 'Siri Saksbehandler',
      reason: `Signert fullmakt mottatt i sak ${number}`,
      details: undefined,
    },
  );
  const again = await siri.post(`/cases/${number}/power-of-attorney`, {});
  t.equal(again.statusCode, 422);
  t.match(text(again.body), 'Brukeren har allerede denne rollen.');

  const areas = Object.fromEntries(
    (await db.selectFrom('areas').select(['id', 'code']).execute()).map((a) => [a.code, String(a.id)]),
  );
  const perId = String(
    (await db.selectFrom('users').select('id').where('email', '=', 'per@testdirektoratet.no').executeTakeFirstOrThrow())
      .id,
  );
  per = await login('per@testdirektoratet.no');
  await per.get('/me/orderers');
  t.equal(
    (await per.post('/me/orderers', { user: perId, area: areas.regnskap!, reason: 'Jeg bestiller for regnskap' }))
      .statusCode,
    303,
    'with power of attorney, Per appoints orderers in any area',
  );

  // A case from an unknown sender has nobody to grant it to yet.
  await createCaseFromMail(
    db,
    { address: 'ukjent@example.com' },
    { areaId: Number(areas.regnskap), title: 'Fullmakt', body: 'Vedlagt', files: [], acknowledge: true, inboundId: 0 },
    { publicUrl: new URL('http://localhost/'), language: 'nb' },
  );
  const unlinked = (
    await db.selectFrom('cases').select('number').where('requester_id', 'is', null).executeTakeFirstOrThrow()
  ).number;
  await siri.get(`/cases/${unlinked}`);
  const refused = await siri.post(`/cases/${unlinked}/power-of-attorney`, {});
  t.equal(refused.statusCode, 422);
  t.match(text(refused.body), 'Saken er ikke koblet til en kunde. Koble den til kunden før du gir fullmakt.');
});
