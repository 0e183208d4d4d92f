// Reads of the mail channel: which addresses we receive for, and the development mail page.
import type { Db } from '../db/index.js';
import { splitToken } from './tokens.js';

/**
 * Whether the centre receives mail for this address (one of the areas' receiving addresses); a reply
 * token after a plus (`lonn+<token>@…`) is read when the mail is processed, not here.
 */
export async function isReceivingAddress(db: Db, address: string): Promise<boolean> {
  const found = await db
    .selectFrom('mailbox_addresses')
    .select('address')
    .where('address', '=', splitToken(address.toLowerCase()).address)
    .executeTakeFirst();
  return found !== undefined;
}

/**
 * Where replies about a case go (the first receiving address of its area, and the case's id for the
 * token), and whom its mail comes from (the area's sender, when the area has one).
 */
export async function caseReplyAddress(db: Db, caseNumber: string) {
  return db
    .selectFrom('cases')
    .innerJoin('areas', 'areas.id', 'cases.area_id')
    .leftJoin('mailbox_addresses', 'mailbox_addresses.area_id', 'cases.area_id')
    .select([
      'cases.id',
      'mailbox_addresses.address',
      'areas.mail_sender_name as senderName',
      'areas.mail_sender_address as senderAddress',
    ])
    .where('cases.number', '=', caseNumber)
    .orderBy('mailbox_addresses.address')
    .limit(1)
    .executeTakeFirst();
}

/** Development only: the newest mail the app would have sent. */
export function devMail(db: Db, limit = 100) {
  return db.selectFrom('dev_mail').selectAll().orderBy('id', 'desc').limit(limit).execute();
}
