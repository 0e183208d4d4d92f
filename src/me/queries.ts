import { sql } from 'kysely';
import { naturalOrder, peoplePage, peoplePageSize, personMatches, type PeopleQuery } from '../db/people.js';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../db/index.js';
import { agencyContacts, contactRoles } from '../admin/agencies/queries.js';

/** The agency's mailboxes with their members; `onlyFor` limits them to those a user belongs to. */
export async function agencyMailboxes(db: Db, agencyId: number, onlyFor?: number) {
  let query = db
    .selectFrom('shared_mailboxes')
    .select((eb) => [
      'shared_mailboxes.id',
      'shared_mailboxes.name',
      'shared_mailboxes.email',
      jsonArrayFrom(
        eb
          .selectFrom('shared_mailbox_members')
          .innerJoin('users', 'users.id', 'shared_mailbox_members.user_id')
          .select(['users.id', 'users.name', 'users.email'])
          .whereRef('shared_mailbox_members.mailbox_id', '=', 'shared_mailboxes.id')
          .orderBy('users.name'),
      ).as('members'),
    ])
    .where('shared_mailboxes.agency_id', '=', agencyId)
    .orderBy('shared_mailboxes.name');
  if (onlyFor !== undefined) {
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('shared_mailbox_members')
          .select('user_id')
          .whereRef('shared_mailbox_members.mailbox_id', '=', 'shared_mailboxes.id')
          .where('user_id', '=', onlyFor),
      ),
    );
  }
  return query.execute();
}

/** Names of the shared mailboxes each member of the agency belongs to, for the access overview. */
export async function mailboxNamesByUser(db: Db, agencyId: number): Promise<Map<number, string[]>> {
  const rows = await db
    .selectFrom('shared_mailbox_members')
    .innerJoin('shared_mailboxes', 'shared_mailboxes.id', 'shared_mailbox_members.mailbox_id')
    .select(['shared_mailbox_members.user_id', 'shared_mailboxes.name'])
    .where('shared_mailboxes.agency_id', '=', agencyId)
    .orderBy('shared_mailboxes.name')
    .execute();
  const byUser = new Map<number, string[]>();
  for (const row of rows) byUser.set(row.user_id, [...(byUser.get(row.user_id) ?? []), row.name]);
  return byUser;
}

/** Contact persons grouped by role, in the order of the roles; roles without anyone are left out. */
export async function contactsByRole(db: Db, agencyId: number) {
  const contacts = await agencyContacts(db, agencyId);
  return contactRoles
    .map((role) => ({ role, contacts: contacts.filter((c) => c.role === role) }))
    .filter((group) => group.contacts.length > 0);
}

/**
 * A page of the agency's active members with their roles in it: searched by name or e-mail, sorted as
 * people read numbers, and how many match in all.
 */
export async function accessOverview(db: Db, agencyId: number, query: PeopleQuery) {
  const rows = await db
    .selectFrom('agency_members')
    .innerJoin('users', 'users.id', 'agency_members.user_id')
    .select((eb) => [
      'users.id',
      'users.name',
      'users.email',
      'users.consultant',
      sql<string>`count(*) OVER ()`.as('total'),
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
    .where(personMatches(query.who))
    .orderBy(naturalOrder(sql.ref('users.name')))
    .orderBy('users.id')
    .limit(peoplePageSize)
    .offset((query.page - 1) * peoplePageSize)
    .execute();
  const areasOf = (roles: (typeof rows)[number]['roles'], role: string) =>
    roles.filter((r) => r.role === role).map((r) => ({ nb: r.name_nb ?? '', en: r.name_en ?? '' }));
  const total =
    rows.length > 0 ? Number(rows[0]!.total) : query.page === 1 ? 0 : await countMembers(db, agencyId, query);
  return {
    paging: peoplePage(query, total, rows.length),
    people: rows.map((user) => ({
      id: user.id,
      name: user.name,
      email: user.email,
      consultant: user.consultant,
      professional: areasOf(user.roles, 'professional_user'),
      orderer: areasOf(user.roles, 'authorised_orderer'),
      reporter: areasOf(user.roles, 'reporter'),
      attorney: user.roles.some((r) => r.role === 'power_of_attorney'),
    })),
  };
}

/** How many active members match, for a page past the end (which shows none, but says how many there are). */
async function countMembers(db: Db, agencyId: number, query: PeopleQuery) {
  const row = await db
    .selectFrom('agency_members')
    .innerJoin('users', 'users.id', 'agency_members.user_id')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('agency_members.agency_id', '=', agencyId)
    .where('users.active', '=', true)
    .where(personMatches(query.who))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/**
 * The member of the agency a form names: by the e-mail address they log in with (any case, spaces around
 * it ignored) or by id; only an active one unless `anyState` (taking someone deactivated out of what they
 * had). A list of every member to choose from grew with the agency (a thousand names in each chooser);
 * anyone else, or no one, is undefined.
 */
export async function agencyMember(
  db: Db,
  agencyId: number,
  named: string,
  { anyState = false } = {},
): Promise<number | undefined> {
  const value = named.trim().toLowerCase();
  const id = /^\d{1,15}$/.test(value) ? Number(value) : undefined;
  if (id === undefined && !value.includes('@')) return undefined;
  const found = await db
    .selectFrom('agency_members')
    .innerJoin('users', 'users.id', 'agency_members.user_id')
    .select('users.id')
    .where('agency_members.agency_id', '=', agencyId)
    .$if(!anyState, (query) => query.where('users.active', '=', true))
    .$if(id !== undefined, (query) => query.where('users.id', '=', id!))
    .$if(id === undefined, (query) => query.where('users.email', '=', value))
    .executeTakeFirst();
  return found?.id;
}

export async function agencyOrderers(db: Db, agencyId: number) {
  const [orderers, areas, attorneys] = await Promise.all([
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
  return { orderers, areas, hasAttorney: Number(attorneys.n) > 0 };
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

export function agencyProfile(db: Db, agencyId: number) {
  return db.selectFrom('agencies').select(['name', 'org_number']).where('id', '=', agencyId).executeTakeFirst();
}

/** Active access-order forms of every area; the caller keeps those the viewer orders for. */
export function accessOrderForms(db: Db) {
  return db
    .selectFrom('forms')
    .innerJoin('areas', 'areas.id', 'forms.area_id')
    .select(['forms.code', 'forms.name_nb', 'forms.name_en', 'areas.id as area_id', 'areas.code as area_code'])
    .where('forms.purpose', '=', 'access_order')
    .where('forms.active', '=', true)
    .orderBy('areas.sort_order')
    .execute();
}
