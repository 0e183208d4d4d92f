// Consultants (seed 002): a user kind bound to exactly one agency, who accepts the consent declaration
// before using the service. The declaration's text is the admins'; each edit is a new version that every
// consultant accepts again. The database refuses a consultant's second agency (migration 0039).
import { sql } from 'kysely';
import type { Audit } from '../audit/log.js';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/index.js';
import type { Problems } from '../web/input.js';

/** The declaration in force: the newest version. */
export function currentDeclaration(db: Db) {
  return db
    .selectFrom('consultant_declarations')
    .select(['id', 'body_nb', 'body_en', 'created_at'])
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirstOrThrow();
}

/** What the consultant accepted and when, and the declaration in force. */
export async function consentOf(db: Db, userId: number) {
  const [user, current] = await Promise.all([
    db
      .selectFrom('users')
      .select(['consultant', 'consent_declaration_id', 'consent_accepted_at'])
      .where('id', '=', userId)
      .executeTakeFirstOrThrow(),
    currentDeclaration(db),
  ]);
  return { ...user, current, accepted: user.consent_declaration_id === current.id };
}

/** Records that the consultant accepts the declaration in force; false for anyone who is not a consultant. */
export async function acceptDeclaration(db: Db, audit: Audit, viewer: Viewer): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const current = await currentDeclaration(trx);
    const done = await trx
      .updateTable('users')
      .set({ consent_declaration_id: current.id, consent_accepted_at: sql`now()` })
      .where('id', '=', viewer.userId)
      .where('consultant', '=', true)
      .executeTakeFirst();
    if (Number(done.numUpdatedRows) !== 1) return false;
    await audit(trx, {
      action: 'consent.accept',
      objectType: 'user',
      objectId: viewer.userId,
      agencyId: viewer.agencyId,
      details: { declaration: current.id },
    });
    return true;
  });
}

/** A new version of the declaration; every consultant is asked to accept it at their next request. */
export async function saveDeclaration(
  db: Db,
  audit: Audit,
  viewer: Viewer,
  input: { body_nb: string; body_en: string },
): Promise<Problems> {
  if (input.body_nb.length < 20 || input.body_nb.length > 10000)
    return { body_nb: { key: 'admin.consultants.errors.body' } };
  if (input.body_en.length > 10000) return { body_en: { key: 'admin.consultants.errors.body' } };
  await db.transaction().execute(async (trx) => {
    const { id } = await trx
      .insertInto('consultant_declarations')
      .values({ ...input, created_by: viewer.userId })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, { action: 'admin.change', objectType: 'consultant_declaration', objectId: id, details: {} });
  });
  return {};
}

/** Every consultant with the agency they act for and what they have accepted. */
export function consultants(db: Db) {
  return db
    .selectFrom('users')
    .leftJoin('agency_members', 'agency_members.user_id', 'users.id')
    .leftJoin('agencies', 'agencies.id', 'agency_members.agency_id')
    .select([
      'users.id',
      'users.name',
      'users.email',
      'agencies.name as agency',
      'users.consent_declaration_id',
      'users.consent_accepted_at',
    ])
    .where('users.consultant', '=', true)
    .orderBy('users.name')
    .limit(500)
    .execute();
}

/** The constraint that keeps a consultant to one agency (migration 0039), as the database names it. */
export const isConsultantConflict = (error: unknown) =>
  (error as { code?: string; constraint?: string }).code === '23514' &&
  (error as { constraint?: string }).constraint === 'consultant_one_agency';

/** Makes a user a consultant or an ordinary user again; refused while they belong to several agencies. */
export async function setConsultant(
  db: Db,
  audit: Audit,
  userId: number,
  consultant: boolean,
): Promise<Problems | undefined> {
  try {
    return await db.transaction().execute(async (trx) => {
      const changed = await trx
        .updateTable('users')
        .set({
          consultant,
          // Made a consultant anew: the declaration is to be accepted, whatever was accepted before.
          ...(consultant ? { consent_declaration_id: null, consent_accepted_at: null } : {}),
        })
        .where('id', '=', userId)
        .where('consultant', '=', !consultant)
        .returning('id')
        .executeTakeFirst();
      if (!changed) {
        const exists = await trx.selectFrom('users').select('id').where('id', '=', userId).executeTakeFirst();
        return exists ? {} : undefined;
      }
      await audit(trx, { action: 'user.consultant', objectType: 'user', objectId: userId, details: { consultant } });
      return {};
    });
  } catch (error) {
    if (isConsultantConflict(error)) return { consultant: { key: 'admin.consultants.errors.severalAgencies' } };
    throw error;
  }
}
