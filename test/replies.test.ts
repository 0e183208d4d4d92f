import t from 'tap';
import { build, enquiry, mailbox, submitCase, text } from './helpers.js';

t.test('a customer reply on a closed case reopens it to Aktiv and records it', async (t) => {
  const { login, db } = await build(t);
  const ola = await login('ola@demoetaten.no');
  const casePath = String((await submitCase(ola, enquiry('lonn', 'Lukket sak', 'Tekst'))).headers.location);
  await db.updateTable('cases').set({ status: 'closed' }).execute();

  const page = await ola.get(casePath);
  t.match(text(page.body), 'Saken er avsluttet. Skriver du en ny melding, åpnes saken igjen.');
  const empty = await ola.post(`${casePath}/messages`, { message: '   ' });
  t.equal(empty.statusCode, 422);
  t.match(text(empty.body), 'Skriv en melding.');
  t.equal(
    (await db.selectFrom('cases').select('status').executeTakeFirstOrThrow()).status,
    'closed',
    'a refused reply changes nothing',
  );

  const reply = await ola.post(`${casePath}/messages`, {
    message: 'Dette er ikke løst, refusjonene mangler fortsatt.',
  });
  t.equal(reply.statusCode, 303);
  const after = text((await ola.get(casePath)).body);
  t.match(after, 'Meldingen er sendt, og saken er åpnet igjen.');
  t.match(after, 'Status Aktiv');
  t.match(after, 'Saken ble gjenåpnet av Ola Nordmann');
  t.match(after, 'Dette er ikke løst, refusjonene mangler fortsatt.');
  const events = await db.selectFrom('case_events').select(['kind', 'data']).orderBy('id').execute();
  t.same(
    events.map((e) => e.kind),
    ['created', 'message', 'reopened'],
  );

  const open = await ola.post(`${casePath}/messages`, { message: 'En melding til.' });
  t.equal(open.statusCode, 303);
  t.equal(
    (await db.selectFrom('case_events').select('id').where('kind', '=', 'reopened').execute()).length,
    1,
    'an open case is not reopened again',
  );
});

t.test('an answer from the centre sends a notice without the answer; internal notes stay internal', async (t) => {
  const inbox = await mailbox(t);
  const { login, db } = await build(t, { smtpUrl: inbox.url });
  const ola = await login('ola@demoetaten.no');
  const casePath = String((await submitCase(ola, enquiry('lonn', 'Spørsmål om trekk', 'Hvorfor?'))).headers.location);
  const number = casePath.split('/').pop()!;
  const siri = await login('siri@kundesenter.no');
  const caseworkerPage = await siri.get(casePath);
  t.match(text(caseworkerPage.body), 'Svar kunden');
  const answered = await siri.post(`${casePath}/messages`, {
    message: 'Trekket gjelder fagforeningskontingent for 13097248022.',
  });
  t.equal(answered.statusCode, 303);

  const notice = await inbox.waitFor((m) => m.subject === `Saken din er besvart [Sak ${number}]`);
  t.equal(notice.to && 'text' in notice.to ? notice.to.text : '', 'ola@demoetaten.no');
  t.notMatch(notice.text ?? '', 'fagforeningskontingent', 'the answer is read online, never in mail');
  t.notMatch(notice.html || '', '13097248022');
  t.match(notice.text ?? '', `/cases/${number}`);

  const caseRow = await db.selectFrom('cases').select('id').executeTakeFirstOrThrow();
  const siriUser = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', 'siri@kundesenter.no')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('case_events')
    .values({
      case_id: caseRow.id,
      kind: 'internal_note',
      actor_id: siriUser.id,
      data: { body: 'Intern vurdering: sjekk med arbeidsgiver' },
    })
    .execute();

  const customerView = text((await ola.get(casePath)).body);
  t.match(customerView, 'Svar fra Siri Saksbehandler');
  t.match(customerView, 'fagforeningskontingent', 'the customer reads the answer online');
  t.notMatch(customerView, 'Intern vurdering', 'internal notes are never shown to customers');
  t.notMatch(customerView, 'Internt notat');
  t.match(text((await siri.get(casePath)).body), 'Intern vurdering', 'caseworkers see them');

  const search = text((await ola.get('/cases?q=arbeidsgiver')).body);
  t.notMatch(search, number, 'internal notes are not searchable by customers either');
  const found = text((await ola.get('/cases?q=fagforeningskontingenten')).body);
  t.match(found, number, 'messages are searchable, with Norwegian stemming');
});

t.test('nobody replies to a case they cannot see', async (t) => {
  const { login, db } = await build(t);
  const ola = await login('ola@demoetaten.no');
  const casePath = String((await submitCase(ola, enquiry('regnskap', 'Olas sak', 'Tekst'))).headers.location);
  const per = await login('per@testdirektoratet.no');
  await per.get('/cases');
  t.equal(
    (await per.post(`${casePath}/messages`, { message: 'Fra en annen virksomhet' })).statusCode,
    404,
    'another agency',
  );
  const kari = await login('kari@demoetaten.no');
  await kari.get('/cases');
  t.equal(
    (await kari.post(`${casePath}/messages`, { message: 'Fra lønn' })).statusCode,
    404,
    'a professional user of another area',
  );
  t.equal((await kari.post('/cases/2099-000001/messages', { message: 'Finnes ikke' })).statusCode, 404);
  const messages = await db.selectFrom('case_events').select('id').where('kind', '=', 'message').execute();
  t.equal(messages.length, 0, 'nothing was written');
});

t.test('phone and e-mail cases registered by the centre show in the portal with their channel', async (t) => {
  const { login, db } = await build(t);
  const ola = await db
    .selectFrom('users')
    .innerJoin('agency_members', 'agency_members.user_id', 'users.id')
    .select(['users.id', 'agency_members.agency_id'])
    .where('email', '=', 'ola@demoetaten.no')
    .executeTakeFirstOrThrow();
  const area = await db.selectFrom('areas').select('id').where('code', '=', 'lonn').executeTakeFirstOrThrow();
  for (const [number, channel] of [
    ['2026-900001', 'phone'],
    ['2026-900002', 'email'],
  ] as const) {
    await db
      .insertInto('cases')
      .values({
        number,
        title: `Sak via ${channel}`,
        body: 'Registrert av kundesenteret',
        area_id: area.id,
        agency_id: ola.agency_id,
        requester_id: ola.id,
        channel,
      })
      .execute();
  }
  const client = await login('ola@demoetaten.no');
  const list = await client.get('/cases');
  t.match(text(list.body), 'Sak via phone');
  t.match(text(list.body), 'Sak via email');
  t.match(text((await client.get('/cases/2026-900001')).body), 'Kanal Telefon');
  t.match(text((await client.get('/cases/2026-900002')).body), 'Kanal E-post');
});
