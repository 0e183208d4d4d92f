import type { Db } from '../db/index.js';
import type { Viewer } from '../auth/viewer.js';
import { visibleCases } from './visibility.js';
import type { Answer } from '../forms/answers.js';
import type { FormField } from '../forms/definition.js';

export const statuses = ['active', 'in_progress', 'awaiting_customer', 'closed', 'postponed'] as const;
export type CaseStatus = (typeof statuses)[number];

/** Visible cases with what every list and page shows about them. */
function caseRows(db: Db, viewer: Viewer) {
  return visibleCases(db, viewer)
    .innerJoin('areas', 'areas.id', 'cases.area_id')
    .innerJoin('agencies', 'agencies.id', 'cases.agency_id')
    .innerJoin('users as requester', 'requester.id', 'cases.requester_id')
    .select([
      'cases.id',
      'cases.number',
      'cases.title',
      'cases.status',
      'cases.channel',
      'cases.created_at',
      'cases.updated_at',
      'areas.name_nb as area_nb',
      'areas.name_en as area_en',
      'agencies.name as agency',
      'requester.name as requester',
    ]);
}

export async function findCase(db: Db, viewer: Viewer, number: string) {
  const row = await caseRows(db, viewer)
    .leftJoin('forms', 'forms.id', 'cases.form_id')
    .leftJoin('categories', 'categories.id', 'cases.category_id')
    .select([
      'cases.body',
      'cases.area_id',
      'cases.due_at',
      'cases.answers',
      'forms.name_nb as form_nb',
      'forms.name_en as form_en',
      'forms.fields as form_fields',
      'categories.name_nb as category_nb',
      'categories.name_en as category_en',
    ])
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
