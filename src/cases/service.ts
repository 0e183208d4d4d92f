// Domain verbs of the customer's side of a case: open one from the web or from a mail, and write in
// one. Each opens its transaction, locks what it changes and writes the event, the files, the audit
// entry and the outbox row together, so a case and everything it announces commit or fail as one.
// The caseworker's verbs (assign, classify, register for a customer, link) are in src/work/service.ts.
import { storeAttachments } from '../attachments/service.js';
import { heldBytes, heldFiles, refusalKeepingFiles, storeHeldFiles, type HeldFile } from '../attachments/held.js';
import { sql } from 'kysely';
import { caseAttachmentBytes } from '../attachments/queries.js';
import type { CheckedFile, Upload } from '../attachments/files.js';
import { can } from '../auth/guards.js';
import { activeMailboxes, type Viewer } from '../auth/viewer.js';
import { inTransaction, type Db } from '../db/index.js';
import { inputName, rawValue, readAnswers, visibleFields } from '../forms/answers.js';
import type { Form } from '../forms/queries.js';
import { enqueueMail } from '../mail/outbox.js';
import { endOfOsloDay, loadCalendar, osloDay } from '../sla/calendar.js';
import { HttpError, notFound } from '../web/errors.js';
import type { Audit } from '../audit/log.js';
import { findCase, type CaseStatus } from './queries.js';
import { hasProblems, type Problems } from '../web/input.js';
import { lockVisibleCase } from './lock.js';
import { applyAssignment, checkHandling, macroFor, recordHandling } from './handling.js';
import { notifyAboutCase } from '../notices/service.js';
import { openCase } from './open.js';
import {
  caseLink,
  checkBody,
  checkFiles,
  checkTitle,
  checkWork,
  clockAfter,
  closingProblems,
  isStale,
  pausedStatuses,
  versionConflict,
  type MessageKind,
  type Refusal,
  type Reply,
  type VerbContext,
} from './rules.js';

export interface NewCase {
  form: Form;
  title: string;
  body: string;
  /** The raw form post, read against the form's fields. */
  fields: Record<string, unknown>;
  uploads: Upload[];
  /** Tokens of files held from an earlier try of this form, that the user kept. */
  held?: string[];
  /** The shared mailbox to send as (its id from the form), or empty to send as oneself. */
  mailbox?: string;
}

export async function createCase(
  db: Db,
  viewer: Viewer,
  input: NewCase,
  context: VerbContext,
): Promise<{ number: string } | (Refusal & { held: HeldFile[] })> {
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
  const held = (await heldFiles(db, viewer.userId, input.held ?? [])).filter((f) => fileInputs.has(f.field));
  const filesPerField = new Map<string, number>();
  for (const file of [...uploads, ...held])
    filesPerField.set(file.field.replace(/^f_/, ''), (filesPerField.get(file.field.replace(/^f_/, '')) ?? 0) + 1);

  const { answers, problems: answerProblems } = readAnswers(form.fields, input.fields, filesPerField);
  const files = await checkFiles(uploads, context.limits, heldBytes(held));
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
  if (Object.keys(problems).length > 0) return refusalKeepingFiles(db, viewer.userId, problems, files, held);

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
      heldFiles: held,
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

export interface MailCase {
  areaId: number;
  title: string;
  body: string;
  files: CheckedFile[];
  /** Automatic mail (auto-replies, lists) gets no acknowledgement: that is how mail loops start. */
  acknowledge: boolean;
  inboundId: number;
  /** What the receiving address decides beyond the area (admin's mail addresses page). */
  formId?: number | null;
  categoryId?: number | null;
  groupId?: number | null;
}

export interface ReplyResult {
  reopened: boolean;
  answered: boolean;
  noted: boolean;
  statusChanged: boolean;
}

/** The columns a reply needs: the clock, the requester and the shared mailbox the notice goes to. */
function lockForReply(trx: Db, viewer: Viewer, caseNumber: string) {
  return lockVisibleCase(trx, viewer, caseNumber, (cases) =>
    cases
      .leftJoin('users as requester', 'requester.id', 'cases.requester_id')
      .leftJoin('shared_mailboxes as mailbox', 'mailbox.id', 'cases.shared_mailbox_id')
      .select(['mailbox.email as mailbox_email', 'mailbox.name as mailbox_name'])
      .select((eb) =>
        eb.selectFrom('areas').select('closing_requires').whereRef('areas.id', '=', 'cases.area_id').as('closing'),
      )
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
        'cases.category_id',
        'cases.resolution',
        'cases.time_spent_minutes',
        'cases.priority',
        'cases.group_id',
        'cases.assignee_id',
        'requester.email',
        'requester.name',
        'requester.language',
      ]),
  );
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
): Promise<ReplyResult | (Refusal & { held?: HeldFile[] })> {
  return inTransaction(db, async (trx) => {
    const found = await lockForReply(trx, viewer, caseNumber);
    const current = found.status as CaseStatus;
    const staff = can(viewer, 'case.answer', { areaId: found.area_id });
    if (!staff && (input.kind !== undefined || input.status !== undefined))
      throw new HttpError(403, 'status_forbidden');
    if (staff && isStale(input.version, found.version)) return versionConflict;

    const now = new Date();
    const uploads = input.uploads.filter((u) => u.field === 'attachments');
    const held = (await heldFiles(trx, viewer.userId, input.held ?? [])).filter((f) => f.field === 'attachments');
    const files = await checkFiles(
      uploads,
      context.limits,
      (await caseAttachmentBytes(trx, found.id)) + heldBytes(held),
    );
    // The status afterwards: a caseworker's choice, or for a customer's message the case back in the queue.
    const reopenable = current === 'closed' || pausedStatuses.includes(current);
    const next: CaseStatus = staff ? (input.status ?? current) : reopenable ? 'active' : current;
    const reopened = !staff && current === 'closed';
    // A macro's settings come with the reply; what the form itself says wins.
    const macro = staff && input.macroId !== undefined ? await macroFor(trx, found.area_id, input.macroId) : undefined;
    const change = { ...macro?.handling, ...(staff ? input.handling : {}) };
    // The handling fields as they would be afterwards: the area's closing rules look at those.
    const handling = {
      categoryId: found.category_id,
      resolution: found.resolution,
      timeSpentMinutes: found.time_spent_minutes,
      ...change,
    };
    const problems: Problems = {
      ...(staff
        ? {
            ...checkWork(input, current, osloDay(now), { linked: found.email !== null }),
            ...(await checkHandling(trx, found.area_id, change)),
            ...(macro === null ? { template: { key: 'work.errors.macro' } } : {}),
            ...(next === 'closed' && current !== 'closed' ? closingProblems(found.closing ?? [], handling) : {}),
          }
        : checkBody(input.body, 'message')),
      ...files.problems,
    };
    if (hasProblems(problems)) return refusalKeepingFiles(trx, viewer.userId, problems, files, held);

    const kind: MessageKind | 'customer' = staff ? (input.kind ?? 'answer') : 'customer';
    const answered = kind === 'answer' || kind === 'provisional';
    const message =
      input.body.length > 0 ? await writeMessage(trx, viewer, found.id, kind, input, files.files, held) : undefined;
    if (staff) await recordHandling(trx, viewer, found, change);
    if (macro?.assignment) await applyAssignment(trx, viewer, found, macro.assignment);
    // The customer wrote (on the page or by mail): whoever has the case hears of it.
    if (!staff && message)
      await notifyAboutCase(trx, {
        kind: 'customer_reply',
        caseId: found.id,
        dedupe: `reply:${message.id}`,
        actorId: viewer.userId,
        publicUrl: context.publicUrl,
      });
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

    const promised = kind === 'provisional' && input.expectedDate ? endOfOsloDay(input.expectedDate) : found.due_at;
    const clock = clockAfter(
      await loadCalendar(trx),
      { due: promised, pausedAt: found.sla_paused_at, remaining: found.sla_remaining_ms },
      next,
      now,
    );
    await trx
      .updateTable('cases')
      .set({
        updated_at: sql`now()`,
        version: sql`version + 1`,
        status: next,
        due_at: clock.due,
        sla_paused_at: clock.pausedAt,
        sla_remaining_ms: clock.remaining,
        ...(answered && found.first_answered_at === null ? { first_answered_at: now } : {}),
        ...(kind === 'provisional' ? { expected_at: clock.due } : {}),
      })
      .where('id', '=', found.id)
      .execute();

    if (answered && message && found.email !== null) {
      // The notice says there is an answer; the answer itself is read online.
      await enqueueMail(trx, {
        kind: 'case_answered',
        idempotencyKey: `case-answered:${message.id}`,
        // A case sent as a shared mailbox is answered to the mailbox, where all its members read.
        recipient: found.mailbox_email ?? found.email,
        language: found.language === 'en' ? 'en' : 'nb',
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

/** The message event (an internal note stays an event of its own kind) with its files. */
async function writeMessage(
  trx: Db,
  viewer: Viewer,
  caseId: number,
  kind: MessageKind | 'customer',
  input: Reply,
  files: readonly CheckedFile[],
  held: readonly HeldFile[] = [],
): Promise<{ id: number }> {
  const provisional = kind === 'provisional' ? { provisional: true, expected: input.expectedDate } : {};
  const message = await trx
    .insertInto('case_events')
    .values({
      case_id: caseId,
      kind: kind === 'internal_note' ? 'internal_note' : 'message',
      actor_id: viewer.userId,
      data: { body: input.body, from: kind === 'customer' ? 'customer' : 'centre', ...provisional },
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await storeAttachments(trx, { caseId, eventId: message.id, userId: viewer.userId }, files);
  await storeHeldFiles(trx, { caseId, eventId: message.id, userId: viewer.userId }, held);
  return message;
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
      formId: input.formId ?? null,
      categoryId: input.categoryId ?? null,
      groupId: input.groupId ?? null,
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
 * A case as the viewer may see it, or 404. Every time centre staff are shown a case the audit trail
 * records it, so the agency can see who at the centre read its cases.
 */
export async function readCase(db: Db, viewer: Viewer, caseNumber: string, audit: Audit) {
  const found = await findCase(db, viewer, caseNumber);
  if (!found) throw notFound();
  if (can(viewer, 'work.view'))
    await audit(db, { action: 'case.read', objectType: 'case', objectId: found.number, agencyId: found.agency_id });
  return found;
}
