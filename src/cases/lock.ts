// The preamble of every verb on an existing case, written once: find the case as the viewer sees it,
// lock its row, answer 404 when it is not there for them, and 403 when the guard refuses the action in
// the case's area.
import type { SelectQueryBuilder } from 'kysely';
import { can, type Action } from '../auth/guards.js';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/index.js';
import type { DB } from '../db/schema.js';
import { HttpError, notFound } from '../web/errors.js';
import { visibleCases } from './visibility.js';

type VisibleCase = ReturnType<typeof visibleCases>;
// biome-ignore lint/suspicious/noExplicitAny: the caller's joins decide the tables; the row type is what matters
type Selected<Row> = SelectQueryBuilder<DB, any, Row>;

async function findVisibleCase<Row extends { area_id: number }>(
  query: Selected<Row>,
  viewer: Viewer,
  action: Action | undefined,
): Promise<Row> {
  const found = (await query.executeTakeFirst()) as Row | undefined;
  if (!found) throw notFound();
  if (action && !can(viewer, action, { areaId: found.area_id })) throw new HttpError(403, 'forbidden');
  return found;
}

/** The case row, locked until the caller's transaction ends; `select` picks the columns (and joins). */
export function lockVisibleCase<Row extends { area_id: number }>(
  trx: Db,
  viewer: Viewer,
  caseNumber: string,
  select: (cases: VisibleCase) => Selected<Row>,
  action?: Action,
): Promise<Row> {
  const query = select(visibleCases(trx, viewer).where('cases.number', '=', caseNumber)).forUpdate('cases');
  return findVisibleCase(query, viewer, action);
}

/** The same without a lock, for verbs that change rows other than the case's. */
export function visibleCaseFor<Row extends { area_id: number }>(
  db: Db,
  viewer: Viewer,
  caseNumber: string,
  select: (cases: VisibleCase) => Selected<Row>,
  action?: Action,
): Promise<Row> {
  return findVisibleCase(select(visibleCases(db, viewer).where('cases.number', '=', caseNumber)), viewer, action);
}
