// What the settings pages read and write.
import { remeasure } from '../sla/measures.js';
import type { Db } from '../db/index.js';
import type { Viewer } from '../auth/viewer.js';

export async function settings(db: Db) {
  const [closedDays, targets, areas, forms] = await Promise.all([
    db
      .selectFrom('closed_days')
      .select(['day', 'reason_nb', 'reason_en'])
      .where('day', '>=', new Date(Date.now() - 366 * 86_400_000).toISOString().slice(0, 10))
      .orderBy('day')
      .execute(),
    db
      .selectFrom('service_targets')
      .leftJoin('areas', 'areas.id', 'service_targets.area_id')
      .leftJoin('forms', 'forms.id', 'service_targets.form_id')
      .select([
        'service_targets.id',
        'service_targets.working_days',
        'service_targets.classification',
        'areas.name_nb as area_nb',
        'areas.name_en as area_en',
        'forms.name_nb as form_nb',
        'forms.name_en as form_en',
      ])
      .orderBy('service_targets.id')
      .execute(),
    db
      .selectFrom('areas')
      .select(['id', 'name_nb', 'name_en'])
      .where('active', '=', true)
      .orderBy('sort_order')
      .execute(),
    db
      .selectFrom('forms')
      .innerJoin('areas', 'areas.id', 'forms.area_id')
      .select(['forms.id', 'forms.name_nb', 'forms.name_en', 'areas.name_nb as area_nb', 'areas.name_en as area_en'])
      .orderBy('areas.sort_order')
      .orderBy('forms.sort_order')
      .execute(),
  ]);
  return { closedDays, targets, areas, forms };
}

/** A day the centre is closed; cases whose measured time spans it are measured again (in `db`'s transaction). */
export async function addClosedDay(
  db: Db,
  viewer: Viewer,
  day: { day: string; reason_nb: string; reason_en: string },
): Promise<void> {
  await db
    .insertInto('closed_days')
    .values({ ...day, created_by: viewer.userId })
    .onConflict((oc) => oc.column('day').doNothing())
    .execute();
  await remeasure(db, day.day, day.day);
}

export async function removeClosedDay(db: Db, day: string): Promise<void> {
  await db.deleteFrom('closed_days').where('day', '=', day).execute();
  await remeasure(db, day, day);
}

export function setServiceTarget(
  db: Db,
  target: {
    areaId: number | null;
    formId: number | null;
    classification: 'change_request' | null;
    workingDays: number;
  },
) {
  return db
    .insertInto('service_targets')
    .values({
      area_id: target.areaId,
      form_id: target.formId,
      classification: target.classification,
      working_days: target.workingDays,
    })
    .onConflict((oc) =>
      oc.columns(['area_id', 'form_id', 'classification']).doUpdateSet({ working_days: target.workingDays }),
    )
    .execute();
}

export function listEditors(db: Db) {
  return db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select(['users.id', 'users.name', 'users.email'])
    .where('user_roles.role', '=', 'editor')
    .orderBy('users.name')
    .execute();
}

/** Makes an active user with this e-mail an editor; false when there is no such user. */
/** Grants the editor role to an active user; resolves with their id, or undefined for no such user. */
export async function grantEditor(db: Db, email: string): Promise<number | undefined> {
  const user = await db
    .selectFrom('users')
    .select('id')
    .where('email', '=', email)
    .where('active', '=', true)
    .executeTakeFirst();
  if (!user) return undefined;
  await db
    .insertInto('user_roles')
    .values({ user_id: user.id, role: 'editor' })
    .onConflict((oc) => oc.doNothing())
    .execute();
  return user.id;
}

/** Removes the editor role; resolves with whether the user had it. */
export async function removeEditor(db: Db, userId: number): Promise<boolean> {
  const result = await db
    .deleteFrom('user_roles')
    .where('user_id', '=', userId)
    .where('role', '=', 'editor')
    .executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}
