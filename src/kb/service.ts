// Editors' and visitors' verbs on the knowledge base: articles with their revisions, news, the
// anonymous "was this helpful" answers, and deflections (articles opened from the new-case form).
import { type Problems, hasProblems, idOf, isIsoDate } from '../web/input.js';
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { activeAreas } from '../cases/queries.js';
import { startOfOsloDay } from '../sla/calendar.js';
import { findArticle } from './queries.js';
import type { Viewer } from '../auth/viewer.js';

export interface ArticleInput {
  title: string;
  body: string;
  areaId: number | null;
  categoryId: number | null;
  audience: 'public' | 'internal';
  status: 'draft' | 'published';
  faq: boolean;
  related: number[];
}

export function checkArticle(input: ArticleInput): Problems {
  const problems: Problems = {};
  if (input.title.length === 0 || input.title.length > 200) problems.title = { key: 'kb.errors.title' };
  if (input.body.length === 0 || input.body.length > 50_000) problems.body = { key: 'kb.errors.body' };
  return problems;
}

/** Creates or updates an article and records the revision, in one transaction. */
export async function saveArticle(
  db: Db,
  viewer: Viewer,
  id: number | null,
  input: ArticleInput,
): Promise<{ id: number } | { problems: Problems }> {
  const problems = checkArticle(input);
  if (Object.keys(problems).length > 0) return { problems };
  return db.transaction().execute(async (trx) => {
    const values = {
      title: input.title,
      body: input.body,
      area_id: input.areaId,
      category_id: input.categoryId,
      audience: input.audience,
      status: input.status,
      faq: input.faq,
    };
    const saved =
      id === null
        ? await trx
            .insertInto('articles')
            .values({ ...values, created_by: viewer.userId })
            .returning('id')
            .executeTakeFirstOrThrow()
        : await trx
            .updateTable('articles')
            .set({ ...values, updated_at: sql`now()` })
            .where('id', '=', id)
            .returning('id')
            .executeTakeFirst();
    if (!saved) return { problems: { title: { key: 'kb.errors.gone' } } };
    await trx
      .insertInto('article_revisions')
      .values({ article_id: saved.id, title: input.title, body: input.body, edited_by: viewer.userId })
      .execute();
    await trx.deleteFrom('article_relations').where('article_id', '=', saved.id).execute();
    const related = input.related.filter((r) => r !== saved.id);
    if (related.length > 0) {
      const existing = await trx.selectFrom('articles').select('id').where('id', 'in', related).execute();
      if (existing.length > 0)
        await trx
          .insertInto('article_relations')
          .values(existing.map((r) => ({ article_id: saved.id, related_id: r.id })))
          .execute();
    }
    return { id: saved.id };
  });
}

/** An article opened from the suggestions beside the new-case form: a case that may not need to be sent. */
export async function recordDeflection(db: Db, viewer: Viewer | null, articleId: number, sessionId: string) {
  const article = await findArticle(db, viewer, articleId);
  if (!article) return undefined;
  await db.insertInto('deflections').values({ article_id: article.id, session_id: sessionId }).execute();
  return article;
}

/** A case was sent after all: the articles this session opened from the suggestions did not stop it. */
export async function markDeflectionsConverted(db: Db, sessionId: string): Promise<void> {
  await db
    .updateTable('deflections')
    .set({ converted: true })
    .where('session_id', '=', sessionId)
    .where('converted', '=', false)
    .execute();
}

export interface Feedback {
  articleId: number | null;
  page: string;
  helpful: boolean;
  comment: string;
}

/** "Fant du det du lette etter?": anonymous, so nothing about who answered is kept. False: no such article. */
export async function giveFeedback(db: Db, viewer: Viewer | null, feedback: Feedback): Promise<boolean> {
  if (feedback.articleId !== null && !(await findArticle(db, viewer, feedback.articleId))) return false;
  await db
    .insertInto('page_feedback')
    .values({
      article_id: feedback.articleId,
      page: feedback.page,
      helpful: feedback.helpful,
      comment: !feedback.helpful && feedback.comment ? feedback.comment : null,
    })
    .execute();
  return true;
}

export interface NewsInput {
  title: string;
  body: string;
  area: string;
  severity: string;
  /** datetime-local values in Oslo time; empty: from now, and until removed. */
  visible_from: string;
  visible_until: string;
}

/** Publishes news or a known problem, for every area or one, shown from and until the given times. */
export async function publishNews(db: Db, viewer: Viewer, values: NewsInput): Promise<Problems> {
  const problems: Problems = {};
  if (values.title.length === 0 || values.title.length > 200) problems.title = { key: 'kb.errors.title' };
  if (values.body.length === 0 || values.body.length > 20_000) problems.body = { key: 'kb.errors.body' };
  const from = values.visible_from ? osloLocalTime(values.visible_from) : new Date();
  const until = values.visible_until ? osloLocalTime(values.visible_until) : null;
  if (Number.isNaN(from.getTime())) problems.visible_from = { key: 'kb.errors.time' };
  if (until && (Number.isNaN(until.getTime()) || until <= from)) problems.visible_until = { key: 'kb.errors.until' };
  const area = values.area ? idOf(values.area) : null;
  if (values.area && (area === undefined || !(await activeAreas(db)).some((a) => a.id === area)))
    problems.area = { key: 'kb.errors.area' };
  if (hasProblems(problems)) return problems;
  await db
    .insertInto('news')
    .values({
      title: values.title,
      body: values.body,
      area_id: area ?? null,
      severity: values.severity,
      visible_from: from,
      visible_until: until,
      created_by: viewer.userId,
    })
    .execute();
  return {};
}

/** A datetime-local value ("2026-11-23T10:00") read as Oslo wall-clock time. */
function osloLocalTime(value: string): Date {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!match || !isIsoDate(match[1]!)) return new Date(Number.NaN);
  return new Date(startOfOsloDay(match[1]!).getTime() + Number(match[2]) * 3_600_000 + Number(match[3]) * 60_000);
}
