// Acting for another agency (seed 002): a member asks with a short form, the request is a case, and a
// caseworker of its area approves (the membership is added, audited) or refuses it there.
import t from 'tap';
import { sql } from 'kysely';
import { build, text } from './helpers.js';

t.test('a member asks to act for another agency; a caseworker approves or refuses it in the case', async (t) => {
  const { login, db } = await build(t);
  const cases = async () =>
    Number(
      (
        await db
          .selectFrom('cases')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const ola = await login('ola@demoetaten.no');
  t.match(text((await ola.get('/me')).body), 'Opptre for en annen virksomhet', 'the form is on Min side');
  const ask = (fields: Record<string, string>) =>
    ola.post('/me/membership-requests', {
      org_number: '910000002',
      area: 'lonn',
      reason: 'Vi er i samme lønnsfellesskap.',
      ...fields,
    });

  for (const [fields, message] of [
    [{ org_number: '123' }, 'Fant ingen virksomhet med det organisasjonsnummeret.'],
    [{ org_number: '910000001' }, 'Du kan allerede opptre for denne virksomheten.'],
    [{ reason: 'Fordi' }, 'Skriv en begrunnelse på 10–1000 tegn.'],
    [{ area: 'ukjent' }, 'Velg et område fra listen.'],
  ] as const) {
    const refused = await ask(fields);
    t.equal(refused.statusCode, 422);
    t.match(text(refused.body), message);
  }
  t.equal(await cases(), 0, 'a refused request makes no case');

  const asked = await ask({ org_number: '910 000 002' });
  t.equal(asked.statusCode, 303);
  const casePath = String(asked.headers.location);
  const number = casePath.split('/').pop()!;
  const mine = text((await ola.get(casePath)).body);
  t.match(mine, 'Forespørsel om å opptre for Testdirektoratet');
  t.match(mine, 'Venter på behandling');
  t.notMatch(mine, 'Godkjenn', 'the customer cannot decide it');
  t.match(
    text((await ask({})).body),
    'Du har allerede en forespørsel om denne virksomheten',
    'one open request at a time',
  );
  t.equal(await cases(), 1);
  t.equal(
    (await ola.post(`/cases/${number}/membership`, { decision: 'approved' })).statusCode,
    403,
    'nor approve it by hand',
  );

  const siri = await login('siri@kundesenter.no');
  const seen = await siri.get(casePath);
  t.match(text(seen.body), 'Ola Nordmann (ola@demoetaten.no) ber om å få opptre for Testdirektoratet (910000002).');
  t.match(text(seen.body), 'Vi er i samme lønnsfellesskap.', 'with the reason');
  const maybe = await siri.post(`/cases/${number}/membership`, { decision: 'maybe' });
  t.equal(maybe.statusCode, 422);
  t.match(text(maybe.body), 'Velg godkjenn eller avslå.');
  const approved = await siri.post(`/cases/${number}/membership`, { decision: 'approved' });
  t.equal(approved.statusCode, 303);
  const test = await db
    .selectFrom('agencies')
    .select('id')
    .where('org_number', '=', '910000002')
    .executeTakeFirstOrThrow();
  const olaId = (
    await db.selectFrom('users').select('id').where('email', '=', 'ola@demoetaten.no').executeTakeFirstOrThrow()
  ).id;
  t.ok(
    await db
      .selectFrom('agency_members')
      .select('user_id')
      .where('user_id', '=', olaId)
      .where('agency_id', '=', test.id)
      .executeTakeFirst(),
    'the membership is added',
  );
  const audited = await db
    .selectFrom('audit_log')
    .select(['action', 'agency_id', 'actor_name'])
    .where('action', '=', 'membership.approve')
    .executeTakeFirstOrThrow();
  t.same(audited, { action: 'membership.approve', agency_id: test.id, actor_name: 'Siri Saksbehandler' }, 'audited');
  const again = await siri.post(`/cases/${number}/membership`, { decision: 'refused' });
  t.equal(again.statusCode, 409);
  t.match(text(again.body), 'Forespørselen er allerede behandlet.');
  const after = text((await ola.get(casePath)).body);
  t.match(after, 'Forespørselen om å opptre for Testdirektoratet er godkjent.', 'the customer sees the decision');
  t.match(text((await ola.get('/me')).body), 'Testdirektoratet', 'and can switch to the agency');

  // Refused: nothing added.
  const kari = await login('kari@demoetaten.no');
  await kari.get('/me');
  const karis = await kari.post('/me/membership-requests', {
    org_number: '910000002',
    area: 'regnskap',
    reason: 'Jeg skal hjelpe med regnskap.',
  });
  t.equal(karis.statusCode, 303);
  const kariCase = String(karis.headers.location).split('/').pop()!;
  t.equal((await siri.post(`/cases/${kariCase}/membership`, { decision: 'refused' })).statusCode, 303);
  const kariId = (
    await db.selectFrom('users').select('id').where('email', '=', 'kari@demoetaten.no').executeTakeFirstOrThrow()
  ).id;
  t.notOk(
    await db
      .selectFrom('agency_members')
      .select('user_id')
      .where('user_id', '=', kariId)
      .where('agency_id', '=', test.id)
      .executeTakeFirst(),
    'a refused request adds nothing',
  );
  t.match(text((await kari.get(`/cases/${kariCase}`)).body), 'er avslått');
  t.equal(
    (
      await siri.post(`/cases/${number.replace(/\d$/, (d) => String((Number(d) + 7) % 10))}/membership`, {
        decision: 'approved',
      })
    ).statusCode,
    404,
    'a case that is not a request: not found',
  );

  // A consultant cannot ask.
  await sql`UPDATE users SET consultant = true, consent_declaration_id = (SELECT max(id) FROM consultant_declarations) WHERE id = ${kariId}`
    .execute(db)
    .catch(() => undefined);
  await db
    .deleteFrom('agency_members')
    .where('user_id', '=', kariId)
    .where(
      'agency_id',
      '<>',
      (await db.selectFrom('agencies').select('id').where('org_number', '=', '910000001').executeTakeFirstOrThrow()).id,
    )
    .execute();
  await sql`UPDATE users SET consultant = true, consent_declaration_id = (SELECT max(id) FROM consultant_declarations) WHERE id = ${kariId}`.execute(
    db,
  );
  const consultant = await login('kari@demoetaten.no');
  await consultant.get('/me');
  t.notMatch(
    text((await consultant.get('/me')).body),
    'Opptre for en annen virksomhet',
    'a consultant is not offered the form',
  );
  const asConsultant = await consultant.post('/me/membership-requests', {
    org_number: '910000002',
    area: 'lonn',
    reason: 'Jeg vil gjerne hjelpe til.',
  });
  t.equal(asConsultant.statusCode, 422);
  t.match(text(asConsultant.body), 'En konsulent kan bare opptre for én virksomhet.');
});
