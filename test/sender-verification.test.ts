// Who sent it, checked for real and offline: mail signed with mailauth's DKIM signer and a test key,
// SPF, DKIM and DMARC records served to mailauth by the test's own resolver, and the gateway's
// Authentication-Results believed only from the gateway. Forged senders and tokens change nothing:
// their mail is held for a caseworker, who releases or discards it.
import { generateKeyPairSync } from 'node:crypto';
import { dkimSign } from 'mailauth';
import t from 'tap';
import { inboundSettings, startInboundSmtp } from '../src/mail/inbound.js';
import { replyToken, withToken } from '../src/mail/tokens.js';
import type { DnsResolver } from '../src/mail/verdict.js';
import { gatewayTransport, gatewayVerified, plainTransport } from './gateway.js';
import { build, enquiry, mailbox, submitCase, text } from './helpers.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const dkimRecord = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;

/** The test's DNS: Demoetaten signs with DKIM and sends from elsewhere; Testdirektoratet sends from here. */
const records: Record<string, string[]> = {
  'sel._domainkey.demoetaten.no': [dkimRecord],
  '_dmarc.demoetaten.no': ['v=DMARC1; p=reject'],
  'demoetaten.no': ['v=spf1 ip4:192.0.2.1 -all'],
  '_dmarc.testdirektoratet.no': ['v=DMARC1; p=reject'],
  'testdirektoratet.no': ['v=spf1 ip4:127.0.0.1 -all'],
};
const resolver: DnsResolver = async (name, type) => {
  const found = type === 'TXT' ? records[name.toLowerCase()] : undefined;
  if (found) return found.map((record) => [record]);
  throw Object.assign(new Error(`${type} ${name}: not found`), { code: 'ENOTFOUND' });
};

const message = (from: string, to: string, subject: string, body: string, messageId: string) =>
  [
    `From: ${from}`,
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: <${messageId}>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n');

async function signed(raw: string): Promise<string> {
  const { signatures } = await dkimSign(raw, {
    signatureData: [
      {
        signingDomain: 'demoetaten.no',
        selector: 'sel',
        privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }),
      },
    ],
  } as Parameters<typeof dkimSign>[1]);
  return signatures + raw;
}

async function mailauthSetup(t: Parameters<typeof build>[0]) {
  const app = await build(t);
  const inbound = await startInboundSmtp(
    app.db,
    inboundSettings(app.config, {
      port: 0,
      host: '127.0.0.1',
      senderCheck: { mode: 'mailauth', authservId: 'mx.kundesenter.test', trustedRelays: [] },
      resolver,
    }),
  );
  t.teardown(() => inbound.close());
  const transport = plainTransport(inbound.port);
  const send = async (from: string, raw: string) => {
    await transport.sendMail({ envelope: { from, to: ['lonn@kundesenter.no'] }, raw });
    await inbound.drain();
    return app.db
      .selectFrom('inbound_mail')
      .select(['status', 'verdict', 'verdict_reason', 'case_id'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
  };
  return { ...app, send };
}

t.test('mailauth: DKIM, SPF and DMARC decide, with records served by the test', async (t) => {
  const { send, db } = await mailauthSetup(t);
  const good = await send(
    'ola@demoetaten.no',
    await signed(message('ola@demoetaten.no', 'lonn@kundesenter.no', 'Signert', 'Hei fra Ola', 'a1@demoetaten.no')),
  );
  t.match(good, { verdict: 'verified', verdict_reason: /dmarc=pass/, status: 'case_created' }, 'DKIM pass');
  const acknowledged = await db.selectFrom('outbox').select('recipient').execute();
  t.same(
    acknowledged.map((row) => row.recipient),
    ['ola@demoetaten.no'],
    'the verified customer is acknowledged',
  );

  const tampered = (
    await signed(message('ola@demoetaten.no', 'lonn@kundesenter.no', 'Signert', 'Hei fra Ola', 'a2@demoetaten.no'))
  ).replace('Hei fra Ola', 'Betal til konto 1234');
  t.match(await send('ola@demoetaten.no', tampered), { verdict: 'failed', status: 'held' }, 'a tampered body fails');

  const spfPass = message('per@testdirektoratet.no', 'lonn@kundesenter.no', 'SPF', 'Hei fra Per', 'b1@td.no');
  t.match(
    await send('per@testdirektoratet.no', spfPass),
    { verdict: 'verified', status: 'case_created' },
    'SPF pass for the connecting address, aligned with From',
  );
  const spfFail = message('kari@demoetaten.no', 'lonn@kundesenter.no', 'Usignert', 'Hei fra Kari', 'c1@demoetaten.no');
  t.match(
    await send('kari@demoetaten.no', spfFail),
    { verdict: 'failed', verdict_reason: /dmarc=fail \(p=reject\)/, status: 'held' },
    'SPF fails for this address and nothing is signed: DMARC p=reject fails',
  );
  const unknownDomain = message('ukjent@eksempel.no', 'lonn@kundesenter.no', 'Hei', 'Tekst', 'd1@eksempel.no');
  t.match(
    await send('ukjent@eksempel.no', unknownDomain),
    { verdict: 'unverified', status: 'case_created', case_id: /\d+/ },
    'no policy and no signature: unverified, a stranger still gets an unlinked case',
  );
  t.equal((await db.selectFrom('outbox').select('id').execute()).length, 2, 'and no acknowledgement goes to them');
});

t.test('gateway: only our authserv-id, only from the gateway', async (t) => {
  const app = await build(t);
  const start = async (trustedRelays: string[]) => {
    const inbound = await startInboundSmtp(
      app.db,
      inboundSettings(app.config, {
        port: 0,
        host: '127.0.0.1',
        senderCheck: { mode: 'gateway', authservId: 'mx.kundesenter.test', trustedRelays },
      }),
    );
    t.teardown(() => inbound.close());
    return inbound;
  };
  const fromHere = await start(['127.0.0.1']);
  const elsewhere = await start(['192.0.2.0/24']);
  // Waits for the listener the message went to: draining the other one left the message still pending.
  const send = async (inbound: typeof fromHere, header: string, id: string) => {
    const transport = plainTransport(inbound.port);
    const raw = `Authentication-Results: ${header}\r\n${message('ola@demoetaten.no', 'lonn@kundesenter.no', 'Hei', 'Tekst', id)}`;
    await transport.sendMail({ envelope: { from: 'ola@demoetaten.no', to: ['lonn@kundesenter.no'] }, raw });
    await inbound.drain();
    return app.db
      .selectFrom('inbound_mail')
      .select(['status', 'verdict', 'verdict_reason'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
  };
  t.match(await send(fromHere, gatewayVerified('ola@demoetaten.no'), 'g1@x'), {
    verdict: 'verified',
    status: 'case_created',
  });
  t.match(
    await send(fromHere, 'mx.evil.example; dmarc=pass header.from=demoetaten.no', 'g2@x'),
    { verdict: 'unverified', verdict_reason: 'no_gateway_result', status: 'held' },
    'another authserv-id is ignored',
  );
  t.match(
    await send(elsewhere, gatewayVerified('ola@demoetaten.no'), 'g3@x'),
    { verdict: 'unverified', verdict_reason: 'not_from_gateway', status: 'held' },
    'our authserv-id from an address that is not the gateway is ignored',
  );
  t.match(
    await send(fromHere, 'mx.kundesenter.test; dmarc=fail (p=reject) header.from=demoetaten.no', 'g4@x'),
    { verdict: 'failed', status: 'held' },
    'a failure the gateway reports',
  );
});

t.test('replies find their case by the Reply-To token; a forged sender with a real token is held', async (t) => {
  const inbox = await mailbox(t);
  const app = await build(t, { smtpUrl: inbox.url });
  const inbound = await startInboundSmtp(app.db, inboundSettings(app.config, { port: 0, host: '127.0.0.1' }));
  t.teardown(() => inbound.close());
  const ola = await app.login('ola@demoetaten.no');
  const created = await submitCase(ola, enquiry('lonn', 'Feriepenger', 'Når kommer de?'));
  const path = String(created.headers.location);
  const ack = await inbox.waitFor((mail) => JSON.stringify(mail.to ?? '').includes('ola@demoetaten.no'));
  const replyTo = ack.replyTo?.value[0]?.address ?? '';
  t.match(replyTo, /^lonn\+\d+-[a-z2-7]{26}@kundesenter\.no$/, 'the notice says where to answer, with a token');

  // A forger knows the token (say, from a forwarded notice) but cannot pass as Ola.
  const forger = plainTransport(inbound.port);
  await forger.sendMail({
    envelope: { from: 'attacker@evil.example', to: [replyTo] },
    raw: message('Ola Nordmann <ola@demoetaten.no>', replyTo, 'Re: kvittering', 'Endre kontonummer', 'f1@evil'),
  });
  await inbound.drain();
  const held = await app.db
    .selectFrom('inbound_mail')
    .select(['id', 'status'])
    .orderBy('id', 'desc')
    .executeTakeFirstOrThrow();
  t.equal(held.status, 'held', 'held');
  t.notMatch(text((await ola.get(path)).body), 'Endre kontonummer', 'nothing was added to the case');

  // Ola answers the notice from his own mail: no case number in the subject, only the token.
  await gatewayTransport(inbound.port).sendMail({
    from: 'ola@demoetaten.no',
    to: replyTo,
    subject: 'Re: Vi har mottatt henvendelsen',
    text: 'Takk, jeg venter.',
  });
  await inbound.drain();
  t.match(text((await ola.get(path)).body), 'Takk, jeg venter.', 'the answer landed in the case');

  // A token for another case id, or one made with another key, leads nowhere.
  const { id: caseId } = await app.db.selectFrom('cases').select('id').executeTakeFirstOrThrow();
  const wrongKey = withToken('lonn@kundesenter.no', replyToken(['another-key-of-at-least-32-bytes-xx'], caseId));
  await gatewayTransport(inbound.port).sendMail({
    from: 'ola@demoetaten.no',
    to: wrongKey,
    subject: 'Hei',
    text: 'Ny',
  });
  await inbound.drain();
  t.equal((await app.db.selectFrom('cases').select('id').execute()).length, 2, 'it becomes a new case of his own');

  // A caseworker reads the held mail and decides.
  const siri = await app.login('siri@kundesenter.no');
  const list = await siri.get('/work/mail');
  t.match(text(list.body), 'Uverifisert avsender');
  t.match(text(list.body), 'e-postporten har ikke kontrollert avsenderen', 'with the reason, in words');
  const noReason = await siri.post(`/work/mail/${held.id}/release`, { into: 'case', reason: '' });
  t.equal(noReason.statusCode, 422, 'a decision needs a reason');
  t.match(text(noReason.body), 'Skriv en begrunnelse');
  const released = await siri.post(`/work/mail/${held.id}/release`, {
    into: 'case',
    reason: 'Ringt Ola, han sendte den',
  });
  t.equal(released.statusCode, 303);
  t.equal(released.headers.location, path, 'into the case the token names');
  t.match(text((await ola.get(path)).body), 'Endre kontonummer');
  const audit = await app.db
    .selectFrom('audit_log')
    .select(['action', 'details'])
    .where('action', '=', 'mail.release')
    .executeTakeFirstOrThrow();
  t.match(audit.details, { reason: 'Ringt Ola, han sendte den', into: 'case' });
  const again = await siri.post(`/work/mail/${held.id}/discard`, { reason: 'For sent' });
  t.equal(again.statusCode, 404, 'a mail decided once is not held any more');
});

t.test('a re-delivery is ignored; a different mail reusing a Message-ID is processed', async (t) => {
  const app = await build(t);
  const inbound = await startInboundSmtp(app.db, inboundSettings(app.config, { port: 0, host: '127.0.0.1' }));
  t.teardown(() => inbound.close());
  const transport = gatewayTransport(inbound.port);
  const send = async (from: string, body: string) => {
    await transport.sendMail({ from, to: 'lonn@kundesenter.no', subject: 'Hei', text: body, messageId: '<same@x>' });
    await inbound.drain();
  };
  await send('ola@demoetaten.no', 'Første');
  await send('ola@demoetaten.no', 'Første');
  t.equal((await app.db.selectFrom('cases').select('id').execute()).length, 1, 'the same mail twice: one case');
  await send('kari@demoetaten.no', 'Noe helt annet');
  await send('ola@demoetaten.no', 'Andre tekst');
  t.equal(
    (await app.db.selectFrom('cases').select('id').execute()).length,
    3,
    'another sender or another body with the same Message-ID: each is a case',
  );
});

t.test('discarding a held mail adds nothing and keeps it for the record', async (t) => {
  const app = await build(t);
  const inbound = await startInboundSmtp(app.db, inboundSettings(app.config, { port: 0, host: '127.0.0.1' }));
  t.teardown(() => inbound.close());
  const forger = plainTransport(inbound.port);
  await forger.sendMail({ from: 'kari@demoetaten.no', to: 'lonn@kundesenter.no', subject: 'Falsk', text: 'Falsk' });
  await inbound.drain();
  const held = await app.db.selectFrom('inbound_mail').select(['id', 'status']).executeTakeFirstOrThrow();
  t.equal(held.status, 'held', 'a customer address without verification is held');
  t.equal((await app.db.selectFrom('outbox').select('id').execute()).length, 0, 'and nobody is written to');
  const siri = await app.login('siri@kundesenter.no');
  await siri.get('/work/mail');
  const discarded = await siri.post(`/work/mail/${held.id}/discard`, { reason: 'Forfalsket avsender' });
  t.equal(discarded.statusCode, 303);
  const row = await app.db
    .selectFrom('inbound_mail')
    .select(['status', 'decision_reason', 'raw'])
    .executeTakeFirstOrThrow();
  t.match(row, { status: 'discarded', decision_reason: 'Forfalsket avsender' });
  t.ok(row.raw.length > 0, 'the raw message is kept');
  t.equal((await app.db.selectFrom('cases').select('id').execute()).length, 0, 'no case');
  const customer = await app.login('kari@demoetaten.no');
  t.equal((await customer.get('/work/mail')).statusCode, 403, 'customers never see the incoming-mail list');
});

t.test('mail to the no-reply address gets one short answer a day, to verified people only', async (t) => {
  const app = await build(t);
  const inbound = await startInboundSmtp(app.db, inboundSettings(app.config, { port: 0, host: '127.0.0.1' }));
  t.teardown(() => inbound.close());
  const verified = gatewayTransport(inbound.port);
  const plain = plainTransport(inbound.port);
  const answers = async () =>
    (await app.db.selectFrom('outbox').select(['recipient', 'kind']).where('kind', '=', 'noreply_reply').execute()).map(
      (row) => row.recipient,
    );
  await verified.sendMail({
    from: 'ola@demoetaten.no',
    to: 'noreply@kundesenter.no',
    subject: 'Re: saken',
    text: 'Hei',
  });
  await verified.sendMail({ from: 'ola@demoetaten.no', to: 'noreply@kundesenter.no', subject: 'Igjen', text: 'Hei!' });
  await verified.sendMail({
    from: 'per@testdirektoratet.no',
    to: 'noreply@kundesenter.no',
    subject: 'Fravær',
    text: 'Jeg er borte.',
    headers: { 'Auto-Submitted': 'auto-replied' },
  });
  await plain.sendMail({ from: 'kari@demoetaten.no', to: 'noreply@kundesenter.no', subject: 'Hei', text: 'Hei' });
  await inbound.drain();
  t.same(await answers(), ['ola@demoetaten.no'], 'one answer to Ola; none to a robot or an unverified sender');
  t.equal((await app.db.selectFrom('cases').select('id').execute()).length, 0, 'nothing became a case');
  const reasons = await app.db.selectFrom('inbound_mail').select('reason').orderBy('id').execute();
  t.same(
    reasons.map((row) => row.reason),
    ['noreply_answered', 'noreply', 'noreply', 'noreply'],
  );
});
