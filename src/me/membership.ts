// Acting for another agency (seed 002): people in payroll communities ask to act for another agency of
// their community. The request is a case in the area they choose; a caseworker of that area approves it
// (the membership is added, audited) or refuses it, in the case. A consultant cannot ask: they act for one
// agency only, and the database would refuse the membership anyway (migration 0039).
import { sql } from 'kysely';
import type { Audit } from '../audit/log.js';
import type { Viewer } from '../auth/viewer.js';
import { preparedMark, type Db } from '../db/index.js';
import { openCase } from '../cases/open.js';
import { lockVisibleCase } from '../cases/lock.js';
import type { Refusal } from '../cases/rules.js';
import { translator, type Language } from '../web/i18n.js';
import type { Problems } from '../web/input.js';
import { isConsultantConflict } from './consent.js';

export interface MembershipAsk {
  orgNumber: string;
  area: string;
  reason: string;
}

/** Asks to act for another agency: a case in the chosen area, and the request it decides. */
export async function askForMembership(
  db: Db,
  viewer: Viewer,
  ask: MembershipAsk,
  context: { language: Language; publicUrl: URL },
): Promise<{ number: string } | { problems: Problems }> {
  const problems: Problems = {};
  if (viewer.consultant) return { problems: { org_number: { key: 'membership.errors.consultant' } } };
  const agency = /^[0-9]{9}$/.test(ask.orgNumber)
    ? await db
        .selectFrom('agencies')
        .select(['id', 'name', 'org_number'])
        .where('org_number', '=', ask.orgNumber)
        .executeTakeFirst()
    : undefined;
  if (!agency) problems.org_number = { key: 'membership.errors.agency' };
  else if (viewer.agencyIds.includes(agency.id)) problems.org_number = { key: 'membership.errors.already' };
  const area = await db
    .selectFrom('areas')
    .select('id')
    .where('code', '=', ask.area)
    .where('active', '=', true)
    .executeTakeFirst();
  if (!area) problems.area = { key: 'membership.errors.area' };
  if (ask.reason.length < 10 || ask.reason.length > 1000) problems.reason = { key: 'membership.errors.reason' };
  if (!agency || !area || Object.keys(problems).length > 0 || viewer.agencyId === null) return { problems };
  // The centre reads it in Norwegian, whatever language the customer uses.
  const nb = translator('nb');
  return db.transaction().execute(async (trx) => {
    const open = await trx
      .selectFrom('membership_requests')
      .select('id')
      .where('user_id', '=', viewer.userId)
      .where('agency_id', '=', agency.id)
      .where('decision', 'is', null)
      .executeTakeFirst();
    if (open) return { problems: { org_number: { key: 'membership.errors.open' } } };
    const opened = await openCase(trx, {
      title: nb('membership.caseTitle', { agency: agency.name, org: agency.org_number }),
      body: ask.reason,
      areaId: area.id,
      agencyId: viewer.agencyId,
      requester: viewer,
      actorId: viewer.userId,
      channel: 'web',
      formId: null,
      categoryId: null,
      answers: {},
      files: [],
      eventData: { membershipRequest: agency.name },
      acknowledge: true,
      language: context.language,
      publicUrl: context.publicUrl,
    });
    await trx
      .insertInto('membership_requests')
      .values({ case_id: opened.id, user_id: viewer.userId, agency_id: agency.id })
      .execute();
    return { number: opened.number };
  });
}

/** The request a case decides, if it is one, with the agency asked for and who asked. */
export function membershipRequestOf(db: Db, caseId: number) {
  return db
    .selectFrom('membership_requests')
    .innerJoin('agencies', 'agencies.id', 'membership_requests.agency_id')
    .innerJoin('users', 'users.id', 'membership_requests.user_id')
    .select([
      'membership_requests.id',
      'membership_requests.decision',
      'membership_requests.decided_at',
      'agencies.name as agency',
      'agencies.org_number',
      'users.name as requester',
      'users.email as requester_email',
    ])
    .where('membership_requests.case_id', '=', caseId)
    .modifyEnd(preparedMark)
    .executeTakeFirst();
}

/** A caseworker of the case's area approves (adding the membership) or refuses the request. */
export async function decideMembership(
  db: Db,
  audit: Audit,
  viewer: Viewer,
  caseNumber: string,
  decision: string | undefined,
): Promise<{ decided: true } | Refusal | undefined> {
  try {
    return await db.transaction().execute(async (trx) => {
      const found = await lockVisibleCase(
        trx,
        viewer,
        caseNumber,
        (cases) => cases.select(['cases.id', 'cases.area_id']),
        'case.assign',
      );
      const request = await trx
        .selectFrom('membership_requests')
        .innerJoin('agencies', 'agencies.id', 'membership_requests.agency_id')
        .select([
          'membership_requests.id',
          'membership_requests.user_id',
          'membership_requests.agency_id',
          'membership_requests.decision',
          'agencies.name',
        ])
        .where('membership_requests.case_id', '=', found.id)
        .executeTakeFirst();
      if (!request) return undefined;
      if (decision !== 'approved' && decision !== 'refused')
        return { problems: { membership: { key: 'membership.errors.decision' } }, status: 422 as const };
      if (request.decision !== null)
        return { problems: { membership: { key: 'membership.errors.decided' } }, status: 409 as const };
      if (decision === 'approved')
        await trx
          .insertInto('agency_members')
          .values({ user_id: request.user_id, agency_id: request.agency_id })
          .onConflict((oc) => oc.doNothing())
          .execute();
      await trx
        .updateTable('membership_requests')
        .set({ decision, decided_by: viewer.userId, decided_at: sql`now()` })
        .where('id', '=', request.id)
        .execute();
      await trx
        .insertInto('case_events')
        .values({
          case_id: found.id,
          kind: 'membership',
          actor_id: viewer.userId,
          data: { decision, agency: request.name },
        })
        .execute();
      await trx
        .updateTable('cases')
        .set({ version: sql`version + 1`, updated_at: sql`now()` })
        .where('id', '=', found.id)
        .execute();
      await audit(trx, {
        action: decision === 'approved' ? 'membership.approve' : 'membership.refuse',
        objectType: 'user',
        objectId: request.user_id,
        agencyId: request.agency_id,
        details: { case: caseNumber, agency: request.name },
      });
      return { decided: true as const };
    });
  } catch (error) {
    if (isConsultantConflict(error))
      return { problems: { membership: { key: 'membership.errors.consultant' } }, status: 422 };
    throw error;
  }
}
