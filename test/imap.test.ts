// Incoming mail from a polled IMAP mailbox, against a real Dovecot (Debian's dovecot-imapd).
import t from 'tap';
import { build, text } from './helpers.js';
import { hasDovecot, startDovecot, type Dovecot } from './fixtures/dovecot.js';
import { startImapPoller } from '../src/mail/imap.js';
import { loadConfig, ConfigError, type ImapSettings } from '../src/config.js';
import { inboundSettings, type InboundSettings } from '../src/mail/inbound.js';
import { gatewayVerified } from './gateway.js';

if (!hasDovecot()) {
  if (process.env.REQUIRE_IMAP === '1')
    t.fail('Dovecot is required (REQUIRE_IMAP=1) but /usr/sbin/dovecot is missing: apt-get install dovecot-imapd');
  else
    t.comment(
      'skipped: Dovecot not installed (apt-get install dovecot-imapd); set REQUIRE_IMAP=1 to make this a failure',
    );
} else {
  let dovecot: Dovecot;
  t.before(async () => {
    dovecot = await startDovecot();
  });
  t.teardown(() => dovecot.stop());

  const mail = (headers: Record<string, string>, body: string) =>
    [
      ...Object.entries({
        // What the centre's mail system adds to mail it verified: the mailbox is the gateway here.
        'Authentication-Results': gatewayVerified(headers.From ?? ''),
        'MIME-Version': '1.0',
        'Content-Type': 'text/plain; charset=utf-8',
        ...headers,
      }).map(([name, value]) => `${name}: ${value}`),
      '',
      body,
      '',
    ].join('\r\n');

  const setup = async (
    t: Parameters<typeof build>[0],
    overrides: Partial<ImapSettings> = {},
    inbound: Partial<InboundSettings> = {},
  ) => {
    const app = await build(t);
    const settings: InboundSettings = inboundSettings(app.config, { port: 0, host: '127.0.0.1', ...inbound });
    const imap: ImapSettings = {
      url: dovecot.url,
      address: undefined,
      doneMailbox: 'Behandlet',
      pollSeconds: 3600,
      ...overrides,
    };
    const poller = startImapPoller(app.db, settings, imap);
    t.teardown(() => poller.close());
    return { ...app, poller, settings, imap };
  };

  t.test('mail in the mailbox becomes a case in the area it was sent to, and is moved out once stored', async (t) => {
    const { db, poller } = await setup(t, { address: 'regnskap@kundesenter.no' });
    await dovecot.deliver(
      mail(
        {
          From: 'Ola Nordmann <ola@demoetaten.no>',
          To: 'lonn@kundesenter.no',
          Subject: 'Feriepenger',
          'Message-ID': '<imap-1@demoetaten.no>',
        },
        'Når kommer feriepengene?',
      ),
    );
    await dovecot.deliver(
      mail(
        {
          From: 'kari@demoetaten.no',
          To: 'postmottak@demoetaten.no',
          'Delivered-To': 'faktura@kundesenter.no',
          Subject: 'Faktura',
          'Message-ID': '<imap-2@demoetaten.no>',
        },
        'Vedlagt faktura.',
      ),
    );
    t.equal(await poller.poll(), 2, 'both mails are fetched');
    const created = await db
      .selectFrom('cases')
      .innerJoin('areas', 'areas.id', 'cases.area_id')
      .select(['cases.title', 'cases.channel', 'cases.requester_name', 'areas.code'])
      .orderBy('cases.id')
      .execute();
    t.same(
      created,
      [
        { title: 'Feriepenger', channel: 'email', requester_name: 'Ola Nordmann', code: 'lonn' },
        { title: 'Faktura', channel: 'email', requester_name: 'Kari Nordmann', code: 'regnskap' },
      ],
      "an address of ours in the headers decides the area; else the mailbox's own address",
    );
    t.equal(
      (await db.selectFrom('outbox').select('recipient').where('kind', '=', 'case_acknowledgement').execute()).length,
      2,
      'each sender gets the acknowledgement',
    );
    t.equal(await dovecot.count('INBOX'), 0, 'the mailbox is emptied');
    t.equal(await dovecot.count('Behandlet'), 2, 'into the folder of processed mail, where the originals stay');

    t.equal(await poller.poll(), 0, 'a second poll finds nothing');
    await dovecot.deliver(
      mail(
        {
          From: 'ola@demoetaten.no',
          To: 'lonn@kundesenter.no',
          Subject: 'Feriepenger',
          'Message-ID': '<imap-1@demoetaten.no>',
        },
        'Når kommer feriepengene?',
      ),
    );
    await poller.poll();
    t.equal(
      (await db.selectFrom('cases').select('id').execute()).length,
      2,
      'the same Message-ID again makes no second case',
    );
  });

  t.test('two instances polling at once store each mail once, with or without a Message-ID', async (t) => {
    const first = await setup(t);
    const second = startImapPoller(first.db, first.settings, first.imap);
    t.teardown(() => second.close());
    for (let i = 1; i <= 5; i++)
      await dovecot.deliver(
        mail(
          { From: 'per@testdirektoratet.no', To: 'regnskap@kundesenter.no', Subject: `Bilag ${i}` },
          `Bilag nummer ${i}`,
        ),
      );
    const fetched = await Promise.all([first.poller.poll(), second.poll()]);
    t.ok(fetched[0] + fetched[1] >= 5, 'both polls ran');
    const stored = await first.db.selectFrom('inbound_mail').select(['source', 'status']).execute();
    t.equal(stored.length, 5, 'each mail stored once (by its UIDVALIDITY and UID, as none has a Message-ID)');
    t.ok(stored.every((row) => row.source?.startsWith('imap:INBOX:') && row.status === 'case_created'));
    const titles = (await first.db.selectFrom('cases').select('title').orderBy('title').execute()).map((c) => c.title);
    t.same(titles, ['Bilag 1', 'Bilag 2', 'Bilag 3', 'Bilag 4', 'Bilag 5'], 'and each became one case');
    t.equal(await dovecot.count('INBOX'), 0);
  });

  t.test('a mail over the size limit is kept by its headers, refused with the reason, and moved on', async (t) => {
    const { db, poller, login } = await setup(t, {}, { maxMessageBytes: 4000 });
    await dovecot.deliver(
      mail(
        {
          From: 'ola@demoetaten.no',
          To: 'lonn@kundesenter.no',
          Subject: 'Stor e-post',
          'Message-ID': '<big@demoetaten.no>',
        },
        'x'.repeat(20_000),
      ),
    );
    await poller.poll();
    const row = await db.selectFrom('inbound_mail').select(['status', 'reason', 'raw']).executeTakeFirstOrThrow();
    t.same({ status: row.status, reason: row.reason }, { status: 'refused', reason: 'too_large' });
    t.ok(
      row.raw.length < 4000 && row.raw.toString().includes('Subject: Stor e-post'),
      'the headers are kept for caseworkers to see',
    );
    t.equal((await db.selectFrom('cases').select('id').execute()).length, 0);
    t.equal(await dovecot.count('INBOX'), 0);
    const siri = await login('siri@kundesenter.no');
    t.match(
      text((await siri.get('/work/mail')).body),
      'Stor e-post Ikke tatt inn – for stor; bare avsender og emne er tatt vare på',
      'caseworkers see why',
    );
  });

  t.test('a wrong password fails the poll with a clear error and changes nothing', async (t) => {
    const url = new URL(dovecot.url);
    url.password = 'wrong';
    const { db, poller } = await setup(t, { url });
    await dovecot.deliver(
      mail(
        {
          From: 'ola@demoetaten.no',
          To: 'lonn@kundesenter.no',
          Subject: 'Venter',
          'Message-ID': '<waiting@demoetaten.no>',
        },
        'Tekst',
      ),
    );
    await t.rejects(poller.poll(), /auth|Command failed/i);
    t.equal((await db.selectFrom('inbound_mail').select('id').execute()).length, 0);
    t.equal(await dovecot.count('INBOX'), 1, 'the mail stays in the mailbox for the next poll');
  });
}

t.test('IMAP settings are checked at start', async (t) => {
  const problems = (env: Record<string, string>) => {
    try {
      loadConfig({ NODE_ENV: 'test', DATA_DIR: '/tmp/ks-config-test', ...env });
      return [];
    } catch (error) {
      return error instanceof ConfigError ? error.problems : [String(error)];
    }
  };
  t.same(problems({ INBOUND_IMAP_URL: 'imaps://postmottak:hemmelig@imap.example.no/INBOX' }), []);
  t.match(
    problems({ INBOUND_IMAP_URL: 'pop3://x@y' }).join('\n'),
    'INBOUND_IMAP_URL must start with imap:// or imaps://',
  );
  t.match(problems({ INBOUND_IMAP_URL: 'imaps://imap.example.no' }).join('\n'), 'must name the user');
  t.match(problems({ INBOUND_IMAP_URL: 'not a url' }).join('\n'), 'must be a URL');
  t.match(
    problems({ INBOUND_IMAP_URL: 'imap://u:p@h/INBOX', INBOUND_IMAP_POLL_SECONDS: '1' }).join('\n'),
    'INBOUND_IMAP_POLL_SECONDS must be',
  );
  t.match(
    problems({ INBOUND_IMAP_URL: 'imap://u:p@h/INBOX', INBOUND_IMAP_ADDRESS: 'lonn' }).join('\n'),
    'INBOUND_IMAP_ADDRESS must be an e-mail address',
  );
});
