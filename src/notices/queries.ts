// A caseworker's notices: only ever their own (by user id), newest first, with the case's number.
import type { Db } from '../db/index.js';

const pageSize = 50;

export function noticesOf(db: Db, userId: number) {
  return db
    .selectFrom('staff_notices')
    .leftJoin('cases', 'cases.id', 'staff_notices.case_id')
    .select([
      'staff_notices.id',
      'staff_notices.kind',
      'staff_notices.created_at',
      'staff_notices.read_at',
      'staff_notices.inbound_id',
      'cases.number',
      'cases.title',
    ])
    .where('staff_notices.user_id', '=', userId)
    .orderBy('staff_notices.id', 'desc')
    .limit(pageSize)
    .execute();
}

export async function unreadCount(db: Db, userId: number): Promise<number> {
  const row = await db
    .selectFrom('staff_notices')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Marks one of the user's notices read and says where it leads; undefined when it is not theirs. */
export async function openNotice(db: Db, userId: number, id: number) {
  return db
    .updateTable('staff_notices')
    .set((eb) => ({ read_at: eb.fn.coalesce('read_at', eb.fn<Date>('now')) }))
    .where('id', '=', id)
    .where('user_id', '=', userId)
    .returning((eb) => [
      'inbound_id',
      eb.selectFrom('cases').select('number').whereRef('cases.id', '=', 'staff_notices.case_id').as('number'),
    ])
    .executeTakeFirst();
}

export async function markAllRead(db: Db, userId: number) {
  await db
    .updateTable('staff_notices')
    .set({ read_at: new Date() })
    .where('user_id', '=', userId)
    .where('read_at', 'is', null)
    .execute();
}

export async function noticeEmail(db: Db, userId: number) {
  const row = await db.selectFrom('users').select('notice_email').where('id', '=', userId).executeTakeFirst();
  return row?.notice_email ?? false;
}

export async function setNoticeEmail(db: Db, userId: number, wanted: boolean) {
  await db.updateTable('users').set({ notice_email: wanted }).where('id', '=', userId).execute();
}
