// Bulk actions of the workspace: one action on many cases, each in its own transaction.
import { assignCase } from './service.js';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/index.js';
import type { CaseStatus } from '../cases/queries.js';
import type { VerbContext } from '../cases/rules.js';
import { replyToCase } from '../cases/service.js';
import { HttpError } from '../web/errors.js';

/** Statuses a bulk action may set: the others need a message to the customer. */
export const bulkStatuses: readonly CaseStatus[] = ['active', 'in_progress', 'awaiting_customer'];

export type BulkAction = { status: CaseStatus } | { assignee: number };

export interface BulkOutcome {
  done: number;
  /** Cases the viewer may not work on, or that refuse the change (an assignee outside their area). */
  skipped: number;
  /** Cases that failed for another reason, such as a lost database connection: worth trying again. */
  failed: { caseNumber: string; error: unknown }[];
}

/**
 * One action on many cases, each in its own transaction: one case's refusal does not undo the others.
 * A refusal is a skip; any other failure is reported as a failure, never counted as a skip.
 */
export async function bulkUpdate(
  db: Db,
  viewer: Viewer,
  caseNumbers: readonly string[],
  action: BulkAction,
  context: VerbContext,
): Promise<BulkOutcome> {
  const outcome: BulkOutcome = { done: 0, skipped: 0, failed: [] };
  for (const caseNumber of caseNumbers) {
    try {
      const result =
        'assignee' in action
          ? // The group stays; someone outside the case's area is refused by assignCase and the case skipped.
            await assignCase(db, viewer, caseNumber, {
              groupId: 'unchanged',
              assigneeId: action.assignee,
              version: undefined,
              publicUrl: context.publicUrl,
            })
          : await replyToCase(
              db,
              viewer,
              caseNumber,
              { body: '', uploads: [], kind: 'answer', status: action.status },
              context,
            );
      if ('problems' in result) outcome.skipped += 1;
      else outcome.done += 1;
    } catch (error) {
      // 404 and 403: a case this viewer may not work on.
      if (error instanceof HttpError && error.statusCode < 500) outcome.skipped += 1;
      else outcome.failed.push({ caseNumber, error });
    }
  }
  return outcome;
}
