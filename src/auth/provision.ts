// Links an identity from the provider to a user an admin (or the seed) has given access.
import type { Db } from '../db/index.js';
import type { Language } from '../web/i18n.js';
import type { Identity } from './oidc.js';
import type { RoleName } from './viewer.js';
import { forgetUser } from './kept-viewers.js';

export type Provisioned =
  | { userId: number }
  | { refused: 'no_access' | 'deactivated' | 'no_email' | 'email_unverified' };

export async function provisionUser(db: Db, identity: Identity): Promise<Provisioned> {
  const email = identity.email?.trim().toLowerCase();
  return db.transaction().execute(async (trx) => {
    let user = await trx
      .selectFrom('users')
      .select(['id', 'active', 'name'])
      .where('oidc_subject', '=', identity.subject)
      .forUpdate()
      .executeTakeFirst();
    if (!user) {
      if (!email) return { refused: 'no_email' as const };
      // The first login binds an account by its address: only an address the provider has verified.
      if (identity.emailVerified === false) return { refused: 'email_unverified' as const };
      // First login: a user created by the seed or an admin is matched by e-mail and bound to the subject.
      user = await trx
        .selectFrom('users')
        .select(['id', 'active', 'name'])
        .where('email', '=', email)
        .where('oidc_subject', 'is', null)
        .forUpdate()
        .executeTakeFirst();
      if (!user) return { refused: 'no_access' as const };
    }
    if (!user.active) return { refused: 'deactivated' as const };
    // The name only when the provider says another: a login that changes nothing a session shows stays
    // quiet, and never empties the viewers other sessions keep (src/auth/kept-viewers.ts).
    const name = identity.name?.slice(0, 200);
    await trx
      .updateTable('users')
      .set({
        oidc_subject: identity.subject,
        last_login_at: new Date(),
        ...(name && name !== user.name ? { name } : {}),
      })
      .where('id', '=', user.id)
      .execute();
    return { userId: user.id };
  });
}

/** The roles of the user this identity belongs to (by subject, else by e-mail); none for someone unknown. */
export async function rolesOf(db: Db, identity: Pick<Identity, 'subject' | 'email'>): Promise<RoleName[]> {
  const email = identity.email?.trim().toLowerCase() ?? '';
  const rows = await db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select('user_roles.role')
    .where((eb) =>
      eb.or([
        eb('users.oidc_subject', '=', identity.subject),
        eb.and([eb('users.oidc_subject', 'is', null), eb('users.email', '=', email)]),
      ]),
    )
    .execute();
  return rows.map((r) => r.role as RoleName);
}

/** Starts a session, remembering how strongly the user logged in. */
export async function startSession(
  db: Db,
  userId: number,
  strength: { acr?: string | undefined; amr?: readonly string[] } = {},
): Promise<string> {
  const row = await db
    .insertInto('sessions')
    .values({ user_id: userId, acr: strength.acr ?? null, amr: [...(strength.amr ?? [])] })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function endSession(db: Db, sessionId: string): Promise<void> {
  const ended = await db
    .updateTable('sessions')
    .set({ revoked_at: new Date() })
    .where('id', '=', sessionId)
    .where('revoked_at', 'is', null)
    .returning('user_id')
    .executeTakeFirst();
  if (ended) forgetUser(ended.user_id);
}

/** The language the user chose, kept for their next login and for the mail we send them. */
export async function saveLanguage(db: Db, userId: number, language: Language): Promise<void> {
  await db.updateTable('users').set({ language }).where('id', '=', userId).execute();
}
