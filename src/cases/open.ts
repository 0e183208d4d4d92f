// What every new case gets, whatever its channel: a number, a deadline, a group, the created event,
// its files and the acknowledgement, in the caller's transaction.
import { storeAttachments } from '../attachments/service.js';
import { storeHeldFiles, type HeldFile } from '../attachments/held.js';
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import type { CheckedFile } from '../attachments/files.js';
import { enqueueMail } from '../mail/outbox.js';
import { osloDay } from '../sla/calendar.js';
import { formatDate } from '../web/i18n.js';
import { deadlineFor } from '../sla/targets.js';
import type { Language } from '../web/i18n.js';
import { caseLink } from './rules.js';

/**
 * The next case number of this year (Europe/Oslo). The counter row lock orders concurrent cases; a rolled-back case
 * never consumes a number.
 */
export async function nextCaseNumber(trx: Db): Promise<string> {
  const year = Number(new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: 'Europe/Oslo' }).format(new Date()));
  const { last_value } = await trx
    .insertInto('case_number_counters')
    .values({ year, last_value: 1 })
    .onConflict((oc) => oc.column('year').doUpdateSet({ last_value: sql`case_number_counters.last_value + 1` }))
    .returning('last_value')
    .executeTakeFirstOrThrow();
  return `${year}-${String(last_value).padStart(6, '0')}`;
}

export interface CaseOpening {
  title: string;
  body: string;
  areaId: number;
  /** Null, with the requester, for mail from an address no user has: a caseworker links it later. */
  agencyId: number | null;
  requester: { userId: number; name: string; email: string; language: Language | null } | { senderAddress: string };
  /**
   * Who opened it: the requester on the web and by mail, a caseworker for a phone case, nobody for an unknown sender.
   */
  actorId: number | null;
  channel: 'web' | 'email' | 'phone';
  formId: number | null;
  categoryId: number | null;
  /** A group chosen by the way the case came in (a receiving address); else the routing rules decide. */
  groupId?: number | null;
  answers: Record<string, unknown>;
  files: readonly CheckedFile[];
  /** Files held from an earlier try of the same form (`src/attachments/held.ts`). */
  heldFiles?: readonly HeldFile[];
  eventData?: Record<string, unknown>;
  /** Sent as this shared mailbox of the agency: its members share the case, and its address gets the mail. */
  mailbox?: { id: number; name: string; email: string } | undefined;
  acknowledge: boolean;
  language: Language;
  publicUrl: URL;
}

/** A customer as a case's requester, in their own language when they chose one. */
export function requesterOf(user: { id: number; name: string; email: string; language: string | null }) {
  const language: Language | null = user.language === 'en' ? 'en' : user.language === 'nb' ? 'nb' : null;
  return { userId: user.id, name: user.name, email: user.email, language };
}

/**
 * What every new case gets, whatever its channel, in the caller's transaction: a number, its
 * deadline from the target and the calendar, its group from the routing rules, the created event,
 * its files, and the acknowledgement (number and link, never the title or the description).
 */
export async function openCase(trx: Db, o: CaseOpening): Promise<{ id: number; number: string }> {
  const number = await nextCaseNumber(trx);
  const { dueAt } = await deadlineFor(
    trx,
    { areaId: o.areaId, formId: o.formId, categoryId: o.categoryId, classification: null },
    new Date(),
  );
  const created = await trx
    .insertInto('cases')
    .values({
      number,
      title: o.title,
      body: o.body,
      area_id: o.areaId,
      agency_id: o.agencyId,
      requester_id: 'userId' in o.requester ? o.requester.userId : null,
      sender_address: 'senderAddress' in o.requester ? o.requester.senderAddress : null,
      channel: o.channel,
      form_id: o.formId,
      category_id: o.categoryId,
      answers: JSON.stringify(o.answers),
      due_at: dueAt,
      group_id: o.groupId ?? (await routedGroup(trx, o.areaId, o.formId)),
      shared_mailbox_id: o.mailbox?.id ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const event = await trx
    .insertInto('case_events')
    .values({ case_id: created.id, kind: 'created', actor_id: o.actorId, data: { channel: o.channel, ...o.eventData } })
    .returning('id')
    .executeTakeFirstOrThrow();
  await storeAttachments(trx, { caseId: created.id, eventId: event.id, userId: o.actorId }, o.files);
  await storeHeldFiles(trx, { caseId: created.id, eventId: event.id, userId: o.actorId }, o.heldFiles ?? []);
  if (o.acknowledge && 'userId' in o.requester) {
    await enqueueMail(trx, {
      kind: 'case_acknowledgement',
      idempotencyKey: `case-acknowledgement:${created.id}`,
      recipient: o.mailbox?.email ?? o.requester.email,
      language: o.requester.language ?? o.language,
      payload: {
        name: o.mailbox?.name ?? o.requester.name,
        number,
        link: caseLink(o.publicUrl, number),
        // The real deadline, as the recipient reads dates.
        due: formatDate(o.requester.language ?? o.language, osloDay(dueAt)),
      },
    });
  }
  return { id: created.id, number };
}

/** The group a new case goes to: a rule for its area and form, else one for its area alone. */
export async function routedGroup(db: Db, areaId: number, formId: number | null): Promise<number | null> {
  const rule = await db
    .selectFrom('routing_rules')
    .select('group_id')
    .where('area_id', '=', areaId)
    .where((eb) => eb.or([eb('form_id', 'is', null), ...(formId === null ? [] : [eb('form_id', '=', formId)])]))
    .orderBy(sql`form_id IS NULL`)
    .limit(1)
    .executeTakeFirst();
  return rule?.group_id ?? null;
}
