// Incoming mail from a polled IMAP mailbox, for when the centre's mail system keeps mail in a mailbox
// instead of forwarding it to our SMTP listener. Each message is stored raw like a received one, then
// moved out of the mailbox to a folder of processed mail. A crash between storing and moving fetches
// the message again next time; its source key (mailbox, UIDVALIDITY and UID) or Message-ID is then
// already stored, so nothing is stored twice.
import { ImapFlow } from 'imapflow';
import type { AddressObject } from 'mailparser';
import type { Db } from '../db/index.js';
import type { ImapSettings } from '../config.js';
import { inboundProcessor, type InboundSettings } from './inbound.js';
import { mailparser, storeRaw } from './store.js';

export interface ImapPoller {
  /** Fetches and stores what is in the mailbox now, then processes it; resolves with how many mails were fetched. */
  poll(): Promise<number>;
  close(): Promise<void>;
}

const addresses = (value: AddressObject | AddressObject[] | undefined) =>
  [value ?? []].flat().flatMap((object) => object.value.map((a) => (a.address ?? '').toLowerCase()));

/** The receiving address a mail was for: the first of ours its delivery headers name, else the mailbox's own. */
async function recipientOf(
  db: Db,
  raw: Buffer,
  fallback: string | undefined,
): Promise<{ recipient: string; envelopeSender: string }> {
  const end = raw.indexOf('\r\n\r\n');
  const headers = await (await mailparser()).simpleParser(end === -1 ? raw : raw.subarray(0, end + 4), {
    skipHtmlToText: true,
    skipTextToHtml: true,
  });
  const header = (name: string) =>
    [headers.headers.get(name) ?? []]
      .flat()
      .map((value) => String(typeof value === 'object' && value && 'text' in value ? value.text : value).toLowerCase());
  const named = [
    ...header('delivered-to'),
    ...header('x-original-to'),
    ...addresses(headers.to),
    ...addresses(headers.cc),
  ].map((a) => /<?([^<>\s]+@[^<>\s]+)>?/.exec(a)?.[1] ?? a);
  const ours =
    named.length > 0
      ? await db.selectFrom('mailbox_addresses').select('address').where('address', 'in', named).execute()
      : [];
  const recipient = named.find((a) => ours.some((o) => o.address === a)) ?? fallback ?? '';
  // Return-Path is the envelope sender the last server saw; `<>` is a bounce.
  const returnPath = header('return-path')[0];
  const envelopeSender =
    returnPath === undefined
      ? (addresses(headers.from)[0] ?? '')
      : (/<([^>]*)>/.exec(returnPath)?.[1] ?? returnPath).trim();
  return { recipient, envelopeSender };
}

export function startImapPoller(db: Db, settings: InboundSettings, imap: ImapSettings): ImapPoller {
  const log = settings.log ?? (() => {});
  const maxBytes = settings.maxMessageBytes ?? settings.limits.caseBytes + 5 * 1024 * 1024;
  const processor = inboundProcessor(db, settings);
  const mailbox = decodeURIComponent(imap.url.pathname.replace(/^\//, '')) || 'INBOX';

  const fetchAll = async (): Promise<number> => {
    const client = new ImapFlow({
      host: imap.url.hostname,
      port: Number(imap.url.port) || (imap.url.protocol === 'imaps:' ? 993 : 143),
      secure: imap.url.protocol === 'imaps:',
      auth: { user: decodeURIComponent(imap.url.username), pass: decodeURIComponent(imap.url.password) },
      // With imap://, STARTTLS is used when the server offers it.
      logger: false,
    });
    // Errors after connecting surface as events; without a listener they would end the process.
    client.on('error', (error: Error) => log('IMAP connection failed', { error: String(error) }));
    await client.connect();
    let fetched = 0;
    try {
      const lock = await client.getMailboxLock(mailbox);
      try {
        const opened = client.mailbox;
        if (!opened || opened.exists === 0) return 0;
        const uidValidity = String(opened.uidValidity);
        const found: { uid: number; size: number }[] = [];
        for await (const message of client.fetch('1:*', { uid: true, size: true }))
          found.push({ uid: message.uid, size: message.size ?? 0 });
        if (found.length > 0 && !(await client.list()).some((box) => box.path === imap.doneMailbox))
          await client.mailboxCreate(imap.doneMailbox);
        for (const { uid, size } of found) {
          const source = `imap:${mailbox}:${uidValidity}:${uid}`;
          const tooLarge = size > maxBytes;
          // A mail over the limit is kept by its headers only, refused with the reason, and still moved on.
          const message = await client.fetchOne(
            String(uid),
            tooLarge ? { uid: true, headers: true } : { uid: true, source: true },
            { uid: true },
          );
          const raw = message ? (tooLarge ? message.headers : message.source) : undefined;
          if (!raw) continue;
          await storeRaw(db, raw, {
            ...(await recipientOf(db, raw, imap.address)),
            source,
            ...(tooLarge ? { refused: 'too_large' } : {}),
          });
          await client.messageMove(String(uid), imap.doneMailbox, { uid: true });
          fetched++;
        }
      } finally {
        lock.release();
      }
    } finally {
      await client.logout().catch(() => client.close());
    }
    return fetched;
  };

  let running: Promise<number> | undefined;
  const poll = () => {
    running ??= fetchAll()
      .then(async (fetched) => {
        await processor.drain();
        return fetched;
      })
      .finally(() => (running = undefined));
    return running;
  };
  const timer = setInterval(
    () => void poll().catch((error: unknown) => log('IMAP polling failed', { error: String(error) })),
    imap.pollSeconds * 1000,
  );
  return {
    poll,
    close: async () => {
      clearInterval(timer);
      await running?.catch(() => {});
      await processor.close();
    },
  };
}
