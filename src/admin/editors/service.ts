// Granting and removing the editor role, each with its audit entry in the same transaction.
import type { Audit } from '../../audit/log.js';
import type { Db } from '../../db/index.js';

/** Grants the editor role to an active user with this e-mail; false when there is no such user. */
export async function grantEditor(db: Db, audit: Audit, email: string): Promise<boolean> {
  if (email === '') return false;
  return db.transaction().execute(async (trx) => {
    const user = await trx
      .selectFrom('users')
      .select('id')
      .where('email', '=', email)
      .where('active', '=', true)
      .executeTakeFirst();
    if (!user) return false;
    await trx
      .insertInto('user_roles')
      .values({ user_id: user.id, role: 'editor' })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await audit(trx, {
      action: 'role.grant',
      objectType: 'user',
      objectId: user.id,
      details: { role: 'editor', email },
    });
    return true;
  });
}

/** Removes the editor role; resolves with whether the user had it. */
export async function removeEditor(db: Db, audit: Audit, userId: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const result = await trx
      .deleteFrom('user_roles')
      .where('user_id', '=', userId)
      .where('role', '=', 'editor')
      .executeTakeFirst();
    const removed = Number(result.numDeletedRows) > 0;
    if (removed)
      await audit(trx, { action: 'role.revoke', objectType: 'user', objectId: userId, details: { role: 'editor' } });
    return removed;
  });
}
