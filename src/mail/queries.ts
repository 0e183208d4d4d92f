// Reads of the mail channel: which addresses we receive for, and the development mail page.
import type { Db } from '../db/index.js';
import { maskNationalIds } from '../cases/national-id.js';
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

/** Incoming mail as received; subjects with a national identity number in them are shown masked. */
export async function recentInboundMail(db: Db) {
  const mails = await db
    .selectFrom('inbound_mail')
    .leftJoin('cases', 'cases.id', 'inbound_mail.case_id')
    .select([
      'inbound_mail.id',
      'inbound_mail.sender',
      'inbound_mail.recipient',
      'inbound_mail.subject',
      'inbound_mail.status',
      'inbound_mail.reason',
      'inbound_mail.received_at',
      'inbound_mail.verdict',
      'inbound_mail.verdict_reason',
      'inbound_mail.decision_reason',
      'cases.number',
    ])
    .orderBy('inbound_mail.id', 'desc')
    .limit(100)
    .execute();
  return mails.map((mail) => ({ ...mail, subject: mail.subject === null ? null : maskNationalIds(mail.subject) }));
}
