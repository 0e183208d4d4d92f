// Admins' verbs on users: deactivate or reactivate with a reason, end sessions. Roles: src/auth/roles.ts.
import type { Problems } from '../../web/input.js';
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';
import { endSessionsOnRoleChange } from '../../auth/roles.js';
import { forgetUser } from '../../auth/kept-viewers.js';
import type { Audit } from '../../audit/log.js';

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
  const count = await db.transaction().execute(async (trx) => {
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
  forgetUser(userId);
  return count;
}
