// Authorised orderers of an agency: who they are, and appointing or removing them from inside the
// agency (by its power-of-attorney holders, or by orderers for their own areas).
import type { Db } from '../db/index.js';

/** The agency's active members, by name: whom its roles and mailboxes can be given to. */
export function agencyMembers(db: Db, agencyId: number) {
  return db
    .selectFrom('agency_members')
    .innerJoin('users', 'users.id', 'agency_members.user_id')
    .select(['users.id', 'users.name', 'users.email'])
    .where('agency_members.agency_id', '=', agencyId)
    .where('users.active', '=', true)
    .orderBy('users.name')
    .execute();
}

export async function agencyOrderers(db: Db, agencyId: number) {
  const [orderers, members, areas, attorneys] = await Promise.all([
    db
      .selectFrom('user_roles')
      .innerJoin('users', 'users.id', 'user_roles.user_id')
      .innerJoin('areas', 'areas.id', 'user_roles.area_id')
      .select(['user_roles.id', 'user_roles.area_id', 'users.name', 'users.email', 'areas.name_nb', 'areas.name_en'])
      .where('user_roles.role', '=', 'authorised_orderer')
      .where('user_roles.agency_id', '=', agencyId)
      .orderBy('areas.sort_order')
      .orderBy('users.name')
      .execute(),
    agencyMembers(db, agencyId),
    db
      .selectFrom('areas')
      .select(['id', 'name_nb', 'name_en'])
      .where('active', '=', true)
      .orderBy('sort_order')
      .execute(),
    db
      .selectFrom('user_roles')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('role', '=', 'power_of_attorney')
      .where('agency_id', '=', agencyId)
      .executeTakeFirstOrThrow(),
  ]);
  return { orderers, members, areas, hasAttorney: Number(attorneys.n) > 0 };
}

/** One authorised-orderer role of the agency; another agency's role is not found. */
export function agencyOrderer(db: Db, agencyId: number, roleId: number) {
  return db
    .selectFrom('user_roles')
    .select(['id', 'user_id', 'area_id'])
    .where('id', '=', roleId)
    .where('role', '=', 'authorised_orderer')
    .where('agency_id', '=', agencyId)
    .executeTakeFirst();
}
