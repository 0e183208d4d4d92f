// Agencies as the centre keeps them: name, organisation number, e-mail domains, the areas they buy,
// contact persons by role, members, and whether staff may register themselves. Every change is
// validated with a message per field, written in one transaction with its audit entry.
import { idOf, emailPattern, type Problems } from '../../web/input.js';
import { isConsultantConflict } from '../../me/consent.js';
import type { Db } from '../../db/index.js';
import { forgetCaseNames } from '../../cases/list/names.js';
import type { Audit } from '../../audit/log.js';
import { contactRoles } from './queries.js';

const domainPattern = /^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Brønnøysund organisation numbers: nine digits, the last a modulus-11 check digit. */
export function validOrgNumber(value: string): boolean {
  if (!/^[89][0-9]{8}$/.test(value)) return false;
  const weights = [3, 2, 7, 6, 5, 4, 3, 2];
  const sum = weights.reduce((total, weight, i) => total + weight * Number(value[i]), 0);
  const check = 11 - (sum % 11);
  return check !== 10 && (check === 11 ? 0 : check) === Number(value[8]);
}

export interface AgencyInput {
  name: string;
  orgNumber: string;
  selfRegistration: boolean;
  areas: string[];
}

/** Creates an agency, or updates one (`id`); a changed organisation number must pass the check digit. */
export async function saveAgency(
  db: Db,
  audit: Audit,
  input: AgencyInput,
  id?: number,
): Promise<{ id: number } | { problems: Problems } | undefined> {
  const outcome = await db.transaction().execute(async (trx) => {
    const before =
      id === undefined
        ? undefined
        : await trx.selectFrom('agencies').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
    if (id !== undefined && !before) return undefined;
    const problems: Problems = {};
    if (input.name.length < 2 || input.name.length > 200) problems.name = { key: 'admin.agencies.errors.name' };
    if (input.orgNumber !== before?.org_number && !validOrgNumber(input.orgNumber))
      problems.org_number = { key: 'admin.agencies.errors.orgNumber' };
    const knownAreas = new Set((await trx.selectFrom('areas').select('id').execute()).map((a) => a.id));
    const areaIds = input.areas.map(idOf);
    if (areaIds.some((a) => a === undefined || !knownAreas.has(a)))
      problems.areas = { key: 'admin.agencies.errors.areas' };
    if (Object.keys(problems).length === 0) {
      const taken = await trx
        .selectFrom('agencies')
        .select('id')
        .where('org_number', '=', input.orgNumber)
        .where('id', '<>', id ?? 0)
        .executeTakeFirst();
      if (taken) problems.org_number = { key: 'admin.agencies.errors.orgNumberTaken' };
    }
    if (Object.keys(problems).length > 0) return { problems };
    const values = { name: input.name, org_number: input.orgNumber, self_registration: input.selfRegistration };
    const saved = before
      ? await trx
          .updateTable('agencies')
          .set(values)
          .where('id', '=', before.id)
          .returning('id')
          .executeTakeFirstOrThrow()
      : await trx.insertInto('agencies').values(values).returning('id').executeTakeFirstOrThrow();
    await trx.deleteFrom('agency_areas').where('agency_id', '=', saved.id).execute();
    const chosen = [...new Set(areaIds as number[])];
    if (chosen.length > 0)
      await trx
        .insertInto('agency_areas')
        .values(chosen.map((area_id) => ({ agency_id: saved.id, area_id })))
        .execute();
    await audit(trx, {
      action: 'admin.change',
      objectType: 'agency',
      objectId: saved.id,
      agencyId: saved.id,
      details: {
        ...values,
        areas: chosen,
        ...(before
          ? {
              before: { name: before.name, org_number: before.org_number, self_registration: before.self_registration },
            }
          : { created: true }),
      },
    });
    return { id: saved.id };
  });
  // The case lists show the new name at once in this process (other processes within seconds).
  forgetCaseNames(db);
  return outcome;
}

export async function addDomain(db: Db, audit: Audit, agencyId: number, raw: string): Promise<Problems> {
  const domain = raw.trim().toLowerCase().replace(/^@/, '');
  if (!domainPattern.test(domain)) return { domain: { key: 'admin.agencies.errors.domain' } };
  return db.transaction().execute(async (trx): Promise<Problems> => {
    const added = await trx
      .insertInto('agency_domains')
      .values({ agency_id: agencyId, domain })
      .onConflict((oc) => oc.doNothing())
      .returning('domain')
      .executeTakeFirst();
    if (!added) return { domain: { key: 'admin.agencies.errors.domainDuplicate' } };
    await audit(trx, {
      action: 'admin.change',
      objectType: 'agency_domain',
      objectId: agencyId,
      agencyId,
      details: { added: domain },
    });
    return {};
  });
}

export async function removeDomain(db: Db, audit: Audit, agencyId: number, domain: string): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom('agency_domains')
      .where('agency_id', '=', agencyId)
      .where('domain', '=', domain)
      .returning('domain')
      .executeTakeFirst();
    if (removed)
      await audit(trx, {
        action: 'admin.change',
        objectType: 'agency_domain',
        objectId: agencyId,
        agencyId,
        details: { removed: domain },
      });
    return removed !== undefined;
  });
}

export interface ContactInput {
  role: string;
  name: string;
  email: string;
  phone: string;
}

export async function addContact(db: Db, audit: Audit, agencyId: number, input: ContactInput): Promise<Problems> {
  const problems: Problems = {};
  const email = input.email.toLowerCase();
  if (!(contactRoles as readonly string[]).includes(input.role))
    problems.role = { key: 'admin.agencies.errors.contactRole' };
  if (input.name.length < 2 || input.name.length > 200) problems.name = { key: 'admin.agencies.errors.contactName' };
  if (!emailPattern.test(email) || email.length > 254) problems.email = { key: 'admin.agencies.errors.email' };
  if (input.phone && !/^\+?[0-9 ()-]{5,30}$/.test(input.phone)) problems.phone = { key: 'admin.agencies.errors.phone' };
  if (Object.keys(problems).length > 0) return problems;
  return db.transaction().execute(async (trx): Promise<Problems> => {
    const added = await trx
      .insertInto('agency_contacts')
      .values({ agency_id: agencyId, role: input.role, name: input.name, email, phone: input.phone })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!added) return { email: { key: 'admin.agencies.errors.contactDuplicate' } };
    await audit(trx, {
      action: 'admin.change',
      objectType: 'agency_contact',
      objectId: added.id,
      agencyId,
      details: { added: { role: input.role, name: input.name, email } },
    });
    return {};
  });
}

export async function removeContact(db: Db, audit: Audit, agencyId: number, contactId: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom('agency_contacts')
      .where('agency_id', '=', agencyId)
      .where('id', '=', contactId)
      .returning(['id', 'role', 'name', 'email'])
      .executeTakeFirst();
    if (removed)
      await audit(trx, {
        action: 'admin.change',
        objectType: 'agency_contact',
        objectId: removed.id,
        agencyId,
        details: { removed },
      });
    return removed !== undefined;
  });
}

/**
 * Adds a person to the agency: an existing user by e-mail, or a new one (with the name given) who can
 * then log in. Roles are granted on the user's page.
 */
export async function addMember(
  db: Db,
  audit: Audit,
  agencyId: number,
  input: { email: string; name: string },
): Promise<Problems> {
  const email = input.email.toLowerCase();
  if (!emailPattern.test(email) || email.length > 254) return { member_email: { key: 'admin.agencies.errors.email' } };
  // A consultant already in another agency is refused by the database (migration 0039); said as such.
  return db
    .transaction()
    .execute(async (trx): Promise<Problems> => {
      let user = await trx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
      if (!user) {
        if (input.name.length < 2 || input.name.length > 200)
          return { member_name: { key: 'admin.agencies.errors.memberName' } };
        user = await trx
          .insertInto('users')
          .values({ email, name: input.name })
          .returning('id')
          .executeTakeFirstOrThrow();
      }
      const added = await trx
        .insertInto('agency_members')
        .values({ user_id: user.id, agency_id: agencyId })
        .onConflict((oc) => oc.doNothing())
        .returning('user_id')
        .executeTakeFirst();
      if (!added) return { member_email: { key: 'admin.agencies.errors.memberDuplicate' } };
      await audit(trx, {
        action: 'admin.change',
        objectType: 'agency_member',
        objectId: user.id,
        agencyId,
        details: { added: email },
      });
      return {};
    })
    .catch((error: unknown): Problems => {
      if (isConsultantConflict(error)) return { member_email: { key: 'admin.agencies.errors.consultantElsewhere' } };
      throw error;
    });
}
