// Links an identity from the provider to a user an admin (or the seed) has given access.
import type { Db } from '../db/index.js';
import type { Identity } from './oidc.js';

export type Provisioned = { userId: number } | { refused: 'no_access' | 'deactivated' | 'no_email' };

export async function provisionUser(db: Db, identity: Identity): Promise<Provisioned> {
  const email = identity.email?.trim().toLowerCase();
  return db.transaction().execute(async (trx) => {
    let user = await trx.selectFrom('users').select(['id', 'active']).where('oidc_subject', '=', identity.subject).forUpdate().executeTakeFirst();
    if (!user) {
      if (!email) return { refused: 'no_email' as const };
      // First login: a user created by the seed or an admin is matched by e-mail and bound to the subject.
      user = await trx
        .selectFrom('users')
        .select(['id', 'active'])
        .where('email', '=', email)
        .where('oidc_subject', 'is', null)
        .forUpdate()
        .executeTakeFirst();
      if (!user) return { refused: 'no_access' as const };
    }
    if (!user.active) return { refused: 'deactivated' as const };
    await trx
      .updateTable('users')
      .set({
        oidc_subject: identity.subject,
        last_login_at: new Date(),
        ...(identity.name ? { name: identity.name.slice(0, 200) } : {}),
      })
      .where('id', '=', user.id)
      .execute();
    return { userId: user.id };
  });
}

export async function startSession(db: Db, userId: number): Promise<string> {
  const row = await db.insertInto('sessions').values({ user_id: userId }).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function endSession(db: Db, sessionId: string): Promise<void> {
  await db.updateTable('sessions').set({ revoked_at: new Date() }).where('id', '=', sessionId).where('revoked_at', 'is', null).execute();
}
