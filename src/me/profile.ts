// Min side: the agency's contact persons grouped by role, and who in the agency has which access.
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../db/index.js';
import { agencyContacts, contactRoles } from '../admin/agencies.js';

/** Contact persons grouped by role, in the order of the roles; roles without anyone are left out. */
export async function contactsByRole(db: Db, agencyId: number) {
  const contacts = await agencyContacts(db, agencyId);
  return contactRoles
    .map((role) => ({ role, contacts: contacts.filter((c) => c.role === role) }))
    .filter((group) => group.contacts.length > 0);
}

/** Every active member of the agency with their roles in it, and the shared mailboxes they belong to. */
export async function accessOverview(db: Db, agencyId: number) {
  const rows = await db
    .selectFrom('agency_members')
    .innerJoin('users', 'users.id', 'agency_members.user_id')
    .select((eb) => [
      'users.id',
      'users.name',
      'users.email',
      jsonArrayFrom(
        eb
          .selectFrom('user_roles')
          .leftJoin('areas', 'areas.id', 'user_roles.area_id')
          .select(['user_roles.role', 'areas.name_nb', 'areas.name_en'])
          .whereRef('user_roles.user_id', '=', 'users.id')
          .where('user_roles.agency_id', '=', agencyId)
          .orderBy('areas.sort_order'),
      ).as('roles'),
    ])
    .where('agency_members.agency_id', '=', agencyId)
    .where('users.active', '=', true)
    .orderBy('users.name')
    .limit(1000)
    .execute();
  const areasOf = (roles: (typeof rows)[number]['roles'], role: string) =>
    roles.filter((r) => r.role === role).map((r) => ({ nb: r.name_nb ?? '', en: r.name_en ?? '' }));
  return rows.map((user) => ({
    id: user.id,
    name: user.name,
    email: user.email,
    professional: areasOf(user.roles, 'professional_user'),
    orderer: areasOf(user.roles, 'authorised_orderer'),
    attorney: user.roles.some((r) => r.role === 'power_of_attorney'),
  }));
}
