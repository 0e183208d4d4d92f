// Mail is never sent inside a request: it is an outbox row, committed with the change it announces.
import type { Kysely, Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import type { Language } from '../web/i18n.js';

export type MailKind =
  | 'case_acknowledgement'
  | 'case_answered'
  | 'case_classified'
  | 'scheduled_report'
  | 'noreply_reply'
  | 'staff_notice'
  | 'reporting_receipt'
  | 'reporting_reminder'
  | 'reporting_overdue';

/** A scheduled report's mail: figures only, never case content. A type, not an interface: it is stored as JSON. */
export type ReportMailPayload = {
  subject: string;
  heading: string;
  rows: [string, string][];
  link: string;
};

export interface MailRequest {
  kind: MailKind;
  /** One mail per key, however often the change is retried. */
  idempotencyKey: string;
  recipient: string;
  language: Language;
  /** Case mails: names, number and link; a report: its figures (see src/reports/scheduler.ts). */
  payload: Record<string, string> | ReportMailPayload;
}

export async function enqueueMail(trx: Transaction<DB> | Kysely<DB>, mail: MailRequest): Promise<void> {
  await trx
    .insertInto('outbox')
    .values({
      kind: mail.kind,
      idempotency_key: mail.idempotencyKey,
      recipient: mail.recipient,
      language: mail.language,
      payload: mail.payload,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .execute();
}
