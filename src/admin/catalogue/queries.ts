import { containsPattern } from '../../db/text-search.js';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../../db/index.js';

export async function listAreas(db: Db, q = '') {
  let query = db
    .selectFrom('areas')
    .select((eb) => [
      'areas.id',
      'areas.code',
      'areas.name_nb',
      'areas.name_en',
      'areas.active',
      'areas.sort_order',
      eb
        .selectFrom('forms')
        .select((f) => f.fn.countAll<string>().as('n'))
        .whereRef('forms.area_id', '=', 'areas.id')
        .as('forms'),
      eb
        .selectFrom('groups')
        .select((g) => g.fn.countAll<string>().as('n'))
        .whereRef('groups.area_id', '=', 'areas.id')
        .as('groups'),
    ])
    .orderBy('sort_order')
    .orderBy('id');
  if (q)
    query = query.where((eb) =>
      eb.or([
        eb('areas.name_nb', 'ilike', containsPattern(q)),
        eb('areas.name_en', 'ilike', containsPattern(q)),
        eb('areas.code', 'ilike', containsPattern(q)),
      ]),
    );
  return query.execute();
}

export async function areaDetail(db: Db, id: number) {
  const area = await db.selectFrom('areas').selectAll().where('id', '=', id).executeTakeFirst();
  if (!area) return undefined;
  const [categories, forms, groups, routing, caseworkers] = await Promise.all([
    db
      .selectFrom('categories')
      .select(['id', 'code', 'name_nb', 'name_en', 'active'])
      .where('area_id', '=', id)
      .orderBy('name_nb')
      .execute(),
    db
      .selectFrom('forms')
      .select(['id', 'code', 'name_nb', 'name_en', 'purpose', 'active'])
      .where('area_id', '=', id)
      .orderBy('sort_order')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('groups')
      .select((eb) => [
        'groups.id',
        'groups.code',
        'groups.name_nb',
        'groups.name_en',
        'groups.active',
        jsonArrayFrom(
          eb
            .selectFrom('group_members')
            .innerJoin('users', 'users.id', 'group_members.user_id')
            .select(['users.id', 'users.name'])
            .whereRef('group_members.group_id', '=', 'groups.id')
            .orderBy('users.name'),
        ).as('members'),
      ])
      .where('area_id', '=', id)
      .orderBy('name_nb')
      .execute(),
    db
      .selectFrom('routing_rules')
      .innerJoin('groups', 'groups.id', 'routing_rules.group_id')
      .leftJoin('forms', 'forms.id', 'routing_rules.form_id')
      .select([
        'routing_rules.id',
        'forms.name_nb as form_nb',
        'forms.name_en as form_en',
        'groups.name_nb as group_nb',
        'groups.name_en as group_en',
      ])
      .where('routing_rules.area_id', '=', id)
      .orderBy('forms.name_nb', (o) => o.nullsFirst())
      .execute(),
    // Who may join a group of the area: its caseworkers.
    db
      .selectFrom('user_roles')
      .innerJoin('users', 'users.id', 'user_roles.user_id')
      .select(['users.id', 'users.name'])
      .where('user_roles.role', '=', 'caseworker')
      .where('user_roles.area_id', '=', id)
      .where('users.active', '=', true)
      .orderBy('users.name')
      .execute(),
  ]);
  return { area, categories, forms, groups, routing, caseworkers };
}

export async function listTemplates(db: Db, q = '') {
  let query = db
    .selectFrom('templates')
    .leftJoin('areas', 'areas.id', 'templates.area_id')
    .select([
      'templates.id',
      'templates.kind',
      'templates.name',
      'templates.title',
      'templates.body',
      'templates.active',
      'areas.name_nb as area_nb',
      'areas.name_en as area_en',
    ])
    .orderBy('templates.kind')
    .orderBy('templates.name');
  if (q)
    query = query.where((eb) =>
      eb.or([eb('templates.name', 'ilike', containsPattern(q)), eb('templates.body', 'ilike', containsPattern(q))]),
    );
  return query.execute();
}

export async function areaExists(db: Db, id: number): Promise<boolean> {
  return (await db.selectFrom('areas').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

/** One form with every column (its fields as JSON) and its area's names, for the form editor. */
export function formWithArea(db: Db, id: number) {
  return db
    .selectFrom('forms')
    .innerJoin('areas', 'areas.id', 'forms.area_id')
    .selectAll('forms')
    .select(['areas.name_nb as area_nb', 'areas.name_en as area_en'])
    .where('forms.id', '=', id)
    .executeTakeFirst();
}
