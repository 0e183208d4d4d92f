// Every incoming mail is kept raw before we answer 250, with the connection it came over, so nothing
// received is ever lost and its sender can be checked when it is processed.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { cleanText } from '../web/input.js';

/** mailparser is loaded with the first mail, not at start-up (it costs a quarter of a second). */
export const mailparser = () => import('mailparser');

const messageIdOf = (value: string | undefined) => (value ? value.trim().slice(0, 500) : null);

export interface ReceivedMail {
  envelopeSender: string;
  recipient: string;
  /** The connection it came over (SMTP); absent for mail read from a mailbox. */
  remoteAddress?: string;
  helo?: string;
  /** A key of the mail in its source (an IMAP mailbox), so fetching it again stores nothing new. */
  source?: string;
  /** Set when the mail is refused on receipt (too large): only its headers are kept. */
  refused?: string;
}

/** SHA-256 of the body, everything after the header block (the same cut as migration 0019's). */
export function bodyDigest(raw: Buffer): string {
  const end = raw.indexOf('\r\n\r\n');
  return createHash('sha256')
    .update(raw.subarray(end + 4))
    .digest('hex');
}

/**
 * Keeps the raw message. The same Message-ID from the same sender with the same body is a re-delivery
 * (or the same mail fetched both ways) and changes nothing; a different mail reusing a Message-ID is
 * kept and processed like any other, and logged.
 */
export async function storeRaw(
  db: Db,
  raw: Buffer,
  received: ReceivedMail,
  log: (message: string, details?: object) => void = () => {},
): Promise<void> {
  const headers = await (await mailparser()).simpleParser(raw, {
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
    maxHtmlLengthToParse: 0,
  });
  const messageId = messageIdOf(headers.messageId);
  const sender = (headers.from?.value[0]?.address ?? received.envelopeSender).toLowerCase().slice(0, 320);
  const digest = bodyDigest(raw);
  if (messageId) {
    const seen = await db
      .selectFrom('inbound_mail')
      .select(['sender', 'body_digest'])
      .where('message_id', '=', messageId)
      .execute();
    if (seen.some((row) => row.sender === sender && row.body_digest === digest)) return;
    if (seen.length > 0) log('a different mail reuses a Message-ID; it is processed', { messageId, sender });
  }
  await db
    .insertInto('inbound_mail')
    .values({
      message_id: messageId,
      sender,
      recipient: received.recipient,
      subject: cleanText(headers.subject ?? '', false).slice(0, 1000),
      raw,
      body_digest: digest,
      remote_address: received.remoteAddress ?? null,
      helo: received.helo?.slice(0, 255) ?? null,
      envelope_sender: received.envelopeSender.slice(0, 320),
      source: received.source ?? null,
      ...(received.refused ? { status: 'refused', reason: received.refused, processed_at: sql`now()` } : {}),
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}
