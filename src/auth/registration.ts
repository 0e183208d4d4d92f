// Self-registration: someone the identity provider vouched for, with no user here yet, picks an agency
// that allows it. Their e-mail domain must be one of that agency's domains. They get membership only:
// roles come later, granted by the agency's power-of-attorney holders or an admin.
import type { Db } from '../db/index.js';
import type { Audit } from '../audit/log.js';
import type { Identity } from './oidc.js';

export interface PendingRegistration {
  subject: string;
  email: string;
  name: string;
  acr: string | undefined;
  amr: string[];
  idToken: string | undefined;
  returnTo: string;
  /** When the provider vouched for them (ms): a pending registration lasts 15 minutes. */
  at: number;
}

export const registrationLifetimeMs = 15 * 60_000;

export function pendingRegistration(identity: Identity & { email: string }, returnTo: string): PendingRegistration {
  return {
    subject: identity.subject,
    email: identity.email.trim().toLowerCase(),
    name: (identity.name ?? identity.email.split('@')[0]!).slice(0, 200),
    acr: identity.acr,
    amr: identity.amr,
    idToken: identity.idToken,
    returnTo,
    at: Date.now(),
  };
}

export const domainOf = (email: string) => email.slice(email.lastIndexOf('@') + 1).toLowerCase();

/**
 * Whether an agency that takes self-registrations knows this e-mail's domain; if none does, the person is refused at
 * once.
 */
export async function registrationOpen(db: Db, email: string): Promise<boolean> {
  const found = await db
    .selectFrom('agency_domains')
    .innerJoin('agencies', 'agencies.id', 'agency_domains.agency_id')
    .select('agencies.id')
    .where('agency_domains.domain', '=', domainOf(email))
    .where('agencies.self_registration', '=', true)
    .limit(1)
    .executeTakeFirst();
  return found !== undefined;
}

/** The agencies open for self-registration; those whose domains match the e-mail first. */
export async function registrationAgencies(db: Db, email: string) {
  const domain = domainOf(email);
  const rows = await db
    .selectFrom('agencies')
    .select((eb) => [
      'agencies.id',
      'agencies.name',
      'agencies.org_number',
      eb
        .exists(
          eb
            .selectFrom('agency_domains')
            .select('domain')
            .whereRef('agency_domains.agency_id', '=', 'agencies.id')
            .where('agency_domains.domain', '=', domain),
        )
        .as('matches'),
    ])
    .where('self_registration', '=', true)
    .orderBy('name')
    .execute();
  return { matching: rows.filter((r) => r.matches), others: rows.filter((r) => !r.matches) };
}

export type Registered = { userId: number } | { refused: 'agency' | 'domain' | 'taken' };

/** Creates the user as a member of the agency, or says why not; nothing is written on a refusal. */
export async function register(
  db: Db,
  audit: Audit,
  pending: PendingRegistration,
  agencyId: number | undefined,
): Promise<Registered> {
  return db.transaction().execute(async (trx): Promise<Registered> => {
    const agency =
      agencyId === undefined
        ? undefined
        : await trx
            .selectFrom('agencies')
            .select(['id', 'name'])
            .where('id', '=', agencyId)
            .where('self_registration', '=', true)
            .executeTakeFirst();
    if (!agency) return { refused: 'agency' };
    const domain = domainOf(pending.email);
    const matches = await trx
      .selectFrom('agency_domains')
      .select('domain')
      .where('agency_id', '=', agency.id)
      .where('domain', '=', domain)
      .executeTakeFirst();
    if (!matches) return { refused: 'domain' };
    // Someone else registered (or was created) with this address or subject in the meantime.
    const user = await trx
      .insertInto('users')
      .values({ oidc_subject: pending.subject, email: pending.email, name: pending.name, last_login_at: new Date() })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!user) return { refused: 'taken' };
    await trx.insertInto('agency_members').values({ user_id: user.id, agency_id: agency.id }).execute();
    await audit(trx, {
      action: 'user.register',
      objectType: 'user',
      objectId: user.id,
      agencyId: agency.id,
      details: { email: pending.email, agency: agency.name },
    });
    return { userId: user.id };
  });
}
