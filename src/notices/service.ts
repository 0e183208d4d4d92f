// Notices for caseworkers, written in the transaction of what they announce: the assignee hears of a
// case (or, when nobody has it, every member of its group); the one who did it is never told. Whoever
// asked for it also gets a content-free e-mail through the outbox, once per notice.
import type { Db } from '../db/index.js';
import { enqueueMail } from '../mail/outbox.js';

export const noticeKinds = ['customer_reply', 'assigned', 'held_mail', 'deadline'] as const;
export type NoticeKind = (typeof noticeKinds)[number];

export interface Notice {
  kind: NoticeKind;
  caseId?: number;
  inboundId?: number;
  /** One notice per thing that happened and recipient, however often it is announced. */
  dedupe: string;
  recipients: readonly number[];
  /** Who caused it: never told about their own doing. */
  actorId?: number | null;
  publicUrl: URL;
}

/** Who hears about a case: its assignee, or every active member of its group when nobody has it. */
export async function caseRecipients(db: Db, caseId: number): Promise<number[]> {
  const found = await db
    .selectFrom('cases')
    .select(['assignee_id', 'group_id'])
    .where('id', '=', caseId)
    .executeTakeFirst();
  if (!found) return [];
  if (found.assignee_id !== null) return [found.assignee_id];
  return found.group_id === null ? [] : groupMembers(db, found.group_id);
}

/** The active members of a caseworker group. */
async function groupMembers(db: Db, groupId: number): Promise<number[]> {
  const members = await db
    .selectFrom('group_members')
    .innerJoin('users', 'users.id', 'group_members.user_id')
    .select('users.id')
    .where('group_members.group_id', '=', groupId)
    .where('users.active', '=', true)
    .execute();
  return members.map((m) => m.id);
}

export async function notify(db: Db, notice: Notice): Promise<number> {
  const recipients = [...new Set(notice.recipients)].filter((id) => id !== notice.actorId);
  if (recipients.length === 0) return 0;
  const written = await db
    .insertInto('staff_notices')
    .values(
      recipients.map((userId) => ({
        user_id: userId,
        kind: notice.kind,
        case_id: notice.caseId ?? null,
        inbound_id: notice.inboundId ?? null,
        dedupe: notice.dedupe,
      })),
    )
    .onConflict((oc) => oc.columns(['user_id', 'dedupe']).doNothing())
    .returning(['id', 'user_id'])
    .execute();
  if (written.length === 0) return 0;
  const wanting = await db
    .selectFrom('users')
    .select(['id', 'name', 'email', 'language'])
    .where(
      'id',
      'in',
      written.map((w) => w.user_id),
    )
    .where('notice_email', '=', true)
    .where('active', '=', true)
    .execute();
  const number = notice.caseId
    ? ((await db.selectFrom('cases').select('number').where('id', '=', notice.caseId).executeTakeFirst())?.number ?? '')
    : '';
  for (const person of wanting) {
    const id = written.find((w) => w.user_id === person.id)!.id;
    await enqueueMail(db, {
      kind: 'staff_notice',
      idempotencyKey: `staff-notice:${id}`,
      recipient: person.email,
      language: person.language === 'en' ? 'en' : 'nb',
      payload: {
        name: person.name,
        what: notice.kind,
        number,
        link: new URL(`/work/notices/${id}`, notice.publicUrl).href,
      },
    });
  }
  return written.length;
}

/** Notices about a case go to whoever has it now. */
export async function notifyAboutCase(db: Db, notice: Omit<Notice, 'recipients'> & { caseId: number }) {
  return notify(db, { ...notice, recipients: await caseRecipients(db, notice.caseId) });
}

/**
 * Held mail claims a case (then whoever has it hears) or comes to one of the centre's addresses (then
 * the group of that address, or of its area's routing, hears).
 */
export async function heldMailRecipients(db: Db, address: string, caseNumber: string | undefined) {
  if (caseNumber) {
    const found = await db.selectFrom('cases').select('id').where('number', '=', caseNumber).executeTakeFirst();
    if (found) return caseRecipients(db, found.id);
  }
  const target = await db
    .selectFrom('mailbox_addresses')
    .leftJoin('routing_rules', (join) =>
      join.onRef('routing_rules.area_id', '=', 'mailbox_addresses.area_id').on('routing_rules.form_id', 'is', null),
    )
    .select((eb) => eb.fn.coalesce('mailbox_addresses.group_id', 'routing_rules.group_id').as('group_id'))
    .where('mailbox_addresses.address', '=', address)
    .executeTakeFirst();
  return target?.group_id ? groupMembers(db, target.group_id) : [];
}
