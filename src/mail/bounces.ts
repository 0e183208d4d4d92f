// Delivery reports about our own mail: the failed recipient is marked so caseworkers see that a
// customer does not get our notices.
import { sql } from 'kysely';
import type { ParsedMail } from 'mailparser';
import type { Db } from '../db/index.js';

/**
 * A delivery status notification about one of our mails, as it comes back to that mail's own return
 * path (VERP, see tokens.ts): the failed recipient is marked so caseworkers see that the customer does
 * not get our notices. Only a genuine bounce address names a mail; the report's text names nothing.
 */
export async function recordBounce(db: Db, mail: ParsedMail, outboxId: number): Promise<boolean> {
  const parts = [mail.text ?? '', ...mail.attachments.map((a) => a.content.toString('utf8'))].join('\n');
  if (!/(Action:\s*failed|Status:\s*5\.)/i.test(parts)) return false;
  const sent = await db.selectFrom('outbox').select('recipient').where('id', '=', outboxId).executeTakeFirst();
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
