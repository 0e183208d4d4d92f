// Delivery reports about our own mail: the failed recipient is marked so caseworkers see that a
// customer does not get our notices.
import { sql } from 'kysely';
import type { ParsedMail } from 'mailparser';
import type { Db } from '../db/index.js';
import { outboxIdsIn } from './tokens.js';

/**
 * A delivery status notification about one of our mails: the failed recipient is marked so
 * caseworkers see that the customer does not get our notices. Only reports that name a mail we sent
 * by its genuine Message-ID (with the mark only our key makes) count, so nobody can mark an address by
 * writing to us.
 */
export async function recordBounce(db: Db, mail: ParsedMail, keys: readonly string[]): Promise<boolean> {
  const parts = [mail.text ?? '', ...mail.attachments.map((a) => a.content.toString('utf8'))].join('\n');
  const [ours] = outboxIdsIn(keys, parts);
  if (ours === undefined || !/(Action:\s*failed|Status:\s*5\.)/i.test(parts)) return false;
  const sent = await db.selectFrom('outbox').select('recipient').where('id', '=', ours).executeTakeFirst();
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
