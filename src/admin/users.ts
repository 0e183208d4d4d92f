// Users and roles for admins: search, grant and revoke with a reason (both in the audit trail), and
// ending a user's sessions. The rules a role's shape must follow are checked here with clear messages.
import { type Problems } from '../web/input.js';
import { containsPattern } from '../db/text-search.js';
import { sql, type ExpressionBuilder } from 'kysely';
import type { DB } from '../db/schema.js';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../db/index.js';
import type { RoleName } from '../auth/viewer.js';
import type { Audit } from '../audit/log.js';

export const grantableRoles: readonly RoleName[] = [
  'professional_user',
  'authorised_orderer',
  'power_of_attorney',
  'mailbox_admin',
  'caseworker',
  'editor',
  'admin',
];

/** The agencies a user belongs to, by name, as a JSON array in the user's row. */
const agenciesOf = (eb: ExpressionBuilder<DB, 'users'>) =>
  jsonArrayFrom(
    eb
      .selectFrom('agency_members')
      .innerJoin('agencies', 'agencies.id', 'agency_members.agency_id')
      .select(['agencies.id', 'agencies.name'])
      .whereRef('agency_members.user_id', '=', 'users.id')
      .orderBy('agencies.name'),
  ).as('agencies');

/** Users with what every admin view of them shows. */
const usersWithAgencies = (db: Db) =>
  db.selectFrom('users').select((eb) => ['users.id', 'users.name', 'users.email', 'users.active', agenciesOf(eb)]);

export function searchUsers(db: Db, query: string) {
  let select = usersWithAgencies(db).orderBy('users.name').limit(50);
  if (query) {
    const pattern = containsPattern(query);
    select = select.where((eb) => eb.or([eb('users.name', 'ilike', pattern), eb('users.email', 'ilike', pattern)]));
  }
  return select.execute();
}

export async function userDetail(db: Db, id: number) {
  const user = await usersWithAgencies(db)
    .select((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom('user_roles')
          .leftJoin('agencies', 'agencies.id', 'user_roles.agency_id')
          .leftJoin('areas', 'areas.id', 'user_roles.area_id')
          .select([
            'user_roles.id',
            'user_roles.role',
            'user_roles.granted_at',
            'agencies.name as agency',
            'areas.name_nb as area_nb',
            'areas.name_en as area_en',
          ])
          .whereRef('user_roles.user_id', '=', 'users.id')
          .orderBy('user_roles.id'),
      ).as('roles'),
      eb
        .selectFrom('sessions')
        .select((s) => s.fn.countAll<number>().as('n'))
        .whereRef('sessions.user_id', '=', 'users.id')
        .where('sessions.revoked_at', 'is', null)
        .as('sessions'),
    ])
    .where('users.id', '=', id)
    .executeTakeFirst();
  return user && { ...user, sessions: Number(user.sessions ?? 0) };
}

export interface Grant {
  role: string;
  agency: string;
  area: string;
  reason: string;
}

const idOf = (value: string) => (/^\d{1,15}$/.test(value) ? Number(value) : undefined);

/** Grants a role; the shape of each role (agency, area) is checked, and the reason goes to the trail. */
export async function grantRole(db: Db, audit: Audit, userId: number, grant: Grant): Promise<Problems> {
  return db.transaction().execute(async (trx) => {
    const problems: Problems = {};
    const role = grantableRoles.find((r) => r === grant.role);
    if (!role) problems.role = { key: 'admin.users.errors.role' };
    const needsAgency =
      role === 'professional_user' ||
      role === 'authorised_orderer' ||
      role === 'power_of_attorney' ||
      role === 'mailbox_admin';
    const needsArea = role === 'professional_user' || role === 'authorised_orderer' || role === 'caseworker';
    const agencyId = needsAgency ? idOf(grant.agency) : undefined;
    const areaId = needsArea ? idOf(grant.area) : undefined;
    if (needsAgency) {
      const member =
        agencyId !== undefined &&
        (await trx
          .selectFrom('agency_members')
          .select('agency_id')
          .where('user_id', '=', userId)
          .where('agency_id', '=', agencyId)
          .executeTakeFirst());
      if (!member) problems.agency = { key: 'admin.users.errors.agency' };
    }
    if (needsArea) {
      const area =
        areaId !== undefined &&
        (await trx.selectFrom('areas').select('id').where('id', '=', areaId).executeTakeFirst());
      if (!area) problems.area = { key: 'admin.users.errors.area' };
    }
    if (grant.reason.length < 3 || grant.reason.length > 500) problems.reason = { key: 'admin.users.errors.reason' };
    if (Object.keys(problems).length > 0 || !role) return problems;
    const inserted = await trx
      .insertInto('user_roles')
      .values({ user_id: userId, role, agency_id: agencyId ?? null, area_id: areaId ?? null })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!inserted) return { role: { key: 'admin.users.errors.duplicate' } };
    await endSessionsOnRoleChange(trx, userId);
    await audit(trx, {
      action: 'role.grant',
      objectType: 'user',
      objectId: userId,
      agencyId: agencyId ?? null,
      details: { role, agency: agencyId ?? null, area: areaId ?? null, reason: grant.reason },
    });
    return {};
  });
}

/**
 * Revokes one role with a reason. The last power-of-attorney holder of an agency and the last admin
 * are kept: without them nobody could appoint orderers for the agency, or run the settings.
 */
export async function revokeRole(
  db: Db,
  audit: Audit,
  userId: number,
  roleId: number,
  reason: string,
): Promise<Problems | undefined> {
  return db.transaction().execute(async (trx): Promise<Problems | undefined> => {
    const found = await trx
      .selectFrom('user_roles')
      .selectAll()
      .where('id', '=', roleId)
      .where('user_id', '=', userId)
      .forUpdate()
      .executeTakeFirst();
    if (!found) return undefined;
    if (reason.length < 3 || reason.length > 500) return { reason: { key: 'admin.users.errors.reason' } };
    if (found.role === 'power_of_attorney' || found.role === 'admin') {
      // Lock the other holders too, so two removals at once cannot both pass as "not the last".
      const others = await trx
        .selectFrom('user_roles')
        .innerJoin('users', 'users.id', 'user_roles.user_id')
        .select('user_roles.id')
        .where('user_roles.role', '=', found.role)
        .where(sql<boolean>`coalesce(user_roles.agency_id, 0) = ${found.agency_id ?? 0}`)
        .where('user_roles.id', '<>', found.id)
        .where('users.active', '=', true)
        .forUpdate()
        .execute();
      if (others.length === 0)
        return {
          role: { key: found.role === 'admin' ? 'admin.users.errors.lastAdmin' : 'admin.users.errors.lastAttorney' },
        };
    }
    await trx.deleteFrom('user_roles').where('id', '=', found.id).execute();
    await endSessionsOnRoleChange(trx, userId);
    await audit(trx, {
      action: 'role.revoke',
      objectType: 'user',
      objectId: userId,
      agencyId: found.agency_id,
      details: { role: found.role, agency: found.agency_id, area: found.area_id, reason },
    });
    return {};
  });
}

/**
 * Deactivates or reactivates a user, with a reason. Deactivation ends their sessions and is refused
 * for oneself, for the last active admin, and for an agency's last active power-of-attorney holder.
 */
export async function setUserActive(
  db: Db,
  audit: Audit,
  actorId: number,
  userId: number,
  active: boolean,
  reason: string,
): Promise<Problems | undefined> {
  return db.transaction().execute(async (trx): Promise<Problems | undefined> => {
    const user = await trx
      .selectFrom('users')
      .select(['id', 'active'])
      .where('id', '=', userId)
      .forUpdate()
      .executeTakeFirst();
    if (!user) return undefined;
    if (reason.length < 3 || reason.length > 500) return { active_reason: { key: 'admin.users.errors.reason' } };
    if (!active) {
      if (userId === actorId) return { active_reason: { key: 'admin.users.errors.self' } };
      const held = await trx
        .selectFrom('user_roles')
        .select(['role', 'agency_id'])
        .where('user_id', '=', userId)
        .where('role', 'in', ['admin', 'power_of_attorney'])
        .execute();
      for (const role of held) {
        const others = await trx
          .selectFrom('user_roles')
          .innerJoin('users', 'users.id', 'user_roles.user_id')
          .select('user_roles.id')
          .where('user_roles.role', '=', role.role)
          .where(sql<boolean>`coalesce(user_roles.agency_id, 0) = ${role.agency_id ?? 0}`)
          .where('users.id', '<>', userId)
          .where('users.active', '=', true)
          .forUpdate()
          .execute();
        if (others.length === 0)
          return {
            active_reason: {
              key: role.role === 'admin' ? 'admin.users.errors.lastAdmin' : 'admin.users.errors.lastAttorney',
            },
          };
      }
    }
    await trx.updateTable('users').set({ active }).where('id', '=', userId).execute();
    if (!active) await endSessionsOnRoleChange(trx, userId);
    await audit(trx, { action: 'admin.change', objectType: 'user', objectId: userId, details: { active, reason } });
    return {};
  });
}

/**
 * A role change ends the user's sessions: their next login is checked against the level the new roles
 * need, and nothing granted under the old roles lingers in an open browser.
 */
async function endSessionsOnRoleChange(trx: Db, userId: number): Promise<void> {
  await trx
    .updateTable('sessions')
    .set({ revoked_at: sql`now()` })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
}

/** Ends every session of a user: their next click asks them to log in again. */
export async function endSessions(db: Db, audit: Audit, userId: number): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const ended = await trx
      .updateTable('sessions')
      .set({ revoked_at: sql`now()` })
      .where('user_id', '=', userId)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    const count = Number(ended.numUpdatedRows);
    await audit(trx, {
      action: 'admin.change',
      objectType: 'user_sessions',
      objectId: userId,
      details: { ended: count },
    });
    return count;
  });
}
