// Delivers outbox rows. Rows are claimed with SKIP LOCKED, so several processes share the work without
// sending a row twice; a failed send is retried with exponential backoff and its error kept for staff.
import { sql } from 'kysely';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Db } from '../db/index.js';
import { isLanguage } from '../web/i18n.js';
import type { MailKind } from './outbox.js';
import type { Config } from '../config.js';
import { renderMail } from './templates.js';
import { periodic } from '../periodic.js';

export interface MailSettings {
  smtpUrl: string | undefined;
  from: string;
  messageIdDomain: string;
}

export function mailSettings(config: Config): MailSettings {
  return { smtpUrl: config.smtpUrl, from: config.mailFrom, messageIdDomain: config.publicUrl.hostname };
}

export interface WorkerOptions {
  pollMs?: number;
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
  const transport: Transporter = nodemailer.createTransport(settings.smtpUrl);
  return async (mail) => {
    await transport.sendMail({
      from: settings.from,
      to: mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      messageId: mail.messageId,
      headers: mail.autoSubmitted ? { 'Auto-Submitted': 'auto-generated' } : {},
    });
  };
}

export function startOutboxWorker(db: Db, settings: MailSettings, options: WorkerOptions = {}): Worker {
  const deliver = deliverer(db, settings);
  const retryBaseMs = options.retryBaseMs ?? 30_000;
  const log = options.log ?? (() => {});
  const batch = () =>
    db.transaction().execute(async (trx) => {
      const rows = await trx
        .selectFrom('outbox')
        .selectAll()
        .where('sent_at', 'is', null)
        .where('next_attempt_at', '<=', sql<Date>`now()`)
        .orderBy('next_attempt_at')
        .orderBy('id')
        .limit(20)
        .forUpdate()
        .skipLocked()
        .execute();
      for (const row of rows) {
        const language = isLanguage(row.language) ? row.language : 'nb';
        const mail = renderMail(row.kind as MailKind, language, row.payload as Record<string, unknown>);
        try {
          await deliver({
            to: row.recipient,
            ...mail,
            messageId: `<outbox-${row.id}@${settings.messageIdDomain}>`,
            autoSubmitted: true,
          });
          await trx
            .updateTable('outbox')
            .set({ sent_at: new Date(), attempts: row.attempts + 1, last_error: null })
            .where('id', '=', row.id)
            .execute();
        } catch (error) {
          const delay = Math.min(retryBaseMs * 2 ** row.attempts, 3_600_000);
          const message = error instanceof Error ? error.message : String(error);
          await trx
            .updateTable('outbox')
            .set({
              attempts: row.attempts + 1,
              last_error: message.slice(0, 1000),
              next_attempt_at: new Date(Date.now() + delay),
            })
            .where('id', '=', row.id)
            .execute();
          log('mail delivery failed; will retry', { outboxId: row.id, attempts: row.attempts + 1, retryInMs: delay });
        }
      }
      return rows.length;
    });

  const rounds = periodic(batch, {
    intervalMs: options.pollMs ?? 2000,
    onError: (error) => log('outbox batch failed', { error: String(error) }),
  });
  return { drain: rounds.run, stop: rounds.stop };
}
