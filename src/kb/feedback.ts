// What readers said "Nei" about, with their comments: editors read them with the page they came from and
// mark them handled. The feedback is anonymous; who handled it is kept.
import { sql } from 'kysely';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/index.js';

export const commentPageSize = 50;

/** A page of comments, newest first: the open ones, or those already handled. */
export async function feedbackComments(db: Db, query: { handled: boolean; page: number }) {
  const rows = await db
    .selectFrom('page_feedback')
    .leftJoin('articles', 'articles.id', 'page_feedback.article_id')
    .leftJoin('users', 'users.id', 'page_feedback.handled_by')
    .select([
      'page_feedback.id',
      'page_feedback.page',
      'page_feedback.comment',
      'page_feedback.helpful',
      'page_feedback.created_at',
      'page_feedback.handled_at',
      'articles.title as article',
      'users.name as handled_by',
      sql<string>`count(*) OVER ()`.as('total'),
    ])
    .where('page_feedback.comment', 'is not', null)
    .where('page_feedback.handled_at', query.handled ? 'is not' : 'is', null)
    .orderBy('page_feedback.created_at', 'desc')
    .orderBy('page_feedback.id', 'desc')
    .limit(commentPageSize)
    .offset((query.page - 1) * commentPageSize)
    .execute();
  return { comments: rows, total: rows.length > 0 ? Number(rows[0]!.total) : 0 };
}

/** Marks a comment handled by this editor; false when there is no such comment or it was handled already. */
export async function markFeedbackHandled(db: Db, viewer: Viewer, id: number): Promise<boolean> {
  const done = await db
    .updateTable('page_feedback')
    .set({ handled_at: sql`now()`, handled_by: viewer.userId })
    .where('id', '=', id)
    .where('comment', 'is not', null)
    .where('handled_at', 'is', null)
    .executeTakeFirst();
  return Number(done.numUpdatedRows) === 1;
}
