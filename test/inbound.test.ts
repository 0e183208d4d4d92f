import t from 'tap';
import nodemailer, { type SendMailOptions } from 'nodemailer';
import { build, enquiry, submitCase, text } from './helpers.js';
import { freePort } from './net.js';
import { createDb } from '../src/db/index.js';
import { sql } from 'kysely';
import { mimeCorpus } from './fixtures/mime-corpus.js';
import { inboundProcessor, inboundSettings, startInboundSmtp } from '../src/mail/inbound.js';
import { trimQuoted } from '../src/mail/thread.js';
import { gatewayTransport } from './gateway.js';
import { bounceAddress, messageIdOf } from '../src/mail/tokens.js';
import type { Db } from '../src/db/index.js';

async function setup(t: Parameters<typeof build>[0]) {
  const app = await build(t);
  const inbound = await startInboundSmtp(app.db, {
    ...inboundSettings(app.config, { port: 0, host: '127.0.0.1' }),
  });
  t.teardown(() => inbound.close());
  const transport = gatewayTransport(inbound.port);
  const send = async (mail: SendMailOptions) => {
    await transport.sendMail({ to: 'lonn@kundesenter.no', ...mail });
    await inbound.drain();
  };
  return { ...app, inbound, send };
}

const cases = (db: Db) =>
  db
    .selectFrom('cases')
    .select(['id', 'number', 'title', 'body', 'channel', 'status', 'requester_name'])
    .orderBy('id')
    .execute();

t.test('a mail from a customer becomes a case with an acknowledgement; a reply lands in it', async (t) => {
  const { db, send, login } = await setup(t);
  await send({
    from: 'Ola Nordmann <ola@demoetaten.no>',
    subject: 'Lønnsslipp for mars mangler',
    text: 'Hei, jeg finner ikke lønnsslippen for mars.\n\nHilsen Ola',
    messageId: '<first@demoetaten.no>',
  });
  const [created] = await cases(db);
  t.ok(created);
  t.same(
    { title: created!.title, channel: created!.channel, requester: created!.requester_name },
    { title: 'Lønnsslipp for mars mangler', channel: 'email', requester: 'Ola Nordmann' },
  );
  const ack = await db
    .selectFrom('outbox')
    .select(['id', 'recipient'])
    .where('kind', '=', 'case_acknowledgement')
    .executeTakeFirstOrThrow();
  t.equal(ack.recipient, 'ola@demoetaten.no');

  await send({
    from: 'ola@demoetaten.no',
    subject: `Re: Vi har mottatt saken din [Sak ${created!.number}]`,
    inReplyTo: `<outbox-${ack.id}@127.0.0.1>`,
    references: [`<outbox-${ack.id}@127.0.0.1>`],
    text: 'Her er mer informasjon.\n\nDen 23.11.2026 kl. 10:00 skrev Kundesenter:\n> Vi har mottatt saken din',
    messageId: '<second@demoetaten.no>',
  });
  t.equal((await cases(db)).length, 1, 'a reply is never a new case');
  const message = await db
    .selectFrom('case_events')
    .select('data')
    .where('kind', '=', 'message')
    .executeTakeFirstOrThrow();
  t.equal(
    (message.data as { body: string }).body,
    'Her er mer informasjon.',
    'the quoted history is trimmed from what is shown',
  );
  const raw = await db
    .selectFrom('inbound_mail')
    .select(['raw', 'status'])
    .where('message_id', '=', '<second@demoetaten.no>')
    .executeTakeFirstOrThrow();
  t.match(raw.raw.toString(), 'Vi har mottatt saken din', 'and kept in the original');
  t.equal(raw.status, 'appended');

  await db.updateTable('cases').set({ status: 'closed' }).execute();
  await send({
    from: 'ola@demoetaten.no',
    subject: `SV: [Sak ${created!.number}]`,
    text: 'Dette er ikke løst.',
    messageId: '<third@demoetaten.no>',
  });
  t.equal((await cases(db))[0]!.status, 'active', 'a reply by subject token reopens a closed case');

  const ola = await login('ola@demoetaten.no');
  t.match(text((await ola.get(`/cases/${created!.number}`)).body), 'Kanal E-post');
});

t.test("re-delivery, robots, strangers and other agencies' case numbers", async (t) => {
  const { db, send, login } = await setup(t);
  const mail = { from: 'ola@demoetaten.no', subject: 'Reiseregning', text: 'Tekst', messageId: '<same@demoetaten.no>' };
  await send(mail);
  await send(mail);
  t.equal((await cases(db)).length, 1, 'the same Message-ID twice makes one case');
  t.equal((await db.selectFrom('inbound_mail').select('id').execute()).length, 1);

  await send({
    from: 'ola@demoetaten.no',
    subject: 'Fraværende: Reiseregning',
    text: 'Jeg er på ferie',
    headers: { 'Auto-Submitted': 'auto-replied' },
    messageId: '<auto@demoetaten.no>',
  });
  t.equal((await cases(db)).length, 2);
  t.equal(
    (await db.selectFrom('outbox').select('id').where('kind', '=', 'case_acknowledgement').execute()).length,
    1,
    'an automatic mail gets no acknowledgement',
  );

  await send({
    from: 'stranger@example.com',
    subject: 'Hei',
    text: 'Hvem er dere?',
    messageId: '<stranger@example.com>',
  });
  const stranger = await db
    .selectFrom('inbound_mail')
    .select(['status', 'reason'])
    .where('message_id', '=', '<stranger@example.com>')
    .executeTakeFirstOrThrow();
  t.same(
    stranger,
    { status: 'case_created', reason: 'unknown_sender' },
    "an unknown sender's mail becomes a case to link",
  );
  t.equal(
    (await db.selectFrom('outbox').select('id').where('recipient', '=', 'stranger@example.com').execute()).length,
    0,
    'and gets no answer',
  );

  const ola = await login('ola@demoetaten.no');
  const olaCase = String((await submitCase(ola, enquiry('regnskap', 'Olas egen sak', 'Tekst'))).headers.location)
    .split('/')
    .pop()!;
  await send({
    from: 'per@testdirektoratet.no',
    to: 'regnskap@kundesenter.no',
    subject: `Re: [Sak ${olaCase}] noe`,
    text: 'Forsøk på å skrive i en annens sak',
    messageId: '<per@testdirektoratet.no>',
  });
  const olaEvents = await db
    .selectFrom('case_events')
    .innerJoin('cases', 'cases.id', 'case_events.case_id')
    .select('case_events.kind')
    .where('cases.number', '=', olaCase)
    .execute();
  t.same(
    olaEvents.map((e) => e.kind),
    ['created'],
    'a case the sender cannot see is not touched',
  );
  const perCase = (await cases(db)).at(-1)!;
  t.equal(perCase.requester_name, 'Per Hansen', 'the mail became a case of his own instead');

  await t.rejects(
    send({ from: 'ola@demoetaten.no', to: 'nobody@kundesenter.no', subject: 'x', text: 'y' }),
    'an unknown receiving address is refused in SMTP',
  );

  const siri = await login('siri@kundesenter.no');
  const log = text((await siri.get('/work/mail')).body);
  t.match(log, 'stranger@example.com');
  t.match(
    log,
    'avsenderen er ikke en kjent bruker: saken må kobles til en kunde (ingen svar er sendt)',
    'caseworkers see what happened and why',
  );
  t.equal((await ola.get('/work/mail')).statusCode, 403);
});

t.test(
  'mail from an unknown sender is a case only the centre sees until a caseworker links it to a customer',
  async (t) => {
    const { db, send, login } = await setup(t);
    await send({
      from: 'Lise Lønn <lise@demoetaten.no>',
      subject: 'Feil i lønn',
      text: 'Jeg har fått feil lønn i november.',
      messageId: '<lise@demoetaten.no>',
    });
    const created = await db
      .selectFrom('cases')
      .select(['number', 'requester_id', 'agency_id', 'sender_address', 'requester_name'])
      .executeTakeFirstOrThrow();
    t.same(created, {
      number: created.number,
      requester_id: null,
      agency_id: null,
      sender_address: 'lise@demoetaten.no',
      requester_name: 'lise@demoetaten.no',
    });
    t.equal(
      (await db.selectFrom('outbox').select('id').execute()).length,
      0,
      'no acknowledgement to an address nobody has',
    );

    const ola = await login('ola@demoetaten.no');
    t.equal(
      (await ola.get(`/cases/${created.number}`)).statusCode,
      404,
      'no customer sees it, not even one of the same domain',
    );
    t.notMatch(text((await ola.get('/cases?scope=agency')).body), 'Feil i lønn');

    const siri = await login('siri@kundesenter.no');
    const queue = text((await siri.get('/work?queue=unlinked')).body);
    t.match(queue, 'Feil i lønn', 'the caseworker finds it in the unknown-sender queue');
    t.match(queue, 'Feil i lønn Ikke koblet til kunde', 'marked where the agency would be');
    const page = await siri.get(`/cases/${created.number}`);
    const shown = text(page.body);
    t.match(shown, 'Ikke koblet til kunde');
    t.match(shown, 'Saken kom på e-post fra lise@demoetaten.no, som ingen bruker har.');
    t.match(
      shown,
      'Ola Nordmann (ola@demoetaten.no), Demoetaten',
      "customers of the sender's domain are offered first",
    );
    const version = /name="version" value="(\d+)"/.exec(page.body)![1]!;

    const answered = await siri.post(`/cases/${created.number}/messages`, {
      kind: 'answer',
      message: 'Hei Lise',
      version,
    });
    t.equal(answered.statusCode, 422, 'an answer needs a customer to go to');
    t.match(text(answered.body), 'Koble den til en kunde før du svarer.');
    t.equal(
      (
        await siri.post(`/cases/${created.number}/messages`, {
          kind: 'internal_note',
          message: 'Sjekker hvem dette er',
          version,
        })
      ).statusCode,
      303,
      'an internal note is fine',
    );

    const ids = await db
      .selectFrom('users')
      .innerJoin('agency_members', 'agency_members.user_id', 'users.id')
      .select(['users.id', 'users.email', 'agency_members.agency_id'])
      .execute();
    const olaIds = ids.find((u) => u.email === 'ola@demoetaten.no')!;
    const perIds = ids.find((u) => u.email === 'per@testdirektoratet.no')!;
    await siri.get(`/cases/${created.number}`);
    const current = async () =>
      /name="version" value="(\d+)"/.exec((await siri.get(`/cases/${created.number}`)).body)![1]!;
    t.equal(
      (await siri.post(`/cases/${created.number}/customer`, { customer: 'noen', version: await current() })).statusCode,
      422,
      'a tampered choice is refused',
    );
    const wrongAgency = await siri.post(`/cases/${created.number}/customer`, {
      customer: `${olaIds.id}:${perIds.agency_id}`,
      version: await current(),
    });
    t.equal(wrongAgency.statusCode, 422);
    t.match(text(wrongAgency.body), 'Kunden hører ikke til den valgte virksomheten.');
    t.equal(
      (
        await siri.post(`/cases/${created.number}/customer`, {
          customer: `${olaIds.id}:${olaIds.agency_id}`,
          version: '1',
        })
      ).statusCode,
      409,
      'a link based on an older version is refused',
    );
    t.equal(
      (await db.selectFrom('cases').select('requester_id').executeTakeFirstOrThrow()).requester_id,
      null,
      'nothing changed by the refusals',
    );

    t.equal(
      (await ola.post(`/cases/${created.number}/customer`, { customer: `${olaIds.id}:${olaIds.agency_id}` }))
        .statusCode,
      403,
      'a customer cannot claim it: refused before the case is even looked up',
    );
    const linked = await siri.post(`/cases/${created.number}/customer`, {
      customer: `${olaIds.id}:${olaIds.agency_id}`,
      version: await current(),
    });
    t.equal(linked.statusCode, 303);
    t.match(text((await siri.get(`/cases/${created.number}`)).body), 'Saken ble koblet til kunden av Siri');
    const ack = await db.selectFrom('outbox').select(['recipient', 'kind']).executeTakeFirstOrThrow();
    t.same(
      ack,
      { recipient: 'ola@demoetaten.no', kind: 'case_acknowledgement' },
      'the customer gets the acknowledgement now',
    );
    t.match(text((await ola.get(`/cases/${created.number}`)).body), 'Feil i lønn', 'and sees the case');
    t.equal(
      (
        await siri.post(`/cases/${created.number}/customer`, {
          customer: `${perIds.id}:${perIds.agency_id}`,
          version: await current(),
        })
      ).statusCode,
      409,
      'a linked case is not linked again',
    );
  },
);

t.test('a crash in the middle of turning a mail into a case loses nothing and makes one case on restart', async (t) => {
  const { db, config } = await build(t);
  // The listener runs in a child process; holding the case-number counter makes its processing wait
  // half-way (the mail claimed, the case not yet written), and there the child is killed.
  await sql`INSERT INTO case_number_counters (year, last_value) VALUES (extract(year FROM now() AT TIME ZONE 'Europe/Oslo'), 0) ON CONFLICT DO NOTHING`.execute(
    db,
  );
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let locked!: () => void;
  const isLocked = new Promise<void>((resolve) => (locked = resolve));
  const holder = db.transaction().execute(async (trx) => {
    await sql`SELECT * FROM case_number_counters FOR UPDATE`.execute(trx);
    locked();
    await held;
  });
  await isLocked;

  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/inbound-listener.ts'], {
    env: { ...process.env, DATABASE_URL: config.databaseUrl },
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  t.teardown(() => child.kill('SIGKILL'));
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /listening (\d+)/.exec(chunk.toString());
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', () => reject(new Error('the listener exited')));
  });
  const transport = gatewayTransport(port);
  await transport.sendMail({
    from: 'ola@demoetaten.no',
    to: 'lonn@kundesenter.no',
    subject: 'Midt i behandlingen',
    text: 'Tekst',
    messageId: '<crash@demoetaten.no>',
  });
  // Accepted (250) means stored; now wait until the child's processing waits for the counter.
  let halfWay = false;
  for (let i = 0; i < 200 && !halfWay; i++) {
    const { waiting } = await sql<{
      waiting: number;
    }>`SELECT count(*)::int AS waiting FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`
      .execute(db)
      .then((r) => r.rows[0]!);
    halfWay = waiting > 0;
    if (!halfWay) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.ok(halfWay, 'the listener was half-way through the mail when it was killed');
  child.kill('SIGKILL');
  await exited;
  release();
  await holder;

  const stored = await db.selectFrom('inbound_mail').select(['status', 'attempts']).executeTakeFirstOrThrow();
  t.same(stored, { status: 'pending', attempts: 0 }, 'the mail is kept, waiting');
  t.equal((await db.selectFrom('cases').select('id').execute()).length, 0, 'and nothing of the half-made case remains');

  // Restarted, and with two processes at it at once: one case.
  const settings = inboundSettings(config, { port: 0, host: '127.0.0.1' });
  const first = inboundProcessor(db, settings);
  const second = inboundProcessor(db, settings);
  t.teardown(() => Promise.all([first.close(), second.close()]));
  await Promise.all([first.drain(), second.drain()]);
  t.same(
    (await db.selectFrom('cases').select('title').execute()).map((c) => c.title),
    ['Midt i behandlingen'],
    'processed once on restart',
  );
  t.equal((await db.selectFrom('inbound_mail').select('status').executeTakeFirstOrThrow()).status, 'case_created');
  t.equal(
    (await db.selectFrom('outbox').select('id').where('kind', '=', 'case_acknowledgement').execute()).length,
    1,
    'one acknowledgement',
  );
});

t.test('charsets, national identity numbers in subjects, and attachments by the upload rules', async (t) => {
  const { db, send } = await setup(t);
  const raw = [
    'From: Kari Nordmann <kari@demoetaten.no>',
    'To: lonn@kundesenter.no',
    'Subject: =?ISO-8859-1?Q?L=F8nn_for_13097248022?=',
    'Message-ID: <latin1@demoetaten.no>',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=ISO-8859-1',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'Gjelder l=F8nn for =E6rlig ansatt.',
    '',
  ].join('\r\n');
  await send({ envelope: { from: 'kari@demoetaten.no', to: ['lonn@kundesenter.no'] }, raw });
  const [fromLatin1] = await cases(db);
  t.equal(fromLatin1!.title, 'Lønn for ***********', 'decoded, and the number masked in the title');
  t.equal(fromLatin1!.body, 'Gjelder lønn for ærlig ansatt.');

  await send({
    from: 'kari@demoetaten.no',
    subject: 'Med vedlegg',
    text: 'Se vedlagt.',
    messageId: '<files@demoetaten.no>',
    attachments: [
      { filename: 'bilag.pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n') },
      { filename: 'program.pdf', content: Buffer.concat([Buffer.from('MZ'), Buffer.alloc(100, 0x90)]) },
    ],
  });
  const withFiles = (await cases(db)).at(-1)!;
  const files = await db.selectFrom('attachments').select('filename').where('case_id', '=', withFiles.id).execute();
  t.same(
    files.map((f) => f.filename),
    ['bilag.pdf'],
    'the allowed file is kept',
  );
  t.match(withFiles.body, 'Vedlegg i e-posten som ikke ble tatt imot:');
  t.match(
    withFiles.body,
    'Filen «program.pdf» har en filtype vi ikke tar imot',
    'the refused one is named with the reason',
  );
});

t.test('quoted history and signatures are trimmed', async (t) => {
  t.equal(trimQuoted('Takk!\n\nOn Mon, 23 Nov 2026 at 10:00, Kundesenter wrote:\n> tidligere'), 'Takk!');
  t.equal(trimQuoted('Svar her\n-----Original Message-----\nFrom: x'), 'Svar her');
  t.equal(trimQuoted('Hei\n--\nOla Nordmann\nDemoetaten'), 'Hei');
  t.equal(trimQuoted('Ingen sitat'), 'Ingen sitat');
});

t.test('a bounce of our own mail marks the address for caseworkers; a fake one marks nothing', async (t) => {
  const app = await build(t);
  const inbound = await startInboundSmtp(app.db, {
    ...inboundSettings(app.config, { port: 0, host: '127.0.0.1' }),
    returnPath: 'noreply@kundesenter.no',
  });
  t.teardown(() => inbound.close());
  const transport = gatewayTransport(inbound.port);
  const ola = await app.login('ola@demoetaten.no');
  const path = String((await submitCase(ola, enquiry('lonn', 'Sak med varsel', 'Tekst'))).headers.location);
  const ack = await app.db.selectFrom('outbox').select('id').executeTakeFirstOrThrow();
  const dsn = (messageId: string) =>
    [
      'From: Mail Delivery System <MAILER-DAEMON@mx.demoetaten.no>',
      'To: noreply@kundesenter.no',
      'Subject: Undelivered Mail Returned to Sender',
      `Message-ID: <dsn-${messageId}@mx.demoetaten.no>`,
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'Your message could not be delivered.',
      '--b',
      'Content-Type: message/delivery-status',
      '',
      'Reporting-MTA: dns; mx.demoetaten.no',
      '',
      'Final-Recipient: rfc822; ola@demoetaten.no',
      'Action: failed',
      'Status: 5.1.1',
      'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
      '--b',
      'Content-Type: text/rfc822-headers',
      '',
      `Message-ID: ${messageId}`,
      'Subject: Vi har mottatt saken din',
      '--b--',
      '',
    ].join('\r\n');
  const report = async (to: string, messageId: string) => {
    // Each report its own (a Message-ID per recipient): the same report again would be a re-delivery.
    const raw = dsn(messageId).replace('Message-ID: <dsn-', `Message-ID: <dsn-${to.replace('@', '.')}-`);
    await transport.sendMail({ envelope: { from: '', to: [to] }, raw });
    await inbound.drain();
    return (await app.db.selectFrom('mail_failures').select('address').execute()).length;
  };
  const genuineId = messageIdOf(app.config.mailTokenKeys, ack.id, '127.0.0.1');
  t.equal(await report('noreply@kundesenter.no', genuineId), 0, 'a report to the plain return path marks nothing');
  t.equal(
    await report(`bounce+${ack.id}-${'a'.repeat(26)}@kundesenter.no`, genuineId),
    0,
    'a report to a forged bounce address marks nothing',
  );
  const kept = await app.db
    .selectFrom('inbound_mail')
    .select(['status', 'reason'])
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  t.same(kept, { status: 'refused', reason: 'not_a_bounce' }, 'and is kept for inspection');
  t.equal(
    await report(bounceAddress(app.config.mailTokenKeys, ack.id, 'kundesenter.no'), '<anything@else>'),
    1,
    "a report to that mail's own return path marks its recipient",
  );
  const failure = await app.db.selectFrom('mail_failures').select(['address', 'last_reason']).executeTakeFirstOrThrow();
  t.same(failure, { address: 'ola@demoetaten.no', last_reason: 'smtp; 550 5.1.1 User unknown' });
  t.equal((await app.db.selectFrom('cases').select('id').execute()).length, 1, 'a bounce is never a case');
  const siri = await app.login('siri@kundesenter.no');
  t.match(text((await siri.get(path)).body), 'E-post til kunden kommer i retur');
});

t.test('malformed, oversized and header-injecting mail is handled without harm', async (t) => {
  const app = await build(t);
  const inbound = await startInboundSmtp(app.db, {
    ...inboundSettings(app.config, { port: 0, host: '127.0.0.1' }),
    maxMessageBytes: 20_000,
  });
  t.teardown(() => inbound.close());
  const transport = gatewayTransport(inbound.port);
  const envelope = { from: 'ola@demoetaten.no', to: ['lonn@kundesenter.no'] };

  await transport.sendMail({ envelope, raw: 'this is not\r\na mail at all\r\n\r\n--broken--boundary\r\n' });
  await inbound.drain();
  const kept = await app.db.selectFrom('inbound_mail').select(['status', 'raw']).executeTakeFirstOrThrow();
  t.match(kept.raw.toString(), 'this is not', 'the raw message is kept');
  t.equal(
    kept.status,
    'case_created',
    'a known envelope sender still gets a case, with placeholders for what is missing',
  );

  await t.rejects(
    transport.sendMail({ envelope, raw: `Subject: stor\r\n\r\n${'x'.repeat(30_000)}` }),
    'an oversized mail is refused in SMTP',
  );

  const injected = Buffer.from('Hei\r\nBcc: alle@example.com').toString('base64');
  await transport.sendMail({
    envelope,
    raw: `From: ola@demoetaten.no\r\nTo: lonn@kundesenter.no\r\nSubject: =?UTF-8?B?${injected}?=\r\nMessage-ID: <inj@demoetaten.no>\r\n\r\nTekst\r\n`,
  });
  await inbound.drain();
  const title = (await app.db.selectFrom('cases').select('title').orderBy('id', 'desc').executeTakeFirstOrThrow())
    .title;
  t.notMatch(title, /[\r\n]/, 'no line breaks reach the title (nor any header we write)');
  t.match(title, 'Hei');
});

t.test('a corpus of odd real-world MIME shapes: each becomes a readable case', async (t) => {
  const { db, inbound } = await setup(t);
  const transport = gatewayTransport(inbound.port);
  for (const sample of mimeCorpus) {
    const headers = sample.raw.toString('latin1');
    const from = /^From:.*?([\w.]+@[\w.]+)/m.exec(headers)![1]!;
    const to = /^To:.*?([\w.]+@[\w.]+)/m.exec(headers)![1]!;
    await transport.sendMail({ envelope: { from, to: [to] }, raw: sample.raw });
    await inbound.drain();
    const created = await db
      .selectFrom('cases')
      .select(['id', 'title', 'body'])
      .orderBy('id', 'desc')
      .executeTakeFirst();
    const files = created
      ? await db.selectFrom('attachments').select('filename').where('case_id', '=', created.id).orderBy('id').execute()
      : [];
    t.same(
      { title: created?.title, hasBody: created?.body.includes(sample.body), files: files.map((f) => f.filename) },
      { title: sample.title, hasBody: true, files: sample.files ?? [] },
      sample.name,
    );
    t.notMatch(created?.body ?? '', /<script|alert\(1\)|<p>/, `${sample.name}: no markup in the description`);
    await db.updateTable('inbound_mail').set({ status: 'refused' }).where('status', '=', 'pending').execute();
  }
  t.equal(
    (await db.selectFrom('inbound_mail').select('id').where('status', '=', 'case_created').execute()).length,
    mimeCorpus.length,
    'every one processed, none left failing',
  );
});

t.test('a database that cannot be reached is a temporary failure (451): the sending server tries again', async (t) => {
  // A PostgreSQL address nobody listens on: every query fails as it does during an outage.
  const unreachable = createDb(`postgres://nobody@127.0.0.1:${await freePort()}/nothing`, { max: 1 });
  t.teardown(() => unreachable.destroy());
  const inbound = await startInboundSmtp(unreachable, {
    port: 0,
    host: '127.0.0.1',
    publicUrl: new URL('http://127.0.0.1:3000/'),
    limits: { fileBytes: 1024 * 1024, caseBytes: 1024 * 1024 },
    senderCheck: { mode: 'off', authservId: '', trustedRelays: [] },
    tokenKeys: ['a-test-key-of-at-least-32-bytes-long'],
    process: false,
  });
  t.teardown(() => inbound.close());
  const transport = gatewayTransport(inbound.port);
  const error = await transport
    .sendMail({ from: 'ola@demoetaten.no', to: 'lonn@kundesenter.no', subject: 'Hei', text: 'Tekst' })
    .catch((e: { responseCode?: number }) => e);
  t.equal((error as { responseCode?: number }).responseCode, 451, 'not the permanent 550 that bounces the mail');
});

t.test('the listener keeps nothing past its size limit and limits connections per address', async (t) => {
  const { db, config } = await build(t);
  const inbound = await startInboundSmtp(db, {
    ...inboundSettings(config, { port: 0, host: '127.0.0.1' }),
    maxMessageBytes: 256 * 1024,
    connectionsPerMinute: 3,
    process: false,
  });
  t.teardown(() => inbound.close());
  const send = (text: string) =>
    nodemailer
      .createTransport({ host: '127.0.0.1', port: inbound.port, secure: false, ignoreTLS: true })
      .sendMail({ from: 'ola@demoetaten.no', to: 'lonn@kundesenter.no', subject: 'Stor', text })
      .then(() => 250)
      .catch((error: { responseCode?: number }) => error.responseCode ?? 0);
  t.equal(await send('x'.repeat(1024 * 1024)), 552, 'a mail over the limit is refused as too large');
  const stored = await db.selectFrom('inbound_mail').select(['status', 'reason']).execute();
  t.ok(
    stored.every((row) => row.reason === 'too_large' || row.status !== 'received'),
    'nothing of it is taken in',
  );
  t.equal(await send('liten'), 250);
  t.equal(await send('liten'), 250);
  t.equal(await send('en for mye'), 421, 'the fourth connection in a minute from one address is told to come back');
});
