// What the workspace reads besides cases.
import { preparedMark, type Db } from '../db/index.js';
import { shortCache } from '../db/cache.js';
import { containsPattern } from '../db/text-search.js';

/** Caseworkers of these areas, for handing cases to a colleague (remembered for a few seconds). */
export function caseworkersOf(db: Db, areaIds: readonly number[]) {
  return caseworkers.get(
    db,
    [...areaIds].sort((a, b) => a - b),
  );
}

const caseworkers = shortCache(10_000, (db: Db, areaIds: number[]) =>
  db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select(['users.id', 'users.name'])
    .distinct()
    .where('user_roles.role', '=', 'caseworker')
    .where('user_roles.area_id', 'in', areaIds.length > 0 ? areaIds : [0])
    .where('users.active', '=', true)
    .orderBy('users.name')
    .execute(),
);

export function activeCategories(db: Db) {
  return db
    .selectFrom('categories')
    .innerJoin('areas', 'areas.id', 'categories.area_id')
    .select([
      'categories.id',
      'categories.name_nb',
      'categories.name_en',
      'areas.code as area',
      'areas.name_nb as area_nb',
      'areas.name_en as area_en',
    ])
    .where('categories.active', '=', true)
    .orderBy('areas.sort_order')
    .orderBy('categories.name_nb')
    .execute();
}

export function customerById(db: Db, id: number) {
  return db.selectFrom('users').select(['id', 'name', 'email']).where('id', '=', id).executeTakeFirst();
}

/** Who may take cases in an area: its caseworkers. */
export function areaCaseworkers(db: Db, areaId: number) {
  return db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select(['users.id', 'users.name'])
    .where('user_roles.role', '=', 'caseworker')
    .where('user_roles.area_id', '=', areaId)
    .where('users.active', '=', true)
    .orderBy('users.name')
    .modifyEnd(preparedMark)
    .execute();
}

/** The active categories of one area, for a case's handling. */
export function areaCategories(db: Db, areaId: number) {
  return db
    .selectFrom('categories')
    .select(['id', 'name_nb', 'name_en'])
    .where('area_id', '=', areaId)
    .where('active', '=', true)
    .orderBy('name_nb')
    .modifyEnd(preparedMark)
    .execute();
}

export function areaGroups(db: Db, areaId: number) {
  return db
    .selectFrom('groups')
    .select(['id', 'name_nb', 'name_en'])
    .where('area_id', '=', areaId)
    .where('active', '=', true)
    .orderBy('name_nb')
    .modifyEnd(preparedMark)
    .execute();
}

/** Customers a caseworker can register a case for: active users who act for an agency. */
export function findCustomers(db: Db, query: string) {
  const pattern = containsPattern(query);
  return db
    .selectFrom('users')
    .innerJoin('agency_members', 'agency_members.user_id', 'users.id')
    .innerJoin('agencies', 'agencies.id', 'agency_members.agency_id')
    .select(['users.id', 'users.name', 'users.email', 'agencies.id as agency_id', 'agencies.name as agency'])
    .where('users.active', '=', true)
    .where((eb) => eb.or([eb('users.name', 'ilike', pattern), eb('users.email', 'ilike', pattern)]))
    .orderBy('users.name')
    .limit(20)
    .execute();
}

/** An active customer with each agency they belong to, one row per agency, lowest agency id first. */
export function customerMemberships(db: Db, customerId: number) {
  return db
    .selectFrom('users')
    .innerJoin('agency_members', 'agency_members.user_id', 'users.id')
    .select(['users.id', 'users.name', 'users.email', 'users.language', 'agency_members.agency_id'])
    .where('users.id', '=', customerId)
    .where('users.active', '=', true)
    .orderBy('agency_members.agency_id');
}
