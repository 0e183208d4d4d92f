// The caseworker's verbs on cases: assign, classify, register a case for a customer who phoned or
// wrote, link a case from an unknown sender, grant power of attorney from a signed form, and bulk
// actions. Each locks the case through lockVisibleCase, so 404 and the guard are decided in one place.
import { sql } from 'kysely';
import type { Audit } from '../audit/log.js';
import { grantRole } from '../auth/roles.js';
import { can } from '../auth/guards.js';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/index.js';
import { lockVisibleCase, visibleCaseFor } from '../cases/lock.js';
import { openCase, requesterOf } from '../cases/open.js';
import {
  caseLink,
  checkBody,
  checkTitle,
  isStale,
  versionConflict,
  type Refusal,
  type VerbContext,
} from '../cases/rules.js';
import { enqueueMail } from '../mail/outbox.js';
import { osloDay } from '../sla/calendar.js';
import { formatDate } from '../web/i18n.js';
import type { Classification } from '../sla/targets.js';
import { followTarget } from '../cases/deadline.js';
import { HttpError } from '../web/errors.js';
import { hasProblems, type Problems } from '../web/input.js';
import { areaCaseworkers, areaGroups, customerMemberships } from './queries.js';
import { notify } from '../notices/service.js';
import { assignmentEvent } from '../cases/handling.js';

export interface Assignment {
  /** null: no group; 'unchanged': keep the case's group (bulk actions). */
  groupId: number | null | 'unchanged';
  /** null: nobody. */
  assigneeId: number | null;
  version: number | undefined;
  /** For the link in the new assignee's notice e-mail. */
  publicUrl: URL;
}

/** Gives a case to a group and/or a person of its area; checked against the version the form showed. */
export async function assignCase(
  db: Db,
  viewer: Viewer,
  caseNumber: string,
  input: Assignment,
): Promise<{ changed: boolean } | Refusal> {
  return db.transaction().execute(async (trx) => {
    const found = await lockVisibleCase(
      trx,
      viewer,
      caseNumber,
      (cases) => cases.select(['cases.id', 'cases.area_id', 'cases.version', 'cases.group_id', 'cases.assignee_id']),
      'case.assign',
    );
    if (isStale(input.version, found.version)) return versionConflict;
    const groupId = input.groupId === 'unchanged' ? found.group_id : input.groupId;
    const problems: Problems = {};
    const group = groupId === null ? null : (await areaGroups(trx, found.area_id)).find((g) => g.id === groupId);
    if (group === undefined) problems.group_id = { key: 'work.errors.groupOutsideArea' };
    const assignee =
      input.assigneeId === null
        ? null
        : (await areaCaseworkers(trx, found.area_id)).find((u) => u.id === input.assigneeId);
    if (assignee === undefined) problems.assignee_id = { key: 'work.errors.assigneeOutsideArea' };
    if (hasProblems(problems)) return { problems, status: 422 } satisfies Refusal;
    if (found.group_id === groupId && found.assignee_id === input.assigneeId) return { changed: false };
    await assignmentEvent(trx, viewer, found.id, group, assignee);
    await trx
      .updateTable('cases')
      .set({ group_id: groupId, assignee_id: input.assigneeId, version: sql`version + 1`, updated_at: sql`now()` })
      .where('id', '=', found.id)
      .execute();
    // Handed to someone (not taken by them): they hear of it.
    if (input.assigneeId !== null && input.assigneeId !== found.assignee_id)
      await notify(trx, {
        kind: 'assigned',
        caseId: found.id,
        dedupe: `assigned:${found.id}:${found.version}`,
        recipients: [input.assigneeId],
        actorId: viewer.userId,
        publicUrl: input.publicUrl,
      });
    return { changed: true };
  });
}

export interface CaseOnBehalf {
  customerId: number;
  areaCode: string;
  formCode: string | null;
  categoryId: number | null;
  channel: 'phone' | 'email';
  title: string;
  body: string;
}

/**
 * A case a caseworker registers for a customer who phoned or wrote: it belongs to the customer (and
 * shows in their portal like any other), is routed and timed like a web case, and the customer gets
 * the acknowledgement.
 */
export async function createCaseFor(
  db: Db,
  viewer: Viewer,
  input: CaseOnBehalf,
  context: VerbContext,
): Promise<{ number: string } | Refusal> {
  return db.transaction().execute(async (trx) => {
    const area = await trx
      .selectFrom('areas')
      .select(['id', 'code'])
      .where('code', '=', input.areaCode)
      .where('active', '=', true)
      .executeTakeFirst();
    if (!area || !can(viewer, 'case.assign', { areaId: area.id })) throw new HttpError(403, 'forbidden');
    const problems: Problems = { ...checkTitle(input.title), ...checkBody(input.body) };
    const customer = await customerMemberships(trx, input.customerId).executeTakeFirst();
    if (!customer) problems.customer = { key: 'work.errors.customer' };
    const form = input.formCode
      ? await trx
          .selectFrom('forms')
          .select('id')
          .where('area_id', '=', area.id)
          .where('code', '=', input.formCode)
          .where('purpose', '=', 'case')
          .executeTakeFirst()
      : undefined;
    if (input.formCode && !form) problems.form_code = { key: 'work.errors.form' };
    const category =
      input.categoryId === null
        ? null
        : await trx
            .selectFrom('categories')
            .select('id')
            .where('id', '=', input.categoryId)
            .where('area_id', '=', area.id)
            .executeTakeFirst();
    if (category === undefined) problems.category = { key: 'work.errors.category' };
    if (Object.keys(problems).length > 0 || !customer) return { problems, status: 422 } satisfies Refusal;

    const { number } = await openCase(trx, {
      title: input.title,
      body: input.body,
      areaId: area.id,
      agencyId: customer.agency_id,
      requester: requesterOf(customer),
      actorId: viewer.userId,
      channel: input.channel,
      formId: form?.id ?? null,
      categoryId: category?.id ?? null,
      answers: {},
      files: [],
      eventData: { onBehalfOf: customer.id },
      acknowledge: true,
      language: context.language,
      publicUrl: context.publicUrl,
    });
    return { number };
  });
}

/** Marks a case as a change request (or not): the customer is told, and its deadline follows the target. */
export async function classifyCase(
  db: Db,
  viewer: Viewer,
  caseNumber: string,
  input: { classification: Classification | null; version: number | undefined },
  context: VerbContext,
): Promise<{ changed: boolean } | Refusal> {
  return db.transaction().execute(async (trx) => {
    const found = await lockVisibleCase(
      trx,
      viewer,
      caseNumber,
      (cases) =>
        cases
          .leftJoin('users as requester', 'requester.id', 'cases.requester_id')
          .leftJoin('shared_mailboxes as mailbox', 'mailbox.id', 'cases.shared_mailbox_id')
          .select([
            'cases.id',
            'cases.area_id',
            'cases.version',
            'cases.classification',
            'requester.email',
            'requester.name',
            'requester.language',
          ])
          .select(['mailbox.email as mailbox_email', 'mailbox.name as mailbox_name']),
      'case.assign',
    );
    if (isStale(input.version, found.version)) return versionConflict;
    if (found.classification === input.classification) return { changed: false };
    await trx
      .updateTable('cases')
      .set({ classification: input.classification, version: sql`version + 1`, updated_at: sql`now()` })
      .where('id', '=', found.id)
      .execute();
    // A promised date from a provisional answer stands; otherwise the deadline follows the new target.
    const days = await followTarget(trx, found.id);
    await trx
      .insertInto('case_events')
      .values({
        case_id: found.id,
        kind: 'classification',
        actor_id: viewer.userId,
        data: { from: found.classification, to: input.classification, workingDays: days },
      })
      .execute();
    if (input.classification === 'change_request' && found.email !== null) {
      await enqueueMail(trx, {
        kind: 'case_classified',
        idempotencyKey: `case-classified:${found.id}:${found.version}`,
        recipient: found.mailbox_email ?? found.email,
        language: found.language === 'en' ? 'en' : 'nb',
        payload: {
          name: found.mailbox_name ?? found.name ?? '',
          number: caseNumber,
          link: caseLink(context.publicUrl, caseNumber),
        },
      });
    }
    return { changed: true };
  });
}

/**
 * A signed power-of-attorney form came as an attachment to a case: its requester gets power of
 * attorney in the case's agency, with the case as the reason in the audit trail.
 */
export async function grantAttorneyFromCase(
  db: Db,
  viewer: Viewer,
  caseNumber: string,
  context: { audit: Audit; reason: string },
): Promise<Problems> {
  const found = await visibleCaseFor(
    db,
    viewer,
    caseNumber,
    (cases) => cases.select(['cases.area_id', 'cases.agency_id', 'cases.requester_id']),
    'case.assign',
  );
  if (found.requester_id === null || found.agency_id === null) return { customer: { key: 'work.attorney.unlinked' } };
  return grantRole(db, context.audit, found.requester_id, {
    role: 'power_of_attorney',
    agency: String(found.agency_id),
    area: '',
    reason: context.reason,
  });
}

export interface CustomerLink {
  customerId: number;
  agencyId: number | undefined;
  version: number | undefined;
}

/**
 * Links a case from an unknown sender to a customer and one of their agencies: from then on it is
 * theirs like any other case, and they get the acknowledgement they did not get when the mail came.
 */
export async function linkCustomer(
  db: Db,
  viewer: Viewer,
  caseNumber: string,
  input: CustomerLink,
  context: Omit<VerbContext, 'limits'>,
): Promise<{ linked: true } | Refusal> {
  return db.transaction().execute(async (trx) => {
    const found = await lockVisibleCase(
      trx,
      viewer,
      caseNumber,
      (cases) =>
        cases.select([
          'cases.id',
          'cases.area_id',
          'cases.version',
          'cases.requester_id',
          'cases.sender_address',
          'cases.due_at',
        ]),
      'case.assign',
    );
    if (isStale(input.version, found.version)) return versionConflict;
    if (found.requester_id !== null)
      return { problems: { customer: { key: 'work.errors.alreadyLinked' } }, status: 409 };
    const memberships = await customerMemberships(trx, input.customerId).execute();
    const customer =
      input.agencyId === undefined ? memberships[0] : memberships.find((m) => m.agency_id === input.agencyId);
    if (!customer)
      return {
        problems: { customer: { key: memberships.length > 0 ? 'work.errors.customerAgency' : 'work.errors.customer' } },
        status: 422,
      };
    await trx
      .updateTable('cases')
      .set({
        requester_id: customer.id,
        agency_id: customer.agency_id,
        version: sql`version + 1`,
        updated_at: sql`now()`,
      })
      .where('id', '=', found.id)
      .execute();
    await trx
      .insertInto('case_events')
      .values({
        case_id: found.id,
        kind: 'customer_linked',
        actor_id: viewer.userId,
        data: { customer: customer.id, agency: customer.agency_id, sender: found.sender_address },
      })
      .execute();
    await context.audit?.(trx, {
      action: 'case.link_customer',
      objectType: 'case',
      objectId: caseNumber,
      agencyId: customer.agency_id,
      details: { customer: customer.id, sender: found.sender_address },
    });
    const language = customer.language === 'en' ? 'en' : customer.language === 'nb' ? 'nb' : context.language;
    await enqueueMail(trx, {
      kind: 'case_acknowledgement',
      idempotencyKey: `case-acknowledgement:${found.id}`,
      recipient: customer.email,
      language,
      payload: {
        name: customer.name,
        number: caseNumber,
        link: caseLink(context.publicUrl, caseNumber),
        ...(found.due_at ? { due: formatDate(language, osloDay(new Date(found.due_at))) } : {}),
      },
    });
    return { linked: true };
  });
}
