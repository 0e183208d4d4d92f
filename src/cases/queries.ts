import type { Db } from '../db/index.js';
import type { Viewer } from '../auth/viewer.js';
import { visibleCases } from './visibility.js';
import type { Answer } from '../forms/answers.js';
import type { FormField } from '../forms/definition.js';

export const statuses = ['active', 'in_progress', 'awaiting_customer', 'closed', 'postponed'] as const;
export type CaseStatus = (typeof statuses)[number];

/** What every list and page shows about a case; the query must join areas, agencies, forms and categories. */
export const caseSummary = [
  'cases.id',
  'cases.number',
  'cases.title',
  'cases.status',
  'cases.channel',
  'cases.created_at',
  'cases.updated_at',
  'cases.due_at',
  'areas.name_nb as area_nb',
  'areas.name_en as area_en',
  'cases.requester_name as requester',
  'agencies.name as agency',
  'forms.name_nb as form_nb',
  'forms.name_en as form_en',
  'categories.name_nb as category_nb',
  'categories.name_en as category_en',
  'groups.name_nb as group_nb',
  'groups.name_en as group_en',
  'assignee.name as assignee',
  'cases.sla_paused_at',
] as const;

/** Visible cases joined with what a summary shows. */
export function summarisedCases(db: Db, viewer: Viewer) {
  return visibleCases(db, viewer)
    .innerJoin('areas', 'areas.id', 'cases.area_id')
    .innerJoin('agencies', 'agencies.id', 'cases.agency_id')
    .leftJoin('forms', 'forms.id', 'cases.form_id')
    .leftJoin('categories', 'categories.id', 'cases.category_id')
    .leftJoin('groups', 'groups.id', 'cases.group_id')
    .leftJoin('users as assignee', 'assignee.id', 'cases.assignee_id');
}

export async function findCase(db: Db, viewer: Viewer, number: string) {
  const row = await summarisedCases(db, viewer)
    .select([...caseSummary, 'cases.body', 'cases.area_id', 'cases.answers', 'cases.version', 'cases.expected_at', 'cases.group_id', 'cases.assignee_id', 'forms.fields as form_fields'])
    .where('cases.number', '=', number)
    .executeTakeFirst();
  return row && { ...row, answers: row.answers as Record<string, Answer>, form_fields: (row.form_fields ?? []) as unknown as FormField[] };
}

/** The timeline a customer may see: never internal notes. Call only with a case found through visibleCases. */
export async function caseTimeline(db: Db, caseId: number, options: { includeInternal: boolean }) {
  let query = db
    .selectFrom('case_events')
    .leftJoin('users as actor', 'actor.id', 'case_events.actor_id')
    .select(['case_events.id', 'case_events.kind', 'case_events.data', 'case_events.created_at', 'actor.name as actor'])
    .where('case_events.case_id', '=', caseId)
    .orderBy('case_events.id');
  if (!options.includeInternal) query = query.where('case_events.kind', '<>', 'internal_note');
  return query.execute();
}

export async function activeAreas(db: Db) {
  return db.selectFrom('areas').select(['id', 'code', 'name_nb', 'name_en', 'description_nb', 'description_en']).where('active', '=', true).orderBy('sort_order').orderBy('id').execute();
}
