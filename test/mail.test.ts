import t from 'tap';
import { osloDay } from '../src/sla/calendar.js';
import { formatDate } from '../src/web/i18n.js';
import { build, enquiry, freePort, mailbox, text } from './helpers.js';

t.test('submitting a case sends an acknowledgement with number and link, and no case content', async (t) => {
  const inbox = await mailbox(t);
  const { login, baseUrl, db } = await build(t, { smtpUrl: inbox.url });
  const kari = await login('kari@demoetaten.no');
  await kari.get('/cases/new?area=lonn&form=henvendelse');
  const created = await kari.post(
    '/cases',
    enquiry('lonn', 'Hemmelig tittel', 'Fødselsnummer 01010112345 i beskrivelsen'),
  );
  const number = String(created.headers.location).split('/').pop()!;

  const mail = await inbox.waitFor((m) => m.subject?.includes(number) ?? false);
  t.equal(mail.to && !Array.isArray(mail.to) ? mail.to.text : '', 'kari@demoetaten.no');
  t.equal(mail.subject, `Vi har mottatt saken din [Sak ${number}]`);
  t.match(mail.text, `${baseUrl}/cases/${number}`);
  t.match(mail.html || '', `href="${baseUrl}/cases/${number}"`);
  t.equal(mail.headers.get('auto-submitted'), 'auto-generated');
  t.match(String(mail.messageId), /^<outbox-\d+\.[a-z2-7]{26}@127\.0\.0\.1>$/, 'our Message-ID, with its mark');
  const { due_at } = await db
    .selectFrom('cases')
    .select('due_at')
    .where('number', '=', number)
    .executeTakeFirstOrThrow();
  t.match(mail.text, `senest ${formatDate('nb', osloDay(new Date(due_at)))}.`, 'the real deadline');
  t.match(
    (mail as unknown as { envelopeFrom: string }).envelopeFrom,
    /^bounce\+\d+-[a-z2-7]{26}@kundesenter\.no$/,
    'sent from a return path only this mail has',
  );
  for (const secret of ['Hemmelig tittel', '01010112345']) {
    t.notMatch(mail.text, secret, 'the title and description never go into e-mail');
    t.notMatch(String(mail.html), secret);
  }
  await new Promise((resolve) => setTimeout(resolve, 300));
  t.equal(inbox.received.length, 1, 'exactly one mail');
});

t.test('the acknowledgement follows the language the user works in', async (t) => {
  const inbox = await mailbox(t);
  const { login } = await build(t, { smtpUrl: inbox.url });
  const per = await login('per@testdirektoratet.no');
  await per.get('/cases');
  await per.post('/language', { language: 'en', returnTo: '/cases/new' });
  await per.get('/cases/new?area=lonn&form=henvendelse');
  await per.post('/cases', enquiry('regnskap', 'Invoice', 'Question'));
  const mail = await inbox.waitFor(() => true);
  t.match(mail.subject, 'We have received your case');
  t.match(mail.text, 'Hello, Per Hansen.');
});

t.test('an SMTP outage delays the mail but never loses it', async (t) => {
  const port = await freePort();
  const { login, db } = await build(t, { smtpUrl: `smtp://127.0.0.1:${port}` });
  const ola = await login('ola@demoetaten.no');
  await ola.get('/cases/new?area=lonn&form=henvendelse');
  const created = await ola.post('/cases', enquiry('lonn', 'Mens e-posten er nede', 'Test'));
  t.equal(created.statusCode, 303, 'the case is saved even though mail cannot be sent');

  let row;
  for (let i = 0; i < 100; i++) {
    row = await db.selectFrom('outbox').selectAll().executeTakeFirstOrThrow();
    if (row.attempts > 0) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.ok(row!.attempts > 0, 'delivery was attempted');
  t.equal(row!.sent_at, null);
  t.ok(row!.last_error, 'the error is kept');

  const inbox = await mailbox(t, port); // the mail server comes back
  const mail = await inbox.waitFor((m) => m.subject?.includes('Vi har mottatt saken din') ?? false, 15_000);
  t.ok(mail);
  let sent;
  for (let i = 0; i < 100 && !sent?.sent_at; i++) {
    sent = await db.selectFrom('outbox').select(['sent_at']).executeTakeFirstOrThrow();
    if (!sent.sent_at) await new Promise((resolve) => setTimeout(resolve, 50));
  }
  t.ok(sent?.sent_at, 'marked as sent once the server took it');
});

t.test('without SMTP_URL the mail is shown on the development mail page', async (t) => {
  const { login, db } = await build(t);
  const { startOutboxWorker } = await import('../src/mail/worker.js');
  const worker = startOutboxWorker(
    db,
    {
      smtpUrl: undefined,
      from: 'test@example.no',
      messageIdDomain: 'localhost',
      tokenKeys: ['a-test-key-of-at-least-32-bytes-long'],
    },
    { pollMs: 60_000 },
  );
  t.teardown(() => worker.stop());
  const ola = await login('ola@demoetaten.no');
  await ola.get('/cases/new?area=lonn&form=henvendelse');
  const created = await ola.post('/cases', enquiry('lonn', 'Dev', 'Dev'));
  const number = String(created.headers.location).split('/').pop()!;
  t.equal(await worker.drain(), 1);
  t.equal((await ola.get('/dev/mail')).statusCode, 403, 'customers do not see the mail of others');
  const siri = await login('siri@kundesenter.no');
  const page = await siri.get('/dev/mail');
  t.equal(page.statusCode, 200, 'centre staff do');
  t.match(text(page.body), `Vi har mottatt saken din [Sak ${number}]`);
  t.match(text(page.body), 'ola@demoetaten.no');
});

t.test('production has no development mail page', async (t) => {
  const inbox = await mailbox(t);
  const { client } = await build(t, { smtpUrl: inbox.url });
  t.equal((await client().get('/dev/mail')).statusCode, 404);
});

t.test('a worker killed in the middle of sending loses nothing, and the mail arrives once', async (t) => {
  let release!: () => void;
  let held!: () => void;
  const reachedServer = new Promise<void>((resolve) => (held = resolve));
  let hungUp!: () => void;
  const serverSawHangUp = new Promise<void>((resolve) => (hungUp = resolve));
  const inbox = await mailbox(t, 0, {
    hold: { until: new Promise<void>((resolve) => (release = resolve)), held },
    onClose: () => hungUp(),
  });
  const { login, db, config } = await build(t);
  const ola = await login('ola@demoetaten.no');
  await ola.get('/cases/new?area=lonn&form=henvendelse');
  const created = await ola.post('/cases', enquiry('lonn', 'Midt i sendingen', 'Test'));
  const number = String(created.headers.location).split('/').pop()!;

  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/outbox-worker.ts'], {
    env: { ...process.env, DATABASE_URL: config.databaseUrl, SMTP_URL: inbox.url },
    stdio: 'ignore',
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  t.teardown(() => child.kill('SIGKILL'));
  await reachedServer;
  child.kill('SIGKILL'); // the mail server has the message but has not confirmed it
  await exited;
  await serverSawHangUp;
  release();

  const row = await db.selectFrom('outbox').select(['sent_at']).executeTakeFirstOrThrow();
  t.equal(row.sent_at, null, 'an unconfirmed send is not marked as sent');

  const { startOutboxWorker } = await import('../src/mail/worker.js');
  const worker = startOutboxWorker(
    db,
    {
      smtpUrl: inbox.url,
      from: 'test@example.no',
      messageIdDomain: 'localhost',
      tokenKeys: ['a-test-key-of-at-least-32-bytes-long'],
    },
    { pollMs: 50, retryBaseMs: 100, leaseMs: 1000 },
  );
  t.teardown(() => worker.stop());
  await inbox.waitFor((m) => m.subject?.includes(number) ?? false, 15_000);
  await new Promise((resolve) => setTimeout(resolve, 500));
  await worker.drain();
  t.equal(inbox.received.filter((m) => m.subject?.includes(number)).length, 1, 'delivered exactly once');
  const sent = await db.selectFrom('outbox').select(['sent_at', 'attempts']).executeTakeFirstOrThrow();
  t.ok(sent.sent_at, 'marked as sent by the worker that finished the job');
});
