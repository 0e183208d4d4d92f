// Reads of the mail channel: which addresses we receive for, and the development mail page.
import type { Db } from '../db/index.js';

/** Whether the centre receives mail for this address (one of the areas' receiving addresses). */
export async function isReceivingAddress(db: Db, address: string): Promise<boolean> {
  const found = await db
    .selectFrom('mailbox_addresses')
    .select('address')
    .where('address', '=', address.toLowerCase())
    .executeTakeFirst();
  return found !== undefined;
}

/** Development only: the newest mail the app would have sent. */
export function devMail(db: Db, limit = 100) {
  return db.selectFrom('dev_mail').selectAll().orderBy('id', 'desc').limit(limit).execute();
}
