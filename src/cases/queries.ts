import type { Db } from '../db/index.js';
import type { Viewer } from '../auth/viewer.js';
import { visibleCases } from './visibility.js';

export const statuses = ['active', 'in_progress', 'awaiting_customer', 'closed', 'postponed'] as const;
export type CaseStatus = (typeof statuses)[number];

export const pageSize = 50;

/** Keyset cursor over (created_at, id): stable under inserts, no OFFSET. */
export interface Cursor {
  createdAt: Date;
  id: number;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(`${cursor.createdAt.toISOString()}|${cursor.id}`).toString('base64url');
}

export function decodeCursor(value: string | undefined): Cursor | undefined {
  if (!value) return undefined;
  const [time, id] = Buffer.from(value, 'base64url').toString().split('|');
  const createdAt = new Date(time ?? '');
  const numericId = Number(id);
  if (Number.isNaN(createdAt.getTime()) || !Number.isSafeInteger(numericId)) return undefined;
  return { createdAt, id: numericId };
}

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

export interface CaseListFilter {
  /** Only cases this viewer submitted. */
  mine: boolean;
  after?: Cursor | undefined;
}

export async function listCases(db: Db, viewer: Viewer, filter: CaseListFilter) {
  let query = caseRows(db, viewer)
    .orderBy('cases.created_at', 'desc')
    .orderBy('cases.id', 'desc')
    .limit(pageSize + 1);
  if (filter.mine) query = query.where('cases.requester_id', '=', viewer.userId);
  if (filter.after) {
    const { createdAt, id } = filter.after;
    query = query.where((eb) =>
      eb.or([eb('cases.created_at', '<', createdAt), eb.and([eb('cases.created_at', '=', createdAt), eb('cases.id', '<', id)])]),
    );
  }
  const rows = await query.execute();
  const last = rows.length > pageSize ? rows[pageSize - 1] : undefined;
  return {
    cases: rows.slice(0, pageSize),
    next: last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : undefined,
  };
}

export async function findCase(db: Db, viewer: Viewer, number: string) {
  return caseRows(db, viewer)
    .select('cases.body')
    .where('cases.number', '=', number)
    .executeTakeFirst();
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
