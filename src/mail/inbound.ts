// Incoming mail. The app's own SMTP listener accepts mail for the centre's receiving addresses, keeps
// every message raw in `inbound_mail` before answering 250, and then turns it into a case or a reply in
// an existing case. Processing is retried from the table, so a crash after receipt loses nothing, and
// a Message-ID seen before is accepted and ignored, so a re-delivery never makes a second case.
import { titleMaxLength, bodyMaxLength } from '../cases/rules.js';
import { cleanText } from '../web/input.js';
import { SMTPServer } from 'smtp-server';
import { sql } from 'kysely';
import { heldMailRecipients, notify } from '../notices/service.js';
import type { Db } from '../db/index.js';
import { viewerByEmail } from '../auth/viewer.js';
import { visibleCases } from '../cases/visibility.js';
import { checkUploads, uploadFromBuffer, type AttachmentLimits, type Upload } from '../attachments/files.js';
import { createCaseFromMail, replyToCase } from '../cases/service.js';
import { maskNationalIds } from '../cases/national-id.js';
import { translator, type Language } from '../web/i18n.js';
import { periodic } from '../periodic.js';
import { isReceivingAddress } from './queries.js';
import { mailparser, storeRaw } from './store.js';
import { connectionRate } from './connection-rate.js';
import { recordBounce } from './bounces.js';
import { caseFromThread, isAutomatic, trimQuoted } from './thread.js';
import { storedMailVerdict, type DnsResolver } from './verdict.js';
import { isBounceAddress, outboxOfBounceAddress, splitToken } from './tokens.js';
import { returnPathOf } from './addresses.js';
import { answerNoReply } from './noreply.js';

export { returnPathOf };

const domainOf = (address: string) => address.split('@').pop() ?? '';
import type { Config, SenderCheckSettings } from '../config.js';

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
  /** How the sender is verified, and the keys of our reply tokens and Message-ID marks. */
  senderCheck: SenderCheckSettings;
  tokenKeys: readonly string[];
  /** mailauth's DNS lookups; the system resolver unless a test serves the records. */
  resolver?: DnsResolver;
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

/** The listener's settings from the configuration; tests and tools override what they need. */
export function inboundSettings(config: Config, overrides: Partial<InboundSettings> = {}): InboundSettings {
  return {
    port: config.inboundSmtpPort,
    host: config.inboundSmtpHost,
    publicUrl: config.publicUrl,
    limits: config.attachmentLimits,
    returnPath: returnPathOf(config.mailFrom),
    senderCheck: config.senderCheck,
    tokenKeys: config.mailTokenKeys,
    ...overrides,
  };
}

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
      const to = address.address.toLowerCase();
      // Our return path, and every bounce address on its domain (genuine or not: a forged one is kept
      // for inspection and changes nothing).
      if (settings.returnPath && (to === settings.returnPath || isBounceAddress(to, domainOf(settings.returnPath))))
        return callback();
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
        const connection = { remoteAddress: session.remoteAddress, helo: session.hostNameAppearsAs };
        storeRaw(db, raw, { envelopeSender: sender, recipient, ...connection }, log)
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

async function processPending(db: Db, settings: InboundSettings): Promise<number> {
  let handled = 0;
  for (;;) {
    let claimed: number | undefined;
    try {
      const found = await db.transaction().execute(async (trx) => {
        // SKIP LOCKED: another process busy with a mail leaves it alone and takes the next one.
        const row = await trx
          .selectFrom('inbound_mail')
          .select([...inboundColumns])
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

/** How a held mail is let through by a caseworker: into the case it names, or into a new case. */
export type Release = { into: 'case' | 'new' };

type InboundRow = {
  id: number;
  raw: Buffer;
  recipient: string;
  sender: string;
  remote_address: string | null;
  helo: string | null;
  envelope_sender: string | null;
};

export const inboundColumns = [
  'id',
  'raw',
  'recipient',
  'sender',
  'remote_address',
  'helo',
  'envelope_sender',
] as const;

/**
 * One mail into a case. Only a verified sender is matched to a customer, adds to a case or gets an
 * acknowledgement; an unverified or failed sender who claims a customer or a case is held for a
 * caseworker, and a caseworker's release (`release`) stands in for the verification.
 */
export async function processOne(db: Db, row: InboundRow, settings: InboundSettings, release?: Release): Promise<void> {
  const id = row.id;
  const finish = (
    status: 'case_created' | 'appended' | 'refused' | 'held',
    values: { reason?: string | undefined; caseId?: number } = {},
  ) =>
    db
      .updateTable('inbound_mail')
      .set({ status, reason: values.reason ?? null, case_id: values.caseId ?? null, processed_at: sql`now()` })
      .where('id', '=', id)
      .execute();

  const mail = await (await mailparser()).simpleParser(row.raw);
  if (settings.returnPath && isBounceAddress(row.recipient, domainOf(settings.returnPath))) {
    const outboxId = outboxOfBounceAddress(settings.tokenKeys, row.recipient);
    const failed = outboxId !== undefined && (await recordBounce(db, mail, outboxId));
    return void (await finish('refused', { reason: failed ? 'bounce' : 'not_a_bounce' }));
  }
  if (settings.returnPath && row.recipient === settings.returnPath) {
    // Someone answered a notice from the no-reply address (or wrote to it): tell them once where to write.
    return void (await finish('refused', { reason: await answerNoReply(db, mail, row, settings) }));
  }
  const checkedSender = await storedMailVerdict(row, settings);
  await db
    .updateTable('inbound_mail')
    .set({ verdict: checkedSender.verdict, verdict_reason: checkedSender.reason.slice(0, 500) })
    .where('id', '=', id)
    .execute();
  const trusted = release !== undefined || checkedSender.verdict === 'verified';
  const known = await viewerByEmail(db, row.sender);
  const thread =
    release?.into === 'new' ? undefined : await caseFromThread(db, mail, row.recipient, settings.tokenKeys);
  // A claim on a customer or a case needs a verified sender; a failed check is never believed.
  if (
    !trusted &&
    (known || thread?.by === 'token' || thread?.by === 'reference' || checkedSender.verdict === 'failed')
  ) {
    await finish('held', { reason: checkedSender.reason });
    // Whoever would have got it hears that it waits for them on the incoming-mail page.
    await notify(db, {
      kind: 'held_mail',
      inboundId: id,
      dedupe: `held:${id}`,
      recipients: await heldMailRecipients(db, splitToken(row.recipient).address, thread?.number),
      publicUrl: settings.publicUrl,
    });
    return;
  }
  // A sender who is not a customer of an agency still gets a case, unlinked and unanswered (see createCaseFromMail).
  const sender = trusted && known && known.agencyId !== null ? known : undefined;
  const language: Language = sender?.language ?? 'nb';
  const t = translator(language);
  const automatic = isAutomatic(mail, row.envelope_sender ?? row.sender);

  // Files follow the upload rules; refused ones are named in the case with the reason.
  const uploads: Upload[] = mail.attachments.map((a) =>
    uploadFromBuffer('attachments', a.filename ?? 'vedlegg', a.content),
  );
  const checked = await checkUploads(uploads, settings.limits, 0);
  const refusedFiles = checked.problems.map(({ problem }) => t(problem.key, problem.params));
  let text = cleanText(trimQuoted(mail.text ?? ''), true).slice(0, bodyMaxLength - 2000) || t('mail.inbound.noText');
  if (refusedFiles.length > 0)
    text += `\n\n${t('mail.inbound.refusedFiles')}\n${refusedFiles.map((r) => `- ${r}`).join('\n')}`;

  const number = sender && thread?.number;
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
    .select(['area_id', 'group_id', 'form_id', 'category_id'])
    .where('address', '=', splitToken(row.recipient).address)
    .executeTakeFirst();
  if (!address) return void (await finish('refused', { reason: 'unknown_address' }));
  // The subject becomes the title, which shows in lists: a national identity number is masked there.
  const title =
    maskNationalIds(cleanText(mail.subject ?? '', false).slice(0, titleMaxLength)) || t('mail.inbound.noSubject');
  const created = await createCaseFromMail(
    db,
    sender ?? { address: row.sender },
    {
      areaId: address.area_id,
      formId: address.form_id,
      categoryId: address.category_id,
      groupId: address.group_id,
      title,
      body: text,
      files: checked.files,
      acknowledge: !automatic,
      inboundId: id,
    },
    { publicUrl: settings.publicUrl, language },
  );
  await finish('case_created', {
    caseId: created.id,
    reason: sender ? undefined : known ? 'no_agency' : 'unknown_sender',
  });
}
