// The outbox under a worker that is killed again and again in the middle of a burst: nothing is lost,
// and each kill repeats at most the one mail whose 250 arrived before its row was marked sent.
import { spawn } from 'node:child_process';
import t from 'tap';
import { enqueueMail } from '../src/mail/outbox.js';
import { startOutboxWorker } from '../src/mail/worker.js';
import { build, mailbox } from './helpers.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

t.test(
  'a worker killed six times during a burst of 60 mails loses none and repeats at most one per kill',
  async (t) => {
    const inbox = await mailbox(t);
    const { db, config } = await build(t);
    const mails = 60;
    await db.deleteFrom('outbox').execute();
    for (let i = 0; i < mails; i++)
      await enqueueMail(db, {
        kind: 'case_acknowledgement',
        idempotencyKey: `burst:${i}`,
        recipient: `kunde${i}@demoetaten.no`,
        language: 'nb',
        payload: { name: `Kunde ${i}`, number: `2026-${String(i).padStart(6, '0')}`, link: 'http://127.0.0.1/' },
      });

    const kills = 6;
    for (let round = 0; round < kills; round++) {
      const worker = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/outbox-worker.ts'], {
        env: { ...process.env, DATABASE_URL: config.databaseUrl, SMTP_URL: inbox.url, OUTBOX_LEASE_MS: '700' },
        stdio: 'ignore',
      });
      const exited = new Promise((resolve) => worker.once('exit', resolve));
      // Let it start and send a few, then kill it wherever it is.
      const before = inbox.received.length;
      const deadline = Date.now() + 20_000;
      while (inbox.received.length < before + 2 + round && Date.now() < deadline) await sleep(20);
      worker.kill('SIGKILL');
      await exited;
    }

    const finisher = startOutboxWorker(
      db,
      { smtpUrl: inbox.url, from: 'test@example.no', messageIdDomain: 'localhost' },
      { pollMs: 50, retryBaseMs: 100, leaseMs: 700 },
    );
    t.teardown(() => finisher.stop());
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      const pending = await db.selectFrom('outbox').select('id').where('sent_at', 'is', null).execute();
      if (pending.length === 0) break;
      await sleep(100);
    }
    await finisher.stop();

    const byMessage = new Map<string, number>();
    for (const mail of inbox.received)
      byMessage.set(mail.messageId ?? '', (byMessage.get(mail.messageId ?? '') ?? 0) + 1);
    const duplicates = inbox.received.length - byMessage.size;
    t.comment(`outbox: ${duplicates} duplicates after ${kills} kills`);
    t.equal(byMessage.size, mails, 'every mail arrived');
    t.ok(duplicates <= kills, `${duplicates} duplicates after ${kills} kills (at most one per kill)`);
    const unsent = await db.selectFrom('outbox').select('id').where('sent_at', 'is', null).execute();
    t.equal(unsent.length, 0, 'every row is marked sent');
  },
);
