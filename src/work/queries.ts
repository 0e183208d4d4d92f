// What the workspace reads besides cases.
import type { Db } from '../db/index.js';

/** Caseworkers of these areas, for handing cases to a colleague. */
export function caseworkersOf(db: Db, areaIds: readonly number[]) {
  return db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select(['users.id', 'users.name'])
    .distinct()
    .where('user_roles.role', '=', 'caseworker')
    .where('user_roles.area_id', 'in', areaIds.length > 0 ? [...areaIds] : [0])
    .where('users.active', '=', true)
    .orderBy('users.name')
    .execute();
}

export function recentInboundMail(db: Db) {
  return db
    .selectFrom('inbound_mail')
    .leftJoin('cases', 'cases.id', 'inbound_mail.case_id')
    .select([
      'inbound_mail.id',
      'inbound_mail.sender',
      'inbound_mail.recipient',
      'inbound_mail.subject',
      'inbound_mail.status',
      'inbound_mail.reason',
      'inbound_mail.received_at',
      'cases.number',
    ])
    .orderBy('inbound_mail.id', 'desc')
    .limit(100)
    .execute();
}

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
