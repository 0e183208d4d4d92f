// A case's handling beyond its status: category, priority, resolution and time spent. Staff change them
// from the case page (alone, or with a reply that closes the case); each change is a "handling" event,
// which only staff see (priority is never shown to customers).
import { sql } from 'kysely';
import { followTarget } from './deadline.js';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/index.js';
import type { Json } from '../db/schema.js';
import { inTransaction } from '../db/index.js';
import { hasProblems, type Problems } from '../web/input.js';
import { lockVisibleCase } from './lock.js';
import { answerTemplates } from '../work/templates.js';
import {
  isStale,
  priorities,
  resolutions,
  versionConflict,
  type Handling,
  type Priority,
  type Refusal,
} from './rules.js';

export interface HandlingChange extends Partial<Handling> {
  priority?: Priority;
}

export const timeSpentMax = 100_000;

/** A submitted handling field as the service takes it: absent (unchanged), null (emptied), or a value. */
export function readHandling(fields: Record<string, unknown>, names: readonly string[]): HandlingChange {
  const text = (name: string) =>
    names.includes(name) && typeof fields[name] === 'string' ? (fields[name] as string).trim() : undefined;
  const change: HandlingChange = {};
  const category = text('category_id');
  if (category !== undefined)
    change.categoryId = category === '' ? null : /^\d{1,15}$/.test(category) ? Number(category) : -1;
  const priority = text('priority');
  if (priority !== undefined) change.priority = priority as Priority;
  const resolution = text('resolution');
  if (resolution !== undefined) change.resolution = resolution === '' ? null : resolution;
  const minutes = text('time_spent');
  if (minutes !== undefined)
    change.timeSpentMinutes = minutes === '' ? null : /^\d{1,6}$/.test(minutes) ? Number(minutes) : -1;
  return change;
}

/** Each value must be one the case's area offers; problems are keyed by the form's inputs. */
export async function checkHandling(db: Db, areaId: number, change: HandlingChange): Promise<Problems> {
  const problems: Problems = {};
  if (change.categoryId !== undefined && change.categoryId !== null) {
    const category = await db
      .selectFrom('categories')
      .select('id')
      .where('id', '=', change.categoryId)
      .where('area_id', '=', areaId)
      .where('active', '=', true)
      .executeTakeFirst();
    if (!category) problems.category_id = { key: 'work.errors.categoryOutsideArea' };
  }
  if (change.priority !== undefined && !priorities.includes(change.priority))
    problems.priority = { key: 'work.errors.priority' };
  if (
    change.resolution !== undefined &&
    change.resolution !== null &&
    !(resolutions as readonly string[]).includes(change.resolution)
  )
    problems.resolution = { key: 'work.errors.resolution' };
  if (
    change.timeSpentMinutes !== undefined &&
    change.timeSpentMinutes !== null &&
    (change.timeSpentMinutes < 1 || change.timeSpentMinutes > timeSpentMax)
  )
    problems.time_spent = { key: 'work.errors.timeSpent', params: { max: String(timeSpentMax) } };
  return problems;
}

interface Current {
  id: number;
  category_id: number | null;
  resolution?: string | null;
  time_spent_minutes?: number | null;
  priority?: string;
}

/**
 * Writes the fields that changed and one handling event naming them (categories by name, as they were
 * called then). Returns whether anything changed; the caller bumps the case's version.
 */
export async function recordHandling(db: Db, viewer: Viewer, current: Current, change: HandlingChange) {
  const data: Record<string, { from: Json; to: Json }> = {};
  if (change.categoryId !== undefined && change.categoryId !== current.category_id) {
    const names = await db
      .selectFrom('categories')
      .select(['id', 'name_nb', 'name_en'])
      .where('id', 'in', [current.category_id ?? 0, change.categoryId ?? 0])
      .execute();
    const name = (id: number | null) => {
      const found = names.find((n) => n.id === id);
      return found ? { nb: found.name_nb, en: found.name_en } : null;
    };
    data.category = { from: name(current.category_id), to: name(change.categoryId) };
  }
  if (change.priority !== undefined && current.priority !== undefined && change.priority !== current.priority)
    data.priority = { from: current.priority, to: change.priority };
  if (change.resolution !== undefined && change.resolution !== current.resolution)
    data.resolution = { from: current.resolution ?? null, to: change.resolution };
  if (change.timeSpentMinutes !== undefined && change.timeSpentMinutes !== current.time_spent_minutes)
    data.timeSpent = { from: current.time_spent_minutes ?? null, to: change.timeSpentMinutes };
  if (Object.keys(data).length === 0) return false;
  await db
    .insertInto('case_events')
    .values({ case_id: current.id, kind: 'handling', actor_id: viewer.userId, data })
    .execute();
  await db
    .updateTable('cases')
    .set({
      ...(data.category ? { category_id: change.categoryId } : {}),
      ...(data.priority ? { priority: change.priority } : {}),
      ...(data.resolution ? { resolution: change.resolution } : {}),
      ...(data.timeSpent ? { time_spent_minutes: change.timeSpentMinutes } : {}),
      updated_at: sql`now()`,
    })
    .where('id', '=', current.id)
    .execute();
  // The category can carry a target of its own (NAV refunds within a week): the deadline follows it.
  if (data.category) await followTarget(db, current.id);
  return true;
}

/** Changes a case's handling from its page, checked against the version the form showed. */
export async function handleCase(
  db: Db,
  viewer: Viewer,
  caseNumber: string,
  change: HandlingChange,
  version: number | undefined,
): Promise<{ changed: boolean } | Refusal> {
  return inTransaction(db, async (trx) => {
    const found = await lockVisibleCase(
      trx,
      viewer,
      caseNumber,
      (cases) =>
        cases.select([
          'cases.id',
          'cases.area_id',
          'cases.version',
          'cases.category_id',
          'cases.priority',
          'cases.resolution',
          'cases.time_spent_minutes',
        ]),
      'case.assign',
    );
    if (isStale(version, found.version)) return versionConflict;
    const problems = await checkHandling(trx, found.area_id, change);
    if (hasProblems(problems)) return { problems, status: 422 };
    const changed = await recordHandling(trx, viewer, found, change);
    if (changed) await trx.updateTable('cases').set({ version: sql`version + 1` }).where('id', '=', found.id).execute();
    return { changed };
  });
}

export interface MacroAssignment {
  /** undefined: the case keeps its group. */
  groupId: number | undefined;
  /** The caseworker who applies the template takes the case. */
  assignSelf: boolean;
}

/**
 * An answer template's settings as a change to the case: null when the template is not one of the
 * case's area (or not there at all), so it cannot be applied from outside the area.
 */
export async function macroFor(db: Db, areaId: number, templateId: number) {
  const template = (await answerTemplates(db, areaId)).find((t) => t.id === templateId);
  if (!template) return null;
  const handling: HandlingChange = {};
  if (template.set_category_id !== null) handling.categoryId = template.set_category_id;
  if (template.set_priority !== null) handling.priority = template.set_priority as Priority;
  const assignment: MacroAssignment | undefined =
    template.set_group_id !== null || template.set_assign_self
      ? { groupId: template.set_group_id ?? undefined, assignSelf: template.set_assign_self }
      : undefined;
  return { handling, assignment };
}

/** A macro's assignment, in the reply's transaction, as an assignment event like any other. */
export async function applyAssignment(
  db: Db,
  viewer: Viewer,
  current: { id: number; group_id: number | null; assignee_id: number | null },
  assignment: MacroAssignment,
) {
  const groupId = assignment.groupId ?? current.group_id;
  const assigneeId = assignment.assignSelf ? viewer.userId : current.assignee_id;
  if (groupId === current.group_id && assigneeId === current.assignee_id) return;
  const group =
    groupId === null
      ? undefined
      : await db.selectFrom('groups').select(['id', 'name_nb', 'name_en']).where('id', '=', groupId).executeTakeFirst();
  const assignee =
    assigneeId === null
      ? undefined
      : await db.selectFrom('users').select(['id', 'name']).where('id', '=', assigneeId).executeTakeFirst();
  await assignmentEvent(db, viewer, current.id, group, assignee);
  await db
    .updateTable('cases')
    .set({ group_id: groupId, assignee_id: assigneeId })
    .where('id', '=', current.id)
    .execute();
}

/** The timeline's record of an assignment: the group and person by name, as they were called then. */
export async function assignmentEvent(
  db: Db,
  viewer: Viewer,
  caseId: number,
  group: { id: number; name_nb: string; name_en: string } | null | undefined,
  assignee: { id: number; name: string } | null | undefined,
) {
  await db
    .insertInto('case_events')
    .values({
      case_id: caseId,
      kind: 'assignment',
      actor_id: viewer.userId,
      data: {
        group: group ? { id: group.id, nb: group.name_nb, en: group.name_en } : null,
        assignee: assignee ? { id: assignee.id, name: assignee.name } : null,
      },
    })
    .execute();
}
