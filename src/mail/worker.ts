// Delivers outbox rows. Rows are claimed for a lease with SKIP LOCKED, so several processes share the
// work; mail is sent outside any transaction and each row marked sent in its own commit, so a crash
// repeats at most the one mail in flight. A failed send is retried with exponential backoff.
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Db } from '../db/index.js';
import { isLanguage } from '../web/i18n.js';
import type { MailKind } from './outbox.js';
import type { Config } from '../config.js';
import { renderMail } from './templates.js';
import { periodic } from '../periodic.js';
import { caseReplyAddress } from './queries.js';
import { bounceAddress, messageIdOf, replyToken, withToken } from './tokens.js';
import { returnPathOf } from './addresses.js';

export interface MailSettings {
  smtpUrl: string | undefined;
  from: string;
  messageIdDomain: string;
  /** MAIL_TOKEN_KEY and its predecessor: reply tokens and Message-ID marks (see tokens.ts). */
  tokenKeys: readonly string[];
}

export function mailSettings(config: Config): MailSettings {
  return {
    smtpUrl: config.smtpUrl,
    from: config.mailFrom,
    messageIdDomain: config.publicUrl.hostname,
    tokenKeys: config.mailTokenKeys,
  };
}

export interface WorkerOptions {
  pollMs?: number;
  /** How long a claimed row is this worker's before another may take it (tests shorten it). */
  leaseMs?: number;
  retryBaseMs?: number;
  log?: (message: string, details?: object) => void;
}

export interface Worker {
  /** Runs one batch now; resolves with how many rows were handled. */
  drain(): Promise<number>;
  stop(): Promise<void>;
}

type Deliver = (mail: {
  to: string;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  /** A case's receiving address with its reply token: an answer to the notice lands in the case. */
  replyTo: string | undefined;
  /** The envelope sender: a return path of this mail's own, so a bounce names it (VERP). */
  returnPath: string;
  /** The area's sender for mail about its cases; MAIL_FROM otherwise. */
  from: string | undefined;
  autoSubmitted: boolean;
}) => Promise<void>;

function deliverer(db: Db, settings: MailSettings): Deliver {
  if (!settings.smtpUrl) {
    // Development: keep the mail for the dev mail page instead of sending it.
    return async (mail) => {
      await db
        .insertInto('dev_mail')
        .values({ message_id: mail.messageId, recipient: mail.to, subject: mail.subject, text_body: mail.text })
        .execute();
    };
  }
  const transport: Transporter = nodemailer.createTransport(withTimeouts(settings.smtpUrl));
  return async (mail) => {
    await transport.sendMail({
      from: mail.from ?? settings.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      ...(mail.replyTo ? { replyTo: mail.replyTo } : {}),
      envelope: { from: mail.returnPath, to: mail.to },
      headers: mail.autoSubmitted ? { 'Auto-Submitted': 'auto-generated' } : {},
    });
  };
}

/** `"Kundesenter lønn" <lonn@kundesenter.no>`: a display name quoted, so no character in it can add an address. */
function formatSender(name: string | null, address: string): string {
  return name ? `"${name.replace(/["\\\r\n]/g, '')}" <${address}>` : address;
}

/** How long a claimed row is ours: longer than the worst send (connect + greeting + socket timeouts). */
const defaultLeaseMs = 120_000;
/** Rows claimed at once: few, so a hung server holds few and a stop waits for little. */
const claimSize = 5;

/** nodemailer reads its options from the URL's query: timeouts unless the URL sets its own. */
export function withTimeouts(smtpUrl: string): string {
  const url = new URL(smtpUrl);
  for (const [name, value] of [
    ['connectionTimeout', '10000'],
    ['greetingTimeout', '10000'],
    ['socketTimeout', '30000'],
  ] as const)
    if (!url.searchParams.has(name)) url.searchParams.set(name, value);
  return url.href;
}

/**
 * Claims due rows for a lease, in one short statement; nothing stays locked while mail is sent. A row
 * whose lease runs out (its process died) is due again and claimed anew.
 */
function claim(db: Db, token: string, leaseMs: number) {
  return db
    .updateTable('outbox')
    .set({ lease_token: token, next_attempt_at: sql<Date>`now() + ${leaseMs} * interval '1 millisecond'` })
    .where('id', 'in', (eb) =>
      eb
        .selectFrom('outbox')
        .select('id')
        .where('sent_at', 'is', null)
        .where('next_attempt_at', '<=', sql<Date>`now()`)
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(claimSize)
        .forUpdate()
        .skipLocked(),
    )
    .returningAll()
    .execute();
}

export function startOutboxWorker(db: Db, settings: MailSettings, options: WorkerOptions = {}): Worker {
  const deliver = deliverer(db, settings);
  const returnDomain = returnPathOf(settings.from).split('@').pop()!;
  const retryBaseMs = options.retryBaseMs ?? 30_000;
  const leaseMs = options.leaseMs ?? defaultLeaseMs;
  const log = options.log ?? (() => {});
  let stopping = false;
  const batch = async () => {
    const token = randomUUID();
    const rows = (await claim(db, token, leaseMs)).sort((a, b) => a.id - b.id);
    let handled = 0;
    for (const row of rows) {
      // A stop waits for the mail in flight, not for the rest: their lease runs out and another takes them.
      if (stopping) break;
      const ours = (query: ReturnType<typeof db.updateTable<'outbox'>>) =>
        query.where('id', '=', row.id).where('lease_token', '=', token).where('sent_at', 'is', null);
      const language = isLanguage(row.language) ? row.language : 'nb';
      const mail = renderMail(row.kind as MailKind, language, row.payload as Record<string, unknown>);
      try {
        const number = (row.payload as { number?: unknown }).number;
        const reply = typeof number === 'string' ? await caseReplyAddress(db, number) : undefined;
        await deliver({
          to: row.recipient,
          ...mail,
          messageId: messageIdOf(settings.tokenKeys, row.id, settings.messageIdDomain),
          replyTo: reply?.address ? withToken(reply.address, replyToken(settings.tokenKeys, reply.id)) : undefined,
          from: reply?.senderAddress ? formatSender(reply.senderName, reply.senderAddress) : undefined,
          returnPath: bounceAddress(settings.tokenKeys, row.id, returnDomain),
          autoSubmitted: true,
        });
        // Marked in its own commit at once: a crash after this point can never send it again.
        await ours(db.updateTable('outbox'))
          .set({ sent_at: new Date(), attempts: row.attempts + 1, last_error: null, lease_token: null })
          .execute();
      } catch (error) {
        const delay = Math.min(retryBaseMs * 2 ** row.attempts, 3_600_000);
        const message = error instanceof Error ? error.message : String(error);
        await ours(db.updateTable('outbox'))
          .set({
            attempts: row.attempts + 1,
            last_error: message.slice(0, 1000),
            next_attempt_at: new Date(Date.now() + delay),
            lease_token: null,
          })
          .execute();
        log('mail delivery failed; will retry', { outboxId: row.id, attempts: row.attempts + 1, retryInMs: delay });
      }
      handled += 1;
    }
    return handled;
  };

  const rounds = periodic(batch, {
    intervalMs: options.pollMs ?? 2000,
    onError: (error) => log('outbox batch failed', { error: String(error) }),
  });
  return {
    drain: rounds.run,
    stop: async () => {
      stopping = true;
      await rounds.stop();
    },
  };
}
