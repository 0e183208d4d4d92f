// Shared mailboxes: cases sent as the mailbox belong to every member; the agency's shared-mailbox
// administrators manage mailboxes and members; nothing crosses to another agency.
import t from 'tap';
import { addNumberedMembers, build, enquiry, submitCase, text } from './helpers.js';

const mailboxId = async (db: import('../src/db/index.js').Db, name: string) =>
  String((await db.selectFrom('shared_mailboxes').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id);

t.test(
  'a case sent as the shared mailbox is seen, answered and followed by every member, and by nobody else',
  async (t) => {
    const { db, login } = await build(t);
    const team = await mailboxId(db, 'Lønnsteamet');
    const ola = await login('ola@demoetaten.no');
    const form = await ola.get('/cases/new?area=lonn&form=henvendelse');
    t.match(
      text(form.body),
      'følge opp saken. Meg selv (Ola Nordmann) Fellespostkassen Lønnsteamet',
      'a member chooses whom to send as',
    );
    const created = await submitCase(
      ola,
      enquiry('lonn', 'Felles sak om overtid', 'Gjelder hele teamet.', { mailbox: team }),
    );
    t.equal(created.statusCode, 303);
    const number = String(created.headers.location).split('/').pop()!;
    t.match(text((await ola.get(`/cases/${number}`)).body), 'Ola Nordmann (Demoetaten), sendt som Lønnsteamet');
    const ack = await db
      .selectFrom('outbox')
      .select(['recipient', 'kind'])
      .where('kind', '=', 'case_acknowledgement')
      .executeTakeFirstOrThrow();
    t.equal(
      ack.recipient,
      'lonnsteamet@demoetaten.no',
      'the acknowledgement goes to the mailbox, where all members read',
    );

    // Kari is a member: the case is among hers, and she may write in it.
    const kari = await login('kari@demoetaten.no');
    t.match(text((await kari.get('/cases?scope=mine')).body), 'Felles sak om overtid');
    await kari.get(`/cases/${number}`);
    t.equal((await kari.post(`/cases/${number}/messages`, { message: 'Jeg følger opp for teamet.' })).statusCode, 303);

    // The caseworker's answer is announced to the mailbox.
    const siri = await login('siri@kundesenter.no');
    const page = await siri.get(`/cases/${number}`);
    const version = /name="version" value="(\d+)"/.exec(page.body)?.[1] ?? '';
    t.equal(
      (
        await siri.post(`/cases/${number}/messages`, {
          version,
          kind: 'answer',
          message: 'Svar til teamet',
          status: 'in_progress',
        })
      ).statusCode,
      303,
    );
    const answered = await db
      .selectFrom('outbox')
      .select('recipient')
      .where('kind', '=', 'case_answered')
      .executeTakeFirstOrThrow();
    t.equal(answered.recipient, 'lonnsteamet@demoetaten.no');

    const per = await login('per@testdirektoratet.no');
    t.equal((await per.get(`/cases/${number}`)).statusCode, 404, 'another agency sees nothing');

    // A member removed from the mailbox loses the case at once; Kari still has it.
    await kari.get('/me/mailboxes');
    const olaId = String(
      (await db.selectFrom('users').select('id').where('email', '=', 'ola@demoetaten.no').executeTakeFirstOrThrow()).id,
    );
    t.equal((await kari.post('/me/mailboxes/members/removal', { mailbox: team, user: olaId })).statusCode, 303);
    t.match(
      text((await ola.get(`/cases/${number}`)).body),
      'Felles sak om overtid',
      'Ola sent it himself, so it stays his',
    );
    const lise = await db
      .insertInto('users')
      .values({ email: 'lise@demoetaten.no', name: 'Lise Regnskap' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('agency_members')
      .values({
        user_id: lise.id,
        agency_id: (
          await db.selectFrom('agencies').select('id').where('name', '=', 'Demoetaten').executeTakeFirstOrThrow()
        ).id,
      })
      .execute();
    await kari.get('/me/mailboxes');
    t.equal((await kari.post('/me/mailboxes/members', { mailbox: team, user: String(lise.id) })).statusCode, 303);
    const liseClient = await login('lise@demoetaten.no');
    t.equal((await liseClient.get(`/cases/${number}`)).statusCode, 200, "a new member sees the mailbox's cases");
    await kari.get('/me/mailboxes');
    await kari.post('/me/mailboxes/members/removal', { mailbox: team, user: String(lise.id) });
    t.equal((await liseClient.get(`/cases/${number}`)).statusCode, 404, 'and loses them when removed');
  },
);

t.test('sending as a mailbox one is not a member of is refused, and nothing is created', async (t) => {
  const { db, login } = await build(t);
  const agency = (
    await db.selectFrom('agencies').select('id').where('name', '=', 'Demoetaten').executeTakeFirstOrThrow()
  ).id;
  const other = await db
    .insertInto('shared_mailboxes')
    .values({ agency_id: agency, name: 'Ledergruppen', email: 'ledere@demoetaten.no' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const ola = await login('ola@demoetaten.no');
  const refused = await submitCase(ola, enquiry('lonn', 'Forsøk', 'Tekst', { mailbox: String(other.id) }));
  t.equal(refused.statusCode, 422);
  t.match(text(refused.body), 'Velg deg selv eller en fellespostkasse du er medlem av');
  t.equal((await db.selectFrom('cases').select('id').execute()).length, 0);
});

t.test('shared-mailbox administrators create mailboxes and manage members of their own agency only', async (t) => {
  const { db, login } = await build(t);
  const ola = await login('ola@demoetaten.no');
  const olaPage = text((await ola.get('/me/mailboxes')).body);
  t.match(
    olaPage,
    'Lønnsteamet lonnsteamet@demoetaten.no Kari Nordmann (kari@demoetaten.no) Ola Nordmann (ola@demoetaten.no)',
    'a member sees his mailbox',
  );
  t.notMatch(olaPage, 'Opprett fellespostkasse');
  t.equal(
    (await ola.post('/me/mailboxes', { mailbox_name: 'Mitt team', mailbox_email: 'mitt@demoetaten.no' })).statusCode,
    403,
    'only the administrators create',
  );

  const kari = await login('kari@demoetaten.no');
  await kari.get('/me/mailboxes');
  const tries: [Record<string, string>, string][] = [
    [{ mailbox_name: 'X', mailbox_email: 'x@demoetaten.no' }, 'Skriv et navn på 2–200 tegn'],
    [
      { mailbox_name: 'Regnskap', mailbox_email: 'regnskap@gmail.com' },
      'Adressen må være på et av virksomhetens domener: demoetaten.no',
    ],
    [
      { mailbox_name: 'Lønnsteamet', mailbox_email: 'nytt@demoetaten.no' },
      'Virksomheten har allerede en fellespostkasse med dette navnet',
    ],
    [
      { mailbox_name: 'Nytt team', mailbox_email: 'lonnsteamet@demoetaten.no' },
      'En annen fellespostkasse har allerede denne adressen',
    ],
  ];
  for (const [fields, message] of tries) {
    const answer = await kari.post('/me/mailboxes', fields);
    t.equal(answer.statusCode, 422, message);
    t.match(text(answer.body), message);
  }
  t.equal(
    (await db.selectFrom('shared_mailboxes').select('id').execute()).length,
    1,
    'nothing created by the refusals',
  );
  t.equal(
    (await kari.post('/me/mailboxes', { mailbox_name: 'Regnskapsteamet', mailbox_email: 'Regnskap@Demoetaten.no' }))
      .statusCode,
    303,
  );
  const created = await mailboxId(db, 'Regnskapsteamet');
  const userId = async (email: string) =>
    (await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow()).id;
  const memberIds = async () =>
    (
      await db
        .selectFrom('shared_mailbox_members')
        .select('user_id')
        .where('mailbox_id', '=', Number(created))
        .execute()
    ).map((m) => m.user_id);

  // A member is named by the address they log in with; the page lists no one to choose from.
  await addNumberedMembers(db, '910000001', 3, 'medlem');
  t.notMatch((await kari.get('/me/mailboxes')).body, 'medlem1@demoetaten.no', 'no list of every member');
  for (const [who, why] of <[string, string][]>[
    ['per@testdirektoratet.no', 'someone of another agency'],
    ['ingen@demoetaten.no', 'an address nobody has'],
    ['Ola Nordmann', 'a name, not an address'],
  ]) {
    const refused = await kari.post('/me/mailboxes/members', { mailbox: created, user: who });
    t.equal(refused.statusCode, 422, why);
    t.match(text(refused.body), 'Ingen i virksomheten logger inn med denne adressen.', why);
    t.match(refused.body, `value="${who}"`, 'the address as typed stays in the form');
  }
  await db.updateTable('users').set({ active: false }).where('email', '=', 'medlem2@demoetaten.no').execute();
  const deactivated = await kari.post('/me/mailboxes/members', { mailbox: created, user: 'medlem2@demoetaten.no' });
  t.equal(deactivated.statusCode, 422, 'a deactivated member');
  t.same(await memberIds(), [], 'nobody added by the refusals');
  t.equal(
    (await kari.post('/me/mailboxes/members', { mailbox: created, user: ' Ola@Demoetaten.no ' })).statusCode,
    303,
  );
  t.match(text((await kari.get('/me/mailboxes')).body), 'Ola Nordmann', 'any case, spaces around it ignored');
  t.match(
    text((await kari.post('/me/mailboxes/members', { mailbox: created, user: 'ola@demoetaten.no' })).body),
    'Personen er allerede medlem',
  );
  // Someone deactivated after joining can still be taken out, by the id the member list's button sends.
  t.equal(
    (await kari.post('/me/mailboxes/members', { mailbox: created, user: 'medlem3@demoetaten.no' })).statusCode,
    303,
  );
  const medlem3 = await userId('medlem3@demoetaten.no');
  await db.updateTable('users').set({ active: false }).where('id', '=', medlem3).execute();
  t.equal(
    (await kari.post('/me/mailboxes/members/removal', { mailbox: created, user: String(medlem3) })).statusCode,
    303,
    'a deactivated member is removed',
  );
  t.same(await memberIds(), [await userId('ola@demoetaten.no')], 'only Ola is left');
  const olaId = String(await userId('ola@demoetaten.no'));

  // Another agency's mailbox is not found through Kari's.
  const other = await db
    .insertInto('shared_mailboxes')
    .values({
      agency_id: (
        await db.selectFrom('agencies').select('id').where('name', '=', 'Testdirektoratet').executeTakeFirstOrThrow()
      ).id,
      name: 'Direktoratet',
      email: 'post@testdirektoratet.no',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  t.equal((await kari.post('/me/mailboxes/members', { mailbox: String(other.id), user: olaId })).statusCode, 404);

  t.match(
    text((await kari.get('/me')).body),
    'Ola Nordmann ola@demoetaten.no – – – – Lønnsteamet, Regnskapsteamet',
    'the access overview shows mailbox memberships',
  );
  const trail = await db
    .selectFrom('audit_log')
    .select(['action', 'object_type'])
    .where('action', 'in', ['mailbox.member', 'admin.change'])
    .where('object_type', '=', 'shared_mailbox')
    .orderBy('seq')
    .execute();
  t.same(
    trail.map((e) => e.action),
    ['admin.change', 'mailbox.member', 'mailbox.member', 'mailbox.member'],
    'creation and membership changes are in the audit trail (Ola in; Bruker 3 in and out)',
  );
});
