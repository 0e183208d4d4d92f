// Granting and revoking roles, for every page that does it (admins, power-of-attorney holders, a
// caseworker acting on a signed form): the shape of each role is checked with clear messages, the
// reason goes to the audit trail, and the user's sessions end so their next login meets the new roles.
import { sql } from 'kysely';
import type { Audit } from '../audit/log.js';
import type { Db } from '../db/index.js';
import { idOf, type Problems } from '../web/input.js';
import type { RoleName } from './viewer.js';
import { forgetUser } from './kept-viewers.js';

export const grantableRoles: readonly RoleName[] = [
  'professional_user',
  'authorised_orderer',
  'power_of_attorney',
  'mailbox_admin',
  'reporter',
  'caseworker',
  'editor',
  'admin',
];

export interface Grant {
  role: string;
  agency: string;
  area: string;
  reason: string;
}

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
      role === 'mailbox_admin' ||
      role === 'reporter';
    const needsArea =
      role === 'professional_user' || role === 'authorised_orderer' || role === 'caseworker' || role === 'reporter';
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
 * A role change ends the user's sessions: their next login is checked against the level the new roles
 * need, and nothing granted under the old roles lingers in an open browser.
 */
export async function endSessionsOnRoleChange(trx: Db, userId: number): Promise<void> {
  await trx
    .updateTable('sessions')
    .set({ revoked_at: sql`now()` })
    .where('user_id', '=', userId)
    .where('revoked_at', 'is', null)
    .execute();
  forgetUser(userId);
}
