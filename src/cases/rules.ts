// The rules every verb on a case shares: lengths and checks of what users write, the shape of a
// refusal, the version check of optimistic concurrency, the files check, and the link to a case.
import type { Audit } from '../audit/log.js';
import { checkUploads, type AttachmentLimits, type Upload } from '../attachments/files.js';
import type { Language } from '../web/i18n.js';
import { isIsoDate, type Problems } from '../web/input.js';
import { containsNationalId } from './national-id.js';
import { addWorkingTime, workingTimeBetween, type Calendar } from '../sla/calendar.js';
import type { CaseStatus } from './queries.js';

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

/** A form based on an older version of the case: nothing is saved, and the user is told why. */
export const versionConflict: Refusal = { problems: { version: { key: 'work.errors.conflict' } }, status: 409 };
export const isStale = (submitted: number | undefined, current: number) =>
  submitted !== undefined && submitted !== current;

export function caseLink(publicUrl: URL, number: string): string {
  return new URL(`cases/${number}`, publicUrl.href.endsWith('/') ? publicUrl : `${publicUrl.href}/`).href;
}

/** Checks files and groups problems under the input they came from; the first problem per input is shown. */
export async function checkFiles(uploads: readonly Upload[], limits: AttachmentLimits, existingBytes: number) {
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

/**
 * What a caseworker's message is: an answer (with a notice to the customer), a provisional answer with an expected
 * date, or an internal note.
 */
export const messageKinds = ['answer', 'provisional', 'internal_note'] as const;
export type MessageKind = (typeof messageKinds)[number];

export interface Reply {
  body: string;
  uploads: Upload[];
  /** Tokens of files held from an earlier try of this message, that the user kept. */
  held?: string[] | undefined;
  /** Caseworkers only; customers always write plain messages. */
  kind?: MessageKind | undefined;
  /** Caseworkers only: the status the case should have afterwards. */
  status?: CaseStatus | undefined;
  /** With a provisional answer: the date the customer can expect a resolution (YYYY-MM-DD). */
  expectedDate?: string | undefined;
  /** The version of the case the caseworker's form was based on. */
  version?: number | undefined;
  /** Caseworkers only, asked for at closing when the area requires them; absent: unchanged. */
  handling?: Partial<Handling> | undefined;
  /** Caseworkers only: an answer template whose other settings (a macro) are applied with the reply. */
  macroId?: number | undefined;
}

/** How urgent the centre judges a case; staff only. */
export const priorities = ['low', 'normal', 'high', 'critical'] as const;
export type Priority = (typeof priorities)[number];

/** What closed a case, when its area asks at closing. */
export const resolutions = ['answered', 'corrected', 'guidance', 'referred', 'duplicate', 'no_action'] as const;

/** The fields an area may require before a case is closed (areas.closing_requires). */
export const closingFields = ['category', 'resolution', 'time_spent'] as const;
export type ClosingField = (typeof closingFields)[number];

/** The case's handling as it would be after a submission: what the closing rules look at. */
export interface Handling {
  categoryId: number | null;
  resolution: string | null;
  timeSpentMinutes: number | null;
}

/** Closing is refused while a field the area requires is empty; each missing field is named. */
export function closingProblems(required: readonly string[], handling: Handling): Problems {
  const problems: Problems = {};
  if (required.includes('category') && handling.categoryId === null)
    problems.category_id = { key: 'work.errors.closingNeedsCategory' };
  if (required.includes('resolution') && handling.resolution === null)
    problems.resolution = { key: 'work.errors.closingNeedsResolution' };
  if (required.includes('time_spent') && handling.timeSpentMinutes === null)
    problems.time_spent = { key: 'work.errors.closingNeedsTimeSpent' };
  return problems;
}

/** The clock stops while the case waits for the customer or is postponed. */
export const pausedStatuses: readonly CaseStatus[] = ['awaiting_customer', 'postponed'];

/** Rules for a caseworker's submission; problems are keyed by the form's inputs. */
export function checkWork(input: Reply, current: CaseStatus, today: string, { linked }: { linked: boolean }): Problems {
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

export interface Clock {
  due: Date;
  pausedAt: Date | null;
  remaining: number | null;
}

/** The service-level clock stops on entering a waiting status and resumes with the time that was left. */
export function clockAfter(calendar: Calendar, clock: Clock, next: CaseStatus, now: Date): Clock {
  const paused = pausedStatuses.includes(next);
  if (paused && clock.pausedAt === null) {
    return { due: clock.due, pausedAt: now, remaining: workingTimeBetween(calendar, now, clock.due) };
  }
  if (!paused && clock.pausedAt !== null) {
    return { due: addWorkingTime(calendar, now, clock.remaining ?? 0), pausedAt: null, remaining: null };
  }
  return clock;
}
