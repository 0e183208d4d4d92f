// Min side's verbs: the agency acted for, shared mailboxes and their members, authorised orderers.
// Each is checked here and written in one transaction with its audit entry.
import { type Problems, emailPattern, idOf } from '../web/input.js';
import type { Db } from '../db/index.js';
import { can } from '../auth/guards.js';
import { grantRole, revokeRole } from '../auth/roles.js';
import type { Viewer } from '../auth/viewer.js';
import { forgetUser } from '../auth/kept-viewers.js';
import { HttpError } from '../web/errors.js';
import { agencyMember, agencyOrderer } from './queries.js';
import type { Audit } from '../audit/log.js';
import { domainOf } from '../auth/registration.js';

/** A new mailbox of the agency; its address must be on one of the agency's domains, when it has any. */
export async function createMailbox(
  db: Db,
  audit: Audit,
  agencyId: number,
  input: { name: string; email: string },
): Promise<Problems> {
  const email = input.email.toLowerCase();
  const problems: Problems = {};
  if (input.name.length < 2 || input.name.length > 200) problems.mailbox_name = { key: 'me.mailboxes.errors.name' };
  if (!emailPattern.test(email) || email.length > 254) problems.mailbox_email = { key: 'admin.agencies.errors.email' };
  if (Object.keys(problems).length > 0) return problems;
  return db.transaction().execute(async (trx): Promise<Problems> => {
    const domains = (
      await trx.selectFrom('agency_domains').select('domain').where('agency_id', '=', agencyId).execute()
    ).map((d) => d.domain);
    if (domains.length > 0 && !domains.includes(domainOf(email)))
      return { mailbox_email: { key: 'me.mailboxes.errors.domain', params: { domains: domains.join(', ') } } };
    const taken = await trx
      .selectFrom('shared_mailboxes')
      .select(['name', 'email', 'agency_id'])
      .where((eb) =>
        eb.or([eb('email', '=', email), eb.and([eb('agency_id', '=', agencyId), eb('name', '=', input.name)])]),
      )
      .executeTakeFirst();
    if (taken)
      return taken.email === email
        ? { mailbox_email: { key: 'me.mailboxes.errors.emailTaken' } }
        : { mailbox_name: { key: 'me.mailboxes.errors.nameTaken' } };
    const created = await trx
      .insertInto('shared_mailboxes')
      .values({ agency_id: agencyId, name: input.name, email })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, {
      action: 'admin.change',
      objectType: 'shared_mailbox',
      objectId: created.id,
      agencyId,
      details: { created: { name: input.name, email } },
    });
    return {};
  });
}

/** Adds or removes a member of one of the agency's mailboxes; undefined when the mailbox is not the agency's. */
export async function changeMailboxMember(
  db: Db,
  audit: Audit,
  agencyId: number,
  /** `person`: the member's e-mail address or id (see agencyMember). */
  change: { mailboxId: number; person: string; add: boolean },
): Promise<Problems | undefined> {
  return db.transaction().execute(async (trx): Promise<Problems | undefined> => {
    const mailbox = await trx
      .selectFrom('shared_mailboxes')
      .select(['id', 'name'])
      .where('id', '=', change.mailboxId)
      .where('agency_id', '=', agencyId)
      .forUpdate()
      .executeTakeFirst();
    if (!mailbox) return undefined;
    // Only active people of the same agency join its mailbox; anyone of it, deactivated too, can be taken out.
    const userId = await agencyMember(trx, agencyId, change.person, { anyState: !change.add });
    if (userId === undefined) return { [`member-${mailbox.id}`]: { key: 'me.mailboxes.errors.person' } };
    const member = { user_id: userId };
    const changed = change.add
      ? await trx
          .insertInto('shared_mailbox_members')
          .values({ mailbox_id: mailbox.id, user_id: member.user_id })
          .onConflict((oc) => oc.doNothing())
          .returning('user_id')
          .executeTakeFirst()
      : await trx
          .deleteFrom('shared_mailbox_members')
          .where('mailbox_id', '=', mailbox.id)
          .where('user_id', '=', member.user_id)
          .returning('user_id')
          .executeTakeFirst();
    if (!changed)
      return {
        [`member-${mailbox.id}`]: { key: change.add ? 'me.mailboxes.errors.already' : 'me.mailboxes.errors.notMember' },
      };
    await audit(trx, {
      action: 'mailbox.member',
      objectType: 'shared_mailbox',
      objectId: mailbox.id,
      agencyId,
      details: { [change.add ? 'added' : 'removed']: member.user_id, mailbox: mailbox.name },
    });
    return {};
  });
}

/** The agency a member of several acts for from now on, in every list, form and export. */
export async function switchAgency(db: Db, viewer: Viewer, agencyId: string | undefined) {
  const chosen = viewer.agencies.find((agency) => String(agency.id) === agencyId);
  if (!chosen) throw new HttpError(403, 'agency_not_yours', 'errors.agencyNotYours');
  await db.updateTable('sessions').set({ active_agency_id: chosen.id }).where('id', '=', viewer.sessionId).execute();
  forgetUser(viewer.userId);
  return chosen;
}

export interface OrdererAppointment {
  user: string;
  area: string;
  reason: string;
}

/** Appoints an authorised orderer in the viewer's agency, for an area the viewer may appoint for. */
export async function appointOrderer(
  db: Db,
  audit: Audit,
  viewer: Viewer,
  input: OrdererAppointment,
): Promise<Problems> {
  const problems: Problems = {};
  const userId = await agencyMember(db, viewer.agencyId!, input.user);
  const areaId = idOf(input.area);
  if (userId === undefined) problems.user = { key: 'me.orderers.errors.user' };
  if (areaId === undefined || !can(viewer, 'agency.appointOrderers', { areaId }))
    problems.area = { key: 'me.orderers.errors.area' };
  if (userId === undefined || problems.area) return problems;
  const refused = await grantRole(db, audit, userId, {
    role: 'authorised_orderer',
    agency: String(viewer.agencyId),
    area: input.area,
    reason: input.reason,
  });
  // "Not a member of the agency" reads as the person field here.
  return refused.agency ? { user: { key: 'me.orderers.errors.user' } } : refused;
}

/**
 * Removes an orderer of the viewer's agency, with a reason. Another agency's role, or one for an area
 * this viewer does not appoint for, is not found (undefined).
 */
export async function removeOrderer(
  db: Db,
  audit: Audit,
  viewer: Viewer,
  roleId: string,
  reason: string,
): Promise<Problems | undefined> {
  const id = idOf(roleId);
  const role = id === undefined ? undefined : await agencyOrderer(db, viewer.agencyId!, id);
  if (!role || !can(viewer, 'agency.appointOrderers', { areaId: role.area_id ?? undefined })) return undefined;
  return revokeRole(db, audit, role.user_id, role.id, reason);
}
