import { sql, type ExpressionBuilder } from 'kysely';
import type { DB } from '../db/schema.js';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import { preparedMark, type Db } from '../db/index.js';
import { anyOfWords } from '../db/text-search.js';
import type { Viewer } from '../auth/viewer.js';
import { hidesInternalNotes, notAnInternalNote, visibleCases } from './visibility.js';
import type { Answer } from '../forms/answers.js';
import type { FormField } from '../forms/definition.js';

export const statuses = ['active', 'in_progress', 'awaiting_customer', 'closed', 'postponed'] as const;
export type CaseStatus = (typeof statuses)[number];

/** A case's own columns that every list and page shows. */
export const caseBasics = [
  'cases.id',
  'cases.number',
  'cases.title',
  'cases.status',
  'cases.channel',
  'cases.created_at',
  'cases.updated_at',
  'cases.due_at',
] as const;

/**
 * What every list and page shows about a case. Names come from scalar subqueries on primary keys rather
 * than joins: with seven tables to order, planning a list took longer than running it (25 ms against 2).
 */
export function caseSummary(eb: ExpressionBuilder<DB, 'cases'>) {
  const area = (column: 'name_nb' | 'name_en') =>
    sql<string>`(${eb.selectFrom('areas').select(column).whereRef('areas.id', '=', 'cases.area_id')})`;
  const form = (column: 'name_nb' | 'name_en') =>
    eb.selectFrom('forms').select(column).whereRef('forms.id', '=', 'cases.form_id');
  const category = (column: 'name_nb' | 'name_en') =>
    eb.selectFrom('categories').select(column).whereRef('categories.id', '=', 'cases.category_id');
  const group = (column: 'name_nb' | 'name_en') =>
    eb.selectFrom('groups').select(column).whereRef('groups.id', '=', 'cases.group_id');
  return [
    ...caseBasics,
    area('name_nb').as('area_nb'),
    area('name_en').as('area_en'),
    'cases.requester_name as requester',
    eb.selectFrom('agencies').select('name').whereRef('agencies.id', '=', 'cases.agency_id').as('agency'),
    form('name_nb').as('form_nb'),
    form('name_en').as('form_en'),
    category('name_nb').as('category_nb'),
    category('name_en').as('category_en'),
    group('name_nb').as('group_nb'),
    group('name_en').as('group_en'),
    eb.selectFrom('users').select('name').whereRef('users.id', '=', 'cases.assignee_id').as('assignee'),
    'cases.sla_paused_at',
    'cases.priority',
  ] as const;
}

/** Visible cases, for a summary (see caseSummary). */
export function summarisedCases(db: Db, viewer: Viewer) {
  return visibleCases(db, viewer);
}

export async function findCase(db: Db, viewer: Viewer, number: string) {
  const row = await summarisedCases(db, viewer)
    .select((eb) => [
      ...caseSummary(eb),
      'cases.body',
      'cases.area_id',
      'cases.agency_id',
      'cases.answers',
      'cases.version',
      'cases.expected_at',
      'cases.group_id',
      'cases.assignee_id',
      'cases.classification',
      'cases.priority',
      'cases.category_id',
      'cases.resolution',
      'cases.time_spent_minutes',
      eb.selectFrom('areas').select('closing_requires').whereRef('areas.id', '=', 'cases.area_id').as('closing'),
      eb.selectFrom('forms').select('forms.fields').whereRef('forms.id', '=', 'cases.form_id').as('form_fields'),
    ])
    .select((eb) =>
      eb
        .selectFrom('shared_mailboxes')
        .select('shared_mailboxes.name')
        .whereRef('shared_mailboxes.id', '=', 'cases.shared_mailbox_id')
        .as('mailbox'),
    )
    .where('cases.number', '=', number)
    .modifyEnd(preparedMark)
    .executeTakeFirst();
  return (
    row && {
      ...row,
      answers: row.answers as Record<string, Answer>,
      form_fields: (row.form_fields ?? []) as unknown as FormField[],
    }
  );
}

/** The case's events as the viewer may see them. Call only with a case found through visibleCases. */
export async function caseTimeline(db: Db, viewer: Viewer, caseId: number) {
  return db
    .selectFrom('case_events')
    .leftJoin('users as actor', 'actor.id', 'case_events.actor_id')
    .select(['case_events.id', 'case_events.kind', 'case_events.data', 'case_events.created_at', 'actor.name as actor'])
    .where('case_events.case_id', '=', caseId)
    .orderBy('case_events.id')
    .$if(hidesInternalNotes(viewer), (query) => query.where(notAnInternalNote))
    .modifyEnd(preparedMark)
    .execute();
}

export async function activeAreas(db: Db) {
  return db
    .selectFrom('areas')
    .select(['id', 'code', 'name_nb', 'name_en', 'description_nb', 'description_en'])
    .where('active', '=', true)
    .orderBy('sort_order')
    .orderBy('id')
    .execute();
}

/**
 * What a caseworker sees beside a case: the customer, their agency and roles, their other cases, and
 * cases like this one (see similarCases). Only through visibleCases.
 */
export async function customerPanel(db: Db, viewer: Viewer, caseId: number) {
  const current = await visibleCases(db, viewer)
    .select(['cases.id', 'cases.area_id', 'cases.requester_id', 'cases.sender_address', 'cases.title'])
    .where('cases.id', '=', caseId)
    .modifyEnd(preparedMark)
    .executeTakeFirst();
  if (!current) return undefined;
  const requesterId = current.requester_id;
  const [person, otherCases, similar] = await Promise.all([
    requesterId === null
      ? undefined
      : db
          .selectFrom('users')
          .select((eb) => [
            'users.name',
            'users.email',
            jsonArrayFrom(
              eb
                .selectFrom('agency_members')
                .innerJoin('agencies', 'agencies.id', 'agency_members.agency_id')
                .select('agencies.name')
                .whereRef('agency_members.user_id', '=', 'users.id'),
            ).as('agencies'),
            jsonArrayFrom(
              eb
                .selectFrom('user_roles')
                .leftJoin('areas', 'areas.id', 'user_roles.area_id')
                .select(['user_roles.role', 'areas.name_nb', 'areas.name_en'])
                .whereRef('user_roles.user_id', '=', 'users.id'),
            ).as('roles'),
          ])
          .where('users.id', '=', requesterId)
          .modifyEnd(preparedMark)
          .executeTakeFirstOrThrow(),
    // Earlier cases of the same person, or for an unlinked case earlier mail from the same address.
    visibleCases(db, viewer)
      .select(['cases.number', 'cases.title', 'cases.status', 'cases.created_at'])
      .where((eb) =>
        requesterId === null
          ? eb('cases.sender_address', '=', current.sender_address)
          : eb('cases.requester_id', '=', requesterId),
      )
      .where('cases.id', '<>', caseId)
      .orderBy('cases.created_at', 'desc')
      .limit(10)
      .modifyEnd(preparedMark)
      .execute(),
    similarCases(db, viewer, current),
  ]);
  const mailFailure = await db
    .selectFrom('mail_failures')
    .select(['last_reason', 'last_failed_at'])
    .where('address', '=', person?.email ?? current.sender_address ?? '')
    .modifyEnd(preparedMark)
    .executeTakeFirst();
  return { person, senderAddress: current.sender_address, otherCases, similar, mailFailure };
}

/** How many of an area's newest cases are searched for ones like the case at hand. */
export const similarPool = 1000;

/**
 * Cases like this one: among the `similarPool` newest cases of its area that the viewer may see, those
 * sharing a word of its title (in their title, description or messages), best match first. A bounded
 * walk of one index whatever the words. It used to walk the newest cases of the whole table until 500
 * matches were found, which for words in few cases read most of the table (under load, 21 ms of the 39 ms
 * a case page cost the database).
 */
function similarCases(
  db: Db,
  viewer: Viewer,
  current: { id: number; area_id: number; title: string },
): Promise<{ number: string; title: string; status: string }[]> {
  const words = anyOfWords(current.title);
  if (!words) return Promise.resolve([]);
  const recent = visibleCases(db, viewer)
    .select(['cases.id', 'cases.number', 'cases.title', 'cases.status', 'cases.created_at', 'cases.search'])
    .where('cases.area_id', '=', current.area_id)
    .orderBy('cases.created_at', 'desc')
    .limit(similarPool)
    .as('recent');
  return db
    .selectFrom(recent)
    .select(['recent.number', 'recent.title', 'recent.status'])
    .where(sql<boolean>`recent.search @@ to_tsquery('norwegian', ${words})`)
    .where('recent.id', '<>', current.id)
    .orderBy(sql`ts_rank(recent.search, to_tsquery('norwegian', ${words}))`, 'desc')
    .orderBy('recent.created_at', 'desc')
    .limit(5)
    .execute();
}
