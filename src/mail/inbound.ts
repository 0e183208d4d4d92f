// Incoming mail. The app's own SMTP listener accepts mail for the centre's receiving addresses, keeps
// every message raw in `inbound_mail` before answering 250, and then turns it into a case or a reply in
// an existing case. Processing is retried from the table, so a crash after receipt loses nothing, and
// a Message-ID seen before is accepted and ignored, so a re-delivery never makes a second case.
import { titleMaxLength, bodyMaxLength } from '../cases/rules.js';
import { cleanText } from '../web/input.js';
import { SMTPServer } from 'smtp-server';
import type { ParsedMail } from 'mailparser';
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { viewerByEmail } from '../auth/viewer.js';
import { visibleCases } from '../cases/visibility.js';
import { checkUploads, uploadFromBuffer, type AttachmentLimits, type Upload } from '../attachments/files.js';
import { createCaseFromMail, replyToCase } from '../cases/service.js';
import { maskNationalIds } from '../cases/national-id.js';
import { translator, type Language } from '../web/i18n.js';
import { periodic } from '../periodic.js';
import { isReceivingAddress } from './queries.js';
import { connectionRate } from './connection-rate.js';

/** mailparser is loaded with the first mail, not at start-up (it costs a quarter of a second). */
export const mailparser = () => import('mailparser');

export interface InboundSettings {
  port: number;
  host: string;
  publicUrl: URL;
  limits: AttachmentLimits;
  /** Largest message accepted, in bytes. */
  maxMessageBytes?: number;
  /** Where our own mail says it comes from: bounces to it are read as delivery reports. */
  returnPath?: string;
  /** New cases per sender per hour before further mail is refused as a flood. */
  casesPerSenderPerHour?: number;
  /** SMTP sessions at once, and new connections per address per minute (beyond: 421, try later). */
  maxConnections?: number;
  connectionsPerMinute?: number;
  log?: (message: string, details?: object) => void;
}

export interface InboundServer {
  port: number;
  /** Processes pending mail now (also done after every receipt); resolves with how many were handled. */
  drain(): Promise<number>;
  close(): Promise<void>;
}

/** The bare address of a From setting such as `Kundesenter <noreply@kundesenter.no>`. */
export function returnPathOf(from: string): string {
  return (/<([^>]+)>/.exec(from)?.[1] ?? from).trim().toLowerCase();
}

const messageIdOf = (value: string | undefined) => (value ? value.trim().slice(0, 500) : null);

export interface InboundProcessor {
  /** Processes pending mail now; resolves with how many were handled. */
  drain(): Promise<number>;
  close(): Promise<void>;
}

/**
 * Turns stored mail into cases, now and every few seconds. Each mail is claimed with a row lock and
 * handled in one transaction with its case, so several processes (or app instances) never handle
 * one mail twice, and a crash part-way leaves it pending for the next try.
 */
export function inboundProcessor(db: Db, settings: InboundSettings): InboundProcessor {
  const log = settings.log ?? (() => {});
  const rounds = periodic(() => processPending(db, settings), {
    intervalMs: 5_000,
    onError: (error) => log('inbound processing failed', { error: String(error) }),
  });
  return { drain: rounds.run, close: rounds.stop };
}

/**
 * The app's own SMTP listener. With `process: false` it only receives (stores) mail, and another
 * process turns it into cases.
 */
export async function startInboundSmtp(
  db: Db,
  settings: InboundSettings & { process?: boolean },
): Promise<InboundServer> {
  const maxBytes = settings.maxMessageBytes ?? settings.limits.caseBytes + 5 * 1024 * 1024;
  const log = settings.log ?? (() => {});
  const processor = settings.process === false ? undefined : inboundProcessor(db, settings);
  const drain = () => processor?.drain() ?? Promise.resolve(0);

  const connections = connectionRate(settings.connectionsPerMinute ?? 60);
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    // At most this many sessions at once; a sending server that finds us busy tries again later.
    maxClients: settings.maxConnections ?? 50,
    onConnect(session, callback) {
      if (connections.allow(session.remoteAddress)) return callback();
      callback(
        Object.assign(new Error('Too many connections from your address, try again later'), { responseCode: 421 }),
      );
    },
    size: maxBytes,
    banner: 'Kundesenter',
    async onRcptTo(address, _session, callback) {
      if (settings.returnPath && address.address.toLowerCase() === settings.returnPath) return callback();
      let known: boolean;
      try {
        known = await isReceivingAddress(db, address.address);
      } catch (error) {
        // A database we cannot reach is a transient failure: 451 makes the sending server try again,
        // where a 550 would bounce the mail back to the customer for good.
        log('receiving address lookup failed', { error: String(error) });
        return callback(Object.assign(new Error('Temporary failure, try again later'), { responseCode: 451 }));
      }
      if (!known) return callback(Object.assign(new Error('No such mailbox here'), { responseCode: 550 }));
      callback();
    },
    onData(stream, session, callback) {
      // Past the limit nothing more is kept: memory stays at the limit whatever a sender streams.
      const chunks: Buffer[] = [];
      let received = 0;
      stream.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received <= maxBytes) chunks.push(chunk);
        else chunks.length = 0;
      });
      stream.on('end', () => {
        if (received > maxBytes || (stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) {
          return callback(Object.assign(new Error('Message too large'), { responseCode: 552 }));
        }
        const raw = Buffer.concat(chunks);
        const recipient = (session.envelope.rcptTo[0]?.address ?? '').toLowerCase();
        const sender = session.envelope.mailFrom ? session.envelope.mailFrom.address.toLowerCase() : '';
        storeRaw(db, raw, { envelopeSender: sender, recipient })
          .then(() => {
            callback();
            drain().catch((error: unknown) => log('inbound processing failed', { error: String(error) }));
          })
          // Not stored means not accepted: the sending server keeps the mail and tries again.
          .catch((error: unknown) =>
            callback(Object.assign(new Error(`Temporary failure: ${String(error)}`), { responseCode: 451 })),
          );
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  const address = server.server.address();
  return {
    port: typeof address === 'object' && address ? address.port : settings.port,
    drain,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await processor?.close();
    },
  };
}

export interface ReceivedMail {
  envelopeSender: string;
  recipient: string;
  /** A key of the mail in its source (an IMAP mailbox), so fetching it again stores nothing new. */
  source?: string;
  /** Set when the mail is refused on receipt (too large): only its headers are kept. */
  refused?: string;
}

/** Keeps the raw message; a Message-ID or source key already stored is a re-delivery and changes nothing. */
export async function storeRaw(db: Db, raw: Buffer, received: ReceivedMail): Promise<void> {
  const headers = await (await mailparser()).simpleParser(raw, {
    skipHtmlToText: true,
    skipTextToHtml: true,
    skipImageLinks: true,
    maxHtmlLengthToParse: 0,
  });
  const messageId = messageIdOf(headers.messageId);
  if (received.source && messageId) {
    // The same mail may arrive both ways (SMTP and a polled mailbox): one case, whichever came first.
    const seen = await db
      .selectFrom('inbound_mail')
      .select('id')
      .where('message_id', '=', messageId)
      .executeTakeFirst();
    if (seen) return;
  }
  await db
    .insertInto('inbound_mail')
    .values({
      message_id: messageId,
      sender: (headers.from?.value[0]?.address ?? received.envelopeSender).toLowerCase().slice(0, 320),
      recipient: received.recipient,
      subject: cleanText(headers.subject ?? '', false).slice(0, 1000),
      raw,
      source: received.source ?? null,
      ...(received.refused ? { status: 'refused', reason: received.refused, processed_at: sql`now()` } : {}),
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
}

async function processPending(db: Db, settings: InboundSettings): Promise<number> {
  let handled = 0;
  for (;;) {
    let claimed: number | undefined;
    try {
      const found = await db.transaction().execute(async (trx) => {
        // SKIP LOCKED: another process busy with a mail leaves it alone and takes the next one.
        const row = await trx
          .selectFrom('inbound_mail')
          .select(['id', 'raw', 'recipient', 'sender'])
          .where('status', '=', 'pending')
          .where('attempts', '<', 5)
          .orderBy('id')
          .limit(1)
          .forUpdate()
          .skipLocked()
          .executeTakeFirst();
        if (!row) return false;
        claimed = row.id;
        await processOne(trx, row, settings);
        return true;
      });
      if (!found) return handled;
    } catch (error) {
      if (claimed === undefined) throw error;
      // Everything the attempt wrote was rolled back; only the attempt and its reason are kept.
      await db
        .updateTable('inbound_mail')
        .set({ attempts: sql`attempts + 1`, reason: String(error).slice(0, 1000) })
        .where('id', '=', claimed)
        .execute();
    }
    handled++;
  }
}

/** Auto-replies, bulk and list mail get no acknowledgement, so two robots never answer each other. */
function isAutomatic(mail: ParsedMail, envelopeSender: string): boolean {
  const header = (name: string) => String(mail.headers.get(name) ?? '').toLowerCase();
  const autoSubmitted = header('auto-submitted');
  return (
    envelopeSender === '' ||
    (autoSubmitted !== '' && autoSubmitted !== 'no') ||
    ['bulk', 'junk', 'list', 'auto_reply'].includes(header('precedence')) ||
    mail.headers.has('list-id') ||
    mail.headers.has('list-unsubscribe') ||
    mail.headers.has('x-autoreply')
  );
}

/** The text a person wrote, without the quoted history and the signature below it. */
export function trimQuoted(text: string): string {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const cut = lines.findIndex(
    (line) =>
      /^>/.test(line) ||
      /^-{2,}\s*(Original Message|Opprinnelig melding|Videresendt melding)/i.test(line) ||
      /^(On|Den|På)\s.{5,200}\s(wrote|skrev)\b.*:\s*$/i.test(line) ||
      /^(Fra|From):\s.+/i.test(line) ||
      /^--\s*$/.test(line),
  );
  return (cut === -1 ? lines : lines.slice(0, cut)).join('\n').trim();
}

/** Our own Message-IDs (`<outbox-ID@host>`) in a reply lead to the case that mail was about. */
async function caseFromThread(db: Db, mail: ParsedMail): Promise<string | undefined> {
  const references = [mail.inReplyTo ?? '', ...[mail.references ?? []].flat()].join(' ');
  for (const match of references.matchAll(/<outbox-(\d{1,15})@[^>]+>/g)) {
    const row = await db.selectFrom('outbox').select('payload').where('id', '=', Number(match[1])).executeTakeFirst();
    const number = (row?.payload as { number?: string } | undefined)?.number;
    if (number) return number;
  }
  return /\[(?:Sak|Case) (\d{4}-\d{6,})\]/.exec(mail.subject ?? '')?.[1];
}

async function processOne(
  db: Db,
  row: { id: number; raw: Buffer; recipient: string; sender: string },
  settings: InboundSettings,
): Promise<void> {
  const id = row.id;
  const finish = (
    status: 'case_created' | 'appended' | 'refused',
    values: { reason?: string | undefined; caseId?: number } = {},
  ) =>
    db
      .updateTable('inbound_mail')
      .set({ status, reason: values.reason ?? null, case_id: values.caseId ?? null, processed_at: sql`now()` })
      .where('id', '=', id)
      .execute();

  const mail = await (await mailparser()).simpleParser(row.raw);
  if (settings.returnPath && row.recipient === settings.returnPath) {
    const failed = await recordBounce(db, mail);
    return void (await finish('refused', { reason: failed ? 'bounce' : 'not_a_bounce' }));
  }
  // A sender who is not a customer of an agency still gets a case, unlinked and unanswered (see createCaseFromMail).
  const known = await viewerByEmail(db, row.sender);
  const sender = known && known.agencyId !== null ? known : undefined;
  const language: Language = sender?.language ?? 'nb';
  const t = translator(language);
  const automatic = isAutomatic(mail, row.sender);

  // Files follow the upload rules; refused ones are named in the case with the reason.
  const uploads: Upload[] = mail.attachments.map((a) =>
    uploadFromBuffer('attachments', a.filename ?? 'vedlegg', a.content),
  );
  const checked = await checkUploads(uploads, settings.limits, 0);
  const refusedFiles = checked.problems.map(({ problem }) => t(problem.key, problem.params));
  let text = cleanText(trimQuoted(mail.text ?? ''), true).slice(0, bodyMaxLength - 2000) || t('mail.inbound.noText');
  if (refusedFiles.length > 0)
    text += `\n\n${t('mail.inbound.refusedFiles')}\n${refusedFiles.map((r) => `- ${r}`).join('\n')}`;

  const number = sender && (await caseFromThread(db, mail));
  if (number) {
    const visible = await visibleCases(db, sender)
      .select('cases.id')
      .where('cases.number', '=', number)
      .executeTakeFirst();
    if (visible) {
      const result = await replyToCase(
        db,
        sender,
        number,
        { body: text, uploads: uploads.filter((u) => checked.files.some((f) => f.source === u.source)) },
        { publicUrl: settings.publicUrl, language, limits: settings.limits },
      );
      if (!('problems' in result)) return void (await finish('appended', { caseId: visible.id }));
    }
  }

  const hourAgo = new Date(Date.now() - 3_600_000);
  const { recent } = await db
    .selectFrom('inbound_mail')
    .select((eb) => eb.fn.countAll<number>().as('recent'))
    .where('sender', '=', row.sender)
    .where('status', '=', 'case_created')
    .where('received_at', '>', hourAgo)
    .executeTakeFirstOrThrow();
  if (Number(recent) >= (settings.casesPerSenderPerHour ?? 20))
    return void (await finish('refused', { reason: 'rate_limited' }));

  const address = await db
    .selectFrom('mailbox_addresses')
    .select('area_id')
    .where('address', '=', row.recipient)
    .executeTakeFirst();
  if (!address) return void (await finish('refused', { reason: 'unknown_address' }));
  // The subject becomes the title, which shows in lists: a national identity number is masked there.
  const title =
    maskNationalIds(cleanText(mail.subject ?? '', false).slice(0, titleMaxLength)) || t('mail.inbound.noSubject');
  const created = await createCaseFromMail(
    db,
    sender ?? { address: row.sender },
    { areaId: address.area_id, title, body: text, files: checked.files, acknowledge: !automatic, inboundId: id },
    { publicUrl: settings.publicUrl, language },
  );
  await finish('case_created', {
    caseId: created.id,
    reason: sender ? undefined : known ? 'no_agency' : 'unknown_sender',
  });
}

/**
 * A delivery status notification about one of our mails: the failed recipient is marked so
 * caseworkers see that the customer does not get our notices. Only reports that name a mail we sent
 * (our own Message-ID in the returned headers) count, so nobody can mark an address by writing to us.
 */
async function recordBounce(db: Db, mail: ParsedMail): Promise<boolean> {
  const parts = [mail.text ?? '', ...mail.attachments.map((a) => a.content.toString('utf8'))].join('\n');
  const ours = /Message-ID:\s*<outbox-(\d{1,15})@[^>]+>/i.exec(parts);
  if (!ours || !/(Action:\s*failed|Status:\s*5\.)/i.test(parts)) return false;
  const sent = await db.selectFrom('outbox').select('recipient').where('id', '=', Number(ours[1])).executeTakeFirst();
  if (!sent) return false;
  const reason = (/Diagnostic-Code:\s*(.+)/i.exec(parts)?.[1] ?? /Status:\s*(5\.\d+\.\d+)/i.exec(parts)?.[1] ?? '')
    .trim()
    .slice(0, 500);
  await db
    .insertInto('mail_failures')
    .values({ address: sent.recipient.toLowerCase(), last_reason: reason })
    .onConflict((oc) =>
      oc
        .column('address')
        .doUpdateSet({ failures: sql`mail_failures.failures + 1`, last_reason: reason, last_failed_at: sql`now()` }),
    )
    .execute();
  return true;
}
