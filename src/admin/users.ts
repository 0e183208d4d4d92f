// Users and roles for admins: search, grant and revoke with a reason (both in the audit trail), and
// ending a user's sessions. The rules a role's shape must follow are checked here with clear messages.
import type { Problems } from '../web/input.js';
import { containsPattern } from '../db/text-search.js';
import { sql, type ExpressionBuilder } from 'kysely';
import type { DB } from '../db/schema.js';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../db/index.js';
import { endSessionsOnRoleChange } from '../auth/roles.js';
import type { Audit } from '../audit/log.js';

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
