// Domain verbs on cases: each opens its transaction, locks what it changes and writes the event,
// the files and the outbox row together, so a case and everything it announces commit or fail as one.
import { type Problems, isIsoDate } from '../web/input.js';
import { containsPattern } from '../db/text-search.js';
import { sql } from 'kysely';
import { inTransaction, type Db } from '../db/index.js';
import type { Audit } from '../audit/log.js';
import { grantRole } from '../admin/users.js';
import { activeMailboxes, type Viewer } from '../auth/viewer.js';
import { can } from '../auth/guards.js';
import { HttpError, notFound } from '../web/errors.js';
import type { Language } from '../web/i18n.js';
import { enqueueMail } from '../mail/outbox.js';
import { readAnswers, inputName, visibleFields, rawValue } from '../forms/answers.js';
import type { CaseStatus } from './queries.js';
import type { Form } from '../forms/queries.js';
import { checkUploads, type AttachmentLimits, type CheckedFile, type Upload } from '../attachments/files.js';
import { caseAttachmentBytes, storeAttachments } from '../attachments/queries.js';
import { targetWorkingDays, type Classification } from '../sla/targets.js';
import {
  addWorkingDays,
  addWorkingTime,
  loadCalendar,
  osloDay,
  endOfOsloDay,
  workingTimeBetween,
} from '../sla/calendar.js';
import { containsNationalId } from './national-id.js';
import { visibleCases } from './visibility.js';

export const titleMaxLength = 200;
export const bodyMaxLength = 20_000;

/** The title shows in lists and exports, so it may not carry a national identity number. */
export function checkTitle(title: string): Problems {
  if (title.length === 0) return { title: { key: 'cases.errors.titleRequired' } };
  if (title.length > titleMaxLength)
    return { title: { key: 'cases.errors.titleTooLong', params: { max: titleMaxLength } } };
  if (containsNationalId(title)) return { title: { key: 'cases.errors.titleNationalId' } };
  return {};
}

export function checkBody(body: string, field = 'body'): Problems {
  if (body.length === 0)
    return { [field]: { key: field === 'body' ? 'cases.errors.bodyRequired' : 'cases.errors.messageRequired' } };
  if (body.length > bodyMaxLength)
    return { [field]: { key: 'cases.errors.bodyTooLong', params: { max: bodyMaxLength.toLocaleString('nb-NO') } } };
  return {};
}

/** What a verb needs to know about where it runs: links in mail, the user's language, the upload limits. */
export interface VerbContext {
  publicUrl: URL;
  language: Language;
  limits: AttachmentLimits;
  /** Records in the audit trail, in the verb's own transaction. */
  audit?: Audit;
}

/** A refusal the form shows next to the fields; 413 when a file was over a size limit. */
export interface Refusal {
  problems: Problems;
  status: 409 | 413 | 422;
}

/** The next case number of this year (Europe/Oslo). The counter row lock orders concurrent cases; a rolled-back case never consumes a number. */
export async function nextCaseNumber(trx: Db): Promise<string> {
  const year = Number(new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: 'Europe/Oslo' }).format(new Date()));
  const { last_value } = await trx
    .insertInto('case_number_counters')
    .values({ year, last_value: 1 })
    .onConflict((oc) => oc.column('year').doUpdateSet({ last_value: sql`case_number_counters.last_value + 1` }))
    .returning('last_value')
    .executeTakeFirstOrThrow();
  return `${year}-${String(last_value).padStart(6, '0')}`;
}

interface CaseOpening {
  title: string;
  body: string;
  areaId: number;
  /** Null, with the requester, for mail from an address no user has: a caseworker links it later. */
  agencyId: number | null;
  requester: { userId: number; name: string; email: string; language: Language | null } | { senderAddress: string };
  /** Who opened it: the requester on the web and by mail, a caseworker for a phone case, nobody for an unknown sender. */
  actorId: number | null;
  channel: 'web' | 'email' | 'phone';
  formId: number | null;
  categoryId: number | null;
  answers: Record<string, unknown>;
  files: readonly CheckedFile[];
  eventData?: Record<string, unknown>;
  /** Sent as this shared mailbox of the agency: its members share the case, and its address gets the mail. */
  mailbox?: { id: number; name: string; email: string } | undefined;
  acknowledge: boolean;
  language: Language;
  publicUrl: URL;
}

/**
 * What every new case gets, whatever its channel, in the caller's transaction: a number, its
 * deadline from the target and the calendar, its group from the routing rules, the created event,
 * its files, and the acknowledgement (number and link, never the title or the description).
 */
async function openCase(trx: Db, o: CaseOpening): Promise<{ id: number; number: string }> {
  const number = await nextCaseNumber(trx);
  const days = await targetWorkingDays(trx, { areaId: o.areaId, formId: o.formId, classification: null });
  const created = await trx
    .insertInto('cases')
    .values({
      number,
      title: o.title,
      body: o.body,
      area_id: o.areaId,
      agency_id: o.agencyId,
      requester_id: 'userId' in o.requester ? o.requester.userId : null,
      sender_address: 'senderAddress' in o.requester ? o.requester.senderAddress : null,
      channel: o.channel,
      form_id: o.formId,
      category_id: o.categoryId,
      answers: JSON.stringify(o.answers),
      due_at: addWorkingDays(await loadCalendar(trx), new Date(), days),
      group_id: await routedGroup(trx, o.areaId, o.formId),
      shared_mailbox_id: o.mailbox?.id ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const event = await trx
    .insertInto('case_events')
    .values({ case_id: created.id, kind: 'created', actor_id: o.actorId, data: { channel: o.channel, ...o.eventData } })
    .returning('id')
    .executeTakeFirstOrThrow();
  await storeAttachments(trx, { caseId: created.id, eventId: event.id, userId: o.actorId }, o.files);
  if (o.acknowledge && 'userId' in o.requester) {
    await enqueueMail(trx, {
      kind: 'case_acknowledgement',
      idempotencyKey: `case-acknowledgement:${created.id}`,
      recipient: o.mailbox?.email ?? o.requester.email,
      language: o.requester.language ?? o.language,
      payload: { name: o.mailbox?.name ?? o.requester.name, number, link: caseLink(o.publicUrl, number) },
    });
  }
  return { id: created.id, number };
}

/** A form based on an older version of the case: nothing is saved, and the user is told why. */
const versionConflict: Refusal = { problems: { version: { key: 'work.errors.conflict' } }, status: 409 };
const isStale = (submitted: number | undefined, current: number) => submitted !== undefined && submitted !== current;

export function caseLink(publicUrl: URL, number: string): string {
  return new URL(`cases/${number}`, publicUrl.href.endsWith('/') ? publicUrl : `${publicUrl.href}/`).href;
}

/** Checks files and groups problems under the input they came from; the first problem per input is shown. */
async function checkFiles(uploads: readonly Upload[], limits: AttachmentLimits, existingBytes: number) {
  const checked = await checkUploads(uploads, limits, existingBytes);
  const problems: Problems = {};
  for (const { field, problem } of checked.problems) {
    const count = checked.problems.filter((p) => p.field === field).length;
    problems[field] ??=
      count === 1
        ? problem
        : { key: 'attachments.errors.several', params: { count, first: String(problem.params?.name ?? '') } };
  }
  return { files: checked.files, problems, tooLarge: checked.tooLarge };
}

/** The group a new case goes to: a rule for its area and form, else one for its area alone. */
export async function routedGroup(db: Db, areaId: number, formId: number | null): Promise<number | null> {
  const rule = await db
    .selectFrom('routing_rules')
    .select('group_id')
    .where('area_id', '=', areaId)
    .where((eb) => eb.or([eb('form_id', 'is', null), ...(formId === null ? [] : [eb('form_id', '=', formId)])]))
    .orderBy(sql`form_id IS NULL`)
    .limit(1)
    .executeTakeFirst();
  return rule?.group_id ?? null;
}

export interface NewCase {
  form: Form;
  title: string;
  body: string;
  /** The raw form post, read against the form's fields. */
  fields: Record<string, unknown>;
  uploads: Upload[];
  /** The shared mailbox to send as (its id from the form), or empty to send as oneself. */
  mailbox?: string;
}

export async function createCase(
  db: Db,
  viewer: Viewer,
  input: NewCase,
  context: VerbContext,
): Promise<{ number: string } | Refusal> {
  if (!can(viewer, 'case.create') || viewer.agencyId === null) throw new HttpError(403, 'forbidden');
  const { form } = input;
  if (form.purpose === 'access_order' && !can(viewer, 'access.order', { areaId: form.areaId }))
    throw new HttpError(403, 'access_order_forbidden');
  const agencyId = viewer.agencyId;

  // Files belong to the general attachments input or to a file field the answers make visible.
  const shown = visibleFields(form.fields, (field) => rawValue(input.fields, field));
  const fileInputs = new Set([
    'attachments',
    ...form.fields.filter((f) => f.type === 'file' && shown.has(f.key)).map(inputName),
  ]);
  const uploads = input.uploads.filter((u) => fileInputs.has(u.field));
  const filesPerField = new Map<string, number>();
  for (const upload of uploads)
    filesPerField.set(upload.field.replace(/^f_/, ''), (filesPerField.get(upload.field.replace(/^f_/, '')) ?? 0) + 1);

  const { answers, problems: answerProblems } = readAnswers(form.fields, input.fields, filesPerField);
  const files = await checkFiles(uploads, context.limits, 0);
  // Only a mailbox of the agency acted for, that the viewer is a member of.
  const mailboxChoice = input.mailbox ? activeMailboxes(viewer).find((m) => String(m.id) === input.mailbox) : undefined;
  const mailboxProblem: Problems = input.mailbox && !mailboxChoice ? { mailbox: { key: 'cases.errors.mailbox' } } : {};
  const problems = {
    ...checkTitle(input.title),
    ...checkBody(input.body),
    ...mailboxProblem,
    ...answerProblems,
    ...files.problems,
  };
  if (Object.keys(problems).length > 0) return { problems, status: files.tooLarge ? 413 : 422 };

  return db.transaction().execute(async (trx) => {
    const mailbox =
      mailboxChoice &&
      (await trx
        .selectFrom('shared_mailboxes')
        .select(['id', 'name', 'email'])
        .where('id', '=', mailboxChoice.id)
        .executeTakeFirst());
    const { number } = await openCase(trx, {
      title: input.title,
      body: input.body,
      areaId: form.areaId,
      agencyId,
      requester: viewer,
      actorId: viewer.userId,
      channel: 'web',
      formId: form.id,
      categoryId: null,
      answers,
      files: files.files,
      eventData: { form: form.code, ...(mailbox ? { mailbox: mailbox.name } : {}) },
      mailbox: mailbox || undefined,
      acknowledge: true,
      language: context.language,
      publicUrl: context.publicUrl,
    });
    if (form.purpose === 'access_order')
      await context.audit?.(trx, {
        action: 'access.order',
        objectType: 'case',
        objectId: number,
        agencyId,
        details: { form: form.code, area: form.areaId },
      });
    return { number };
  });
}

/** What a caseworker's message is: an answer (with a notice to the customer), a provisional answer with an expected date, or an internal note. */
export const messageKinds = ['answer', 'provisional', 'internal_note'] as const;
export type MessageKind = (typeof messageKinds)[number];

export interface Reply {
  body: string;
  uploads: Upload[];
  /** Caseworkers only; customers always write plain messages. */
  kind?: MessageKind | undefined;
  /** Caseworkers only: the status the case should have afterwards. */
  status?: CaseStatus | undefined;
  /** With a provisional answer: the date the customer can expect a resolution (YYYY-MM-DD). */
  expectedDate?: string | undefined;
  /** The version of the case the caseworker's form was based on. */
  version?: number | undefined;
}

export interface ReplyResult {
  reopened: boolean;
  answered: boolean;
  noted: boolean;
  statusChanged: boolean;
}

/** The clock stops while the case waits for the customer or is postponed. */
const pausedStatuses: readonly CaseStatus[] = ['awaiting_customer', 'postponed'];

/** Rules for a caseworker's submission; problems are keyed by the form's inputs. */
function checkWork(input: Reply, current: CaseStatus, today: string, { linked }: { linked: boolean }): Problems {
  const problems: Problems = {};
  const kind = input.kind ?? 'answer';
  const changesStatus = input.status !== undefined && input.status !== current;
  // Mail from an unknown address has nobody to answer yet: it is linked to a customer first, or closed with a note.
  if (!linked) {
    if (kind !== 'internal_note') problems.message = { key: 'work.errors.unlinkedAnswer' };
    else if (input.body.length === 0) problems.message = { key: 'cases.errors.messageRequired' };
    if (input.status === 'postponed' && changesStatus) problems.status = { key: 'work.errors.unlinkedPostpone' };
    return problems;
  }
  if (input.body.length > bodyMaxLength)
    problems.message = { key: 'cases.errors.bodyTooLong', params: { max: bodyMaxLength.toLocaleString('nb-NO') } };
  else if (input.body.length === 0 && (!changesStatus || kind !== 'answer'))
    problems.message = { key: 'cases.errors.messageRequired' };
  if (input.status === 'postponed' && changesStatus && (kind === 'internal_note' || input.body.length === 0))
    problems.status = { key: 'work.errors.postponeNeedsMessage' };
  if (input.status === 'closed' && changesStatus && (kind !== 'answer' || input.body.length === 0))
    problems.status = { key: 'work.errors.closeNeedsAnswer' };
  if (kind === 'provisional') {
    if (!input.expectedDate || !isIsoDate(input.expectedDate))
      problems.expected_date = { key: 'work.errors.expectedDate' };
    else if (input.expectedDate < today) problems.expected_date = { key: 'work.errors.expectedDatePast' };
  }
  return problems;
}

/**
 * A message on a case, and for caseworkers of the case's area also its status. From the customer
 * side it reopens a closed case and restarts a stopped clock. From the centre it is an answer (the
 * requester gets a notice without the answer), a provisional answer with an expected date, or an
 * internal note; a status change is checked against the rules and the version the form was based on.
 */
export async function replyToCase(
  db: Db,
  viewer: Viewer,
  caseNumber: string,
  input: Reply,
  context: VerbContext,
): Promise<ReplyResult | Refusal> {
  return inTransaction(db, async (trx) => {
    const found = await visibleCases(trx, viewer)
      .leftJoin('users as requester', 'requester.id', 'cases.requester_id')
      .leftJoin('shared_mailboxes as mailbox', 'mailbox.id', 'cases.shared_mailbox_id')
      .select(['mailbox.email as mailbox_email', 'mailbox.name as mailbox_name'])
      .select([
        'cases.id',
        'cases.status',
        'cases.area_id',
        'cases.agency_id',
        'cases.version',
        'cases.due_at',
        'cases.sla_paused_at',
        'cases.sla_remaining_ms',
        'cases.first_answered_at',
        'requester.email',
        'requester.name',
        'requester.language',
      ])
      .where('cases.number', '=', caseNumber)
      .forUpdate('cases')
      .executeTakeFirst();
    if (!found) throw notFound();
    const current = found.status as CaseStatus;
    const staff = can(viewer, 'case.answer', { areaId: found.area_id });
    if (!staff && (input.kind !== undefined || input.status !== undefined))
      throw new HttpError(403, 'status_forbidden');
    if (staff && isStale(input.version, found.version)) return versionConflict;

    const calendar = await loadCalendar(trx);
    const now = new Date();
    const uploads = input.uploads.filter((u) => u.field === 'attachments');
    const files = await checkFiles(uploads, context.limits, await caseAttachmentBytes(trx, found.id));
    const problems = {
      ...(staff
        ? checkWork(input, current, osloDay(now), { linked: found.email !== null })
        : checkBody(input.body, 'message')),
      ...files.problems,
    };
    if (Object.keys(problems).length > 0) return { problems, status: files.tooLarge ? 413 : 422 } satisfies Refusal;

    const kind: MessageKind | 'customer' = staff ? (input.kind ?? 'answer') : 'customer';
    const answered = kind === 'answer' || kind === 'provisional';
    let message: { id: number } | undefined;
    if (input.body.length > 0) {
      message = await trx
        .insertInto('case_events')
        .values({
          case_id: found.id,
          kind: kind === 'internal_note' ? 'internal_note' : 'message',
          actor_id: viewer.userId,
          data: {
            body: input.body,
            from: staff ? 'centre' : 'customer',
            ...(kind === 'provisional' ? { provisional: true, expected: input.expectedDate } : {}),
          },
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await storeAttachments(trx, { caseId: found.id, eventId: message.id, userId: viewer.userId }, files.files);
    }

    // The status afterwards: a caseworker's choice, or for a customer's message the case back in the queue.
    const next: CaseStatus = staff
      ? (input.status ?? current)
      : current === 'closed' || pausedStatuses.includes(current)
        ? 'active'
        : current;
    const reopened = !staff && current === 'closed';
    if (next !== current) {
      await trx
        .insertInto('case_events')
        .values({
          case_id: found.id,
          kind: reopened ? 'reopened' : 'status',
          actor_id: viewer.userId,
          data: { from: current, to: next },
        })
        .execute();
      await context.audit?.(trx, {
        action: 'case.status',
        objectType: 'case',
        objectId: caseNumber,
        agencyId: found.agency_id,
        details: { from: current, to: next },
      });
    }

    // The service-level clock: it stops on entering a waiting status and resumes with the time that was left.
    let due = found.due_at;
    let paused: { at: Date | null; remaining: number | null } = {
      at: found.sla_paused_at,
      remaining: found.sla_remaining_ms,
    };
    if (kind === 'provisional' && input.expectedDate) due = endOfOsloDay(input.expectedDate);
    if (pausedStatuses.includes(next) && paused.at === null) {
      paused = { at: now, remaining: workingTimeBetween(calendar, now, due) };
    } else if (!pausedStatuses.includes(next) && paused.at !== null) {
      due = addWorkingTime(calendar, now, paused.remaining ?? 0);
      paused = { at: null, remaining: null };
    }

    await trx
      .updateTable('cases')
      .set({
        updated_at: sql`now()`,
        version: sql`version + 1`,
        status: next,
        due_at: due,
        sla_paused_at: paused.at,
        sla_remaining_ms: paused.remaining,
        ...(answered && found.first_answered_at === null ? { first_answered_at: now } : {}),
        ...(kind === 'provisional' ? { expected_at: due } : {}),
      })
      .where('id', '=', found.id)
      .execute();

    if (answered && message && found.email !== null) {
      const language = found.language === 'en' ? 'en' : 'nb';
      // The notice says there is an answer; the answer itself is read online.
      await enqueueMail(trx, {
        kind: 'case_answered',
        idempotencyKey: `case-answered:${message.id}`,
        // A case sent as a shared mailbox is answered to the mailbox, where all its members read.
        recipient: found.mailbox_email ?? found.email,
        language,
        payload: {
          name: found.mailbox_name ?? found.name ?? '',
          number: caseNumber,
          link: caseLink(context.publicUrl, caseNumber),
        },
      });
    }
    return { reopened, answered, noted: kind === 'internal_note', statusChanged: next !== current };
  });
}

export interface Assignment {
  /** null: no group; 'unchanged': keep the case's group (bulk actions). */
  groupId: number | null | 'unchanged';
  /** null: nobody. */
  assigneeId: number | null;
  version: number | undefined;
}

/** Who may take cases in an area: its caseworkers. */
export function areaCaseworkers(db: Db, areaId: number) {
  return db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select(['users.id', 'users.name'])
    .where('user_roles.role', '=', 'caseworker')
    .where('user_roles.area_id', '=', areaId)
    .where('users.active', '=', true)
    .orderBy('users.name')
    .execute();
}

export function areaGroups(db: Db, areaId: number) {
  return db
    .selectFrom('groups')
    .select(['id', 'name_nb', 'name_en'])
    .where('area_id', '=', areaId)
    .where('active', '=', true)
    .orderBy('name_nb')
    .execute();
}

/** Gives a case to a group and/or a person of its area; checked against the version the form showed. */
export async function assignCase(
  db: Db,
  viewer: Viewer,
  caseNumber: string,
  input: Assignment,
): Promise<{ changed: boolean } | Refusal> {
  return db.transaction().execute(async (trx) => {
    const found = await visibleCases(trx, viewer)
      .select(['cases.id', 'cases.area_id', 'cases.version', 'cases.group_id', 'cases.assignee_id'])
      .where('cases.number', '=', caseNumber)
      .forUpdate('cases')
      .executeTakeFirst();
    if (!found) throw notFound();
    if (!can(viewer, 'case.assign', { areaId: found.area_id })) throw new HttpError(403, 'forbidden');
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
    if (Object.keys(problems).length > 0) return { problems, status: 422 } satisfies Refusal;
    if (found.group_id === groupId && found.assignee_id === input.assigneeId) return { changed: false };
    await trx
      .insertInto('case_events')
      .values({
        case_id: found.id,
        kind: 'assignment',
        actor_id: viewer.userId,
        data: {
          group: group ? { id: group.id, nb: group.name_nb, en: group.name_en } : null,
          assignee: assignee ? { id: assignee.id, name: assignee.name } : null,
        },
      })
      .execute();
    await trx
      .updateTable('cases')
      .set({ group_id: groupId, assignee_id: input.assigneeId, version: sql`version + 1`, updated_at: sql`now()` })
      .where('id', '=', found.id)
      .execute();
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

/** Customers a caseworker can register a case for: active users who act for an agency. */
export function findCustomers(db: Db, query: string) {
  const pattern = containsPattern(query);
  return db
    .selectFrom('users')
    .innerJoin('agency_members', 'agency_members.user_id', 'users.id')
    .innerJoin('agencies', 'agencies.id', 'agency_members.agency_id')
    .select(['users.id', 'users.name', 'users.email', 'agencies.id as agency_id', 'agencies.name as agency'])
    .where('users.active', '=', true)
    .where((eb) => eb.or([eb('users.name', 'ilike', pattern), eb('users.email', 'ilike', pattern)]))
    .orderBy('users.name')
    .limit(20)
    .execute();
}

/** An active customer with each agency they belong to, one row per agency, lowest agency id first. */
function customerMemberships(db: Db, customerId: number) {
  return db
    .selectFrom('users')
    .innerJoin('agency_members', 'agency_members.user_id', 'users.id')
    .select(['users.id', 'users.name', 'users.email', 'users.language', 'agency_members.agency_id'])
    .where('users.id', '=', customerId)
    .where('users.active', '=', true)
    .orderBy('agency_members.agency_id');
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
      requester: {
        userId: customer.id,
        name: customer.name,
        email: customer.email,
        language: customer.language === 'en' ? 'en' : customer.language === 'nb' ? 'nb' : null,
      },
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
    const found = await visibleCases(trx, viewer)
      .leftJoin('users as requester', 'requester.id', 'cases.requester_id')
      .leftJoin('shared_mailboxes as mailbox', 'mailbox.id', 'cases.shared_mailbox_id')
      .select([
        'cases.id',
        'cases.area_id',
        'cases.form_id',
        'cases.version',
        'cases.classification',
        'cases.created_at',
        'cases.sla_paused_at',
        'cases.expected_at',
        'requester.email',
        'requester.name',
        'requester.language',
      ])
      .select(['mailbox.email as mailbox_email', 'mailbox.name as mailbox_name'])
      .where('cases.number', '=', caseNumber)
      .forUpdate('cases')
      .executeTakeFirst();
    if (!found) throw notFound();
    if (!can(viewer, 'case.assign', { areaId: found.area_id })) throw new HttpError(403, 'forbidden');
    if (isStale(input.version, found.version)) return versionConflict;
    if (found.classification === input.classification) return { changed: false };
    const calendar = await loadCalendar(trx);
    const days = await targetWorkingDays(trx, {
      areaId: found.area_id,
      formId: found.form_id,
      classification: input.classification,
    });
    const due = addWorkingDays(calendar, found.created_at, days);
    await trx
      .insertInto('case_events')
      .values({
        case_id: found.id,
        kind: 'classification',
        actor_id: viewer.userId,
        data: { from: found.classification, to: input.classification, workingDays: days },
      })
      .execute();
    await trx
      .updateTable('cases')
      .set({
        classification: input.classification,
        version: sql`version + 1`,
        updated_at: sql`now()`,
        // A promised date from a provisional answer stands; otherwise the deadline follows the new target.
        ...(found.expected_at
          ? {}
          : found.sla_paused_at
            ? { sla_remaining_ms: workingTimeBetween(calendar, found.sla_paused_at, due) }
            : { due_at: due }),
      })
      .where('id', '=', found.id)
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

export interface MailCase {
  areaId: number;
  title: string;
  body: string;
  files: CheckedFile[];
  /** Automatic mail (auto-replies, lists) gets no acknowledgement: that is how mail loops start. */
  acknowledge: boolean;
  inboundId: number;
}

/**
 * A case from an e-mail, in the area of the address it was sent to. A known customer's mail belongs to
 * them and their agency; mail from any other address becomes an unlinked case that only the centre
 * sees, gets no acknowledgement (that would confirm the address and could leak), and waits for a
 * caseworker to link it to a customer.
 */
export async function createCaseFromMail(
  db: Db,
  sender: Viewer | { address: string },
  input: MailCase,
  context: Omit<VerbContext, 'limits'>,
): Promise<{ id: number; number: string }> {
  const known = 'userId' in sender && sender.agencyId !== null ? sender : undefined;
  return inTransaction(db, (trx) =>
    openCase(trx, {
      title: input.title,
      body: input.body,
      areaId: input.areaId,
      agencyId: known?.agencyId ?? null,
      requester: known ?? { senderAddress: 'address' in sender ? sender.address : sender.email },
      actorId: known?.userId ?? null,
      channel: 'email',
      formId: null,
      categoryId: null,
      answers: {},
      files: input.files,
      eventData: { inboundMail: input.inboundId, ...(known ? {} : { unlinked: true }) },
      acknowledge: input.acknowledge && known !== undefined,
      language: context.language,
      publicUrl: context.publicUrl,
    }),
  );
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
  const found = await visibleCases(db, viewer)
    .select(['cases.area_id', 'cases.agency_id', 'cases.requester_id'])
    .where('cases.number', '=', caseNumber)
    .executeTakeFirst();
  if (!found) throw notFound();
  if (!can(viewer, 'case.assign', { areaId: found.area_id })) throw new HttpError(403, 'forbidden');
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
    const found = await visibleCases(trx, viewer)
      .select(['cases.id', 'cases.area_id', 'cases.version', 'cases.requester_id', 'cases.sender_address'])
      .where('cases.number', '=', caseNumber)
      .forUpdate()
      .executeTakeFirst();
    if (!found) throw notFound();
    if (!can(viewer, 'case.assign', { areaId: found.area_id })) throw new HttpError(403, 'forbidden');
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
    await enqueueMail(trx, {
      kind: 'case_acknowledgement',
      idempotencyKey: `case-acknowledgement:${found.id}`,
      recipient: customer.email,
      language: customer.language === 'en' ? 'en' : customer.language === 'nb' ? 'nb' : context.language,
      payload: { name: customer.name, number: caseNumber, link: caseLink(context.publicUrl, caseNumber) },
    });
    return { linked: true };
  });
}
