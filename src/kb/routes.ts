import { type Problems, cleanText, isIsoDate } from '../web/input.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Db } from '../db/index.js';
import { requirePermission, can } from '../auth/guards.js';
import { notFound } from '../web/errors.js';
import { safeReturnPath } from '../web/render.js';
import { startOfOsloDay } from '../sla/calendar.js';
import { renderMarkdown } from './markdown.js';
import { activeAreas } from '../cases/queries.js';
import { activeCategories } from '../work/queries.js';
import {
  activeNews,
  articleTitles,
  faq,
  feedbackCounts,
  findArticle,
  newsArchive,
  revisions,
  saveArticle,
  searchArticles,
  type ArticleInput,
} from './queries.js';

const idPattern = /^\d{1,15}$/;

export async function kbRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const choices = async () => ({ areas: await activeAreas(db), categories: await activeCategories(db) });

  app.get<{ Querystring: { q?: string; area?: string; category?: string } }>(
    '/kb',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', maxLength: 200 },
            area: { type: 'string', maxLength: 40 },
            category: { type: 'string', maxLength: 20 },
          },
        },
      },
    },
    async (request, reply) => {
      const search = {
        q: (request.query.q ?? '').trim(),
        area: request.query.area ?? '',
        category: request.query.category ?? '',
      };
      const [results, questions, options, news] = await Promise.all([
        searchArticles(db, request.viewer, search),
        faq(db, request.viewer),
        choices(),
        activeNews(db),
      ]);
      return reply.render(
        { page: 'kb/index', fragment: 'kb/_results' },
        { search, results, questions, news, ...options, canEdit: can(request.viewer, 'kb.edit') },
      );
    },
  );

  app.get('/kb/feedback', async (request, reply) => {
    requirePermission(request.viewer, 'kb.edit');
    return reply.render({ page: 'kb/feedback' }, { counts: await feedbackCounts(db) });
  });

  const editor = async (
    reply: FastifyReply,
    id: number | null,
    values: Record<string, unknown>,
    problems: Problems,
    status = 200,
  ) =>
    reply.render(
      { page: 'kb/edit' },
      { id, values, problems, ...(await choices()), others: await articleTitles(db) },
      status,
    );

  app.get('/kb/new', async (request, reply) => {
    requirePermission(request.viewer, 'kb.edit');
    return editor(reply, null, { audience: 'public', status: 'draft', related: [] }, {});
  });

  const readInput = (body: Record<string, unknown>): ArticleInput => {
    const id = (value: unknown) => (typeof value === 'string' && idPattern.test(value) ? Number(value) : null);
    return {
      title: cleanText(body.title, false),
      body: cleanText(body.body, true),
      areaId: id(body.area),
      categoryId: id(body.category),
      audience: body.audience === 'internal' ? 'internal' : 'public',
      status: body.status === 'published' ? 'published' : 'draft',
      faq: body.faq === 'yes',
      related: [body.related ?? []]
        .flat()
        .map(id)
        .filter((r): r is number => r !== null),
    };
  };

  const save = async (
    request: import('fastify').FastifyRequest<{ Body: Record<string, unknown> }>,
    reply: FastifyReply,
    id: number | null,
  ) => {
    const viewer = requirePermission(request.viewer, 'kb.edit');
    const input = readInput(request.body ?? {});
    const result = await saveArticle(db, viewer, id, input);
    if ('problems' in result)
      return editor(reply, id, { ...input, area: input.areaId, category: input.categoryId }, result.problems, 422);
    request.session.set('flash', 'kb.saved');
    return reply.redirect(`/kb/${result.id}`, 303);
  };

  app.post<{ Body: Record<string, unknown> }>('/kb', async (request, reply) => save(request, reply, null));

  app.get<{ Params: { id: string }; Querystring: { from?: string } }>('/kb/:id', async (request, reply) => {
    if (!idPattern.test(request.params.id)) throw notFound();
    const article = await findArticle(db, request.viewer, Number(request.params.id));
    if (!article) throw notFound();
    // Opened from the suggestions beside the new-case form: a case that may not need to be sent.
    const sid = request.session.get('sid');
    if (request.query.from === 'new-case' && sid)
      await db.insertInto('deflections').values({ article_id: article.id, session_id: sid }).execute();
    return reply.render(
      { page: 'kb/show' },
      { article, html: renderMarkdown(article.body), canEdit: can(request.viewer, 'kb.edit') },
    );
  });

  app.get<{ Params: { id: string } }>('/kb/:id/edit', async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'kb.edit');
    if (!idPattern.test(request.params.id)) throw notFound();
    const article = await findArticle(db, viewer, Number(request.params.id));
    if (!article) throw notFound();
    return editor(
      reply,
      article.id,
      { ...article, area: article.area_id, category: article.category_id, related: article.related.map((r) => r.id) },
      {},
    );
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>('/kb/:id', async (request, reply) => {
    if (!idPattern.test(request.params.id)) throw notFound();
    requirePermission(request.viewer, 'kb.edit');
    if (!(await findArticle(db, request.viewer, Number(request.params.id)))) throw notFound();
    return save(request, reply, Number(request.params.id));
  });

  app.get<{ Params: { id: string } }>('/kb/:id/revisions', async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'kb.edit');
    if (!idPattern.test(request.params.id)) throw notFound();
    const article = await findArticle(db, viewer, Number(request.params.id));
    if (!article) throw notFound();
    return reply.render({ page: 'kb/revisions' }, { article, revisions: await revisions(db, article.id) });
  });

  // "Fant du det du lette etter?": anonymous, so nothing about who answered is kept.
  app.post<{ Body: { article?: string; page?: string; helpful?: string; comment?: string } }>(
    '/feedback',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            article: { type: 'string', maxLength: 20 },
            page: { type: 'string', maxLength: 200 },
            helpful: { type: 'string', enum: ['yes', 'no'] },
            comment: { type: 'string', maxLength: 5000 },
          },
          required: ['helpful'],
        },
      },
    },
    async (request, reply) => {
      const page = safeReturnPath(request.body.page, '/');
      const articleId =
        request.body.article && idPattern.test(request.body.article) ? Number(request.body.article) : null;
      if (articleId !== null && !(await findArticle(db, request.viewer, articleId))) throw notFound();
      const comment = cleanText(request.body.comment, true).slice(0, 1000);
      await db
        .insertInto('page_feedback')
        .values({
          article_id: articleId,
          page,
          helpful: request.body.helpful === 'yes',
          comment: request.body.helpful === 'no' && comment ? comment : null,
        })
        .execute();
      request.session.set('flash', 'kb.feedback.thanks');
      return reply.redirect(page, 303);
    },
  );

  app.get('/news', async (_request, reply) => {
    const items = await newsArchive(db);
    return reply.render({ page: 'kb/news' }, { items: items.map((n) => ({ ...n, html: renderMarkdown(n.body) })) });
  });

  const newsForm = async (reply: FastifyReply, values: Record<string, string>, problems: Problems, status = 200) =>
    reply.render({ page: 'kb/news-edit' }, { values, problems, ...(await choices()) }, status);

  app.get('/news/new', async (request, reply) => {
    requirePermission(request.viewer, 'kb.edit');
    return newsForm(reply, { severity: 'info' }, {});
  });

  app.post<{ Body: Record<string, string | undefined> }>('/news', async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'kb.edit');
    const values = {
      title: cleanText(request.body.title, false),
      body: cleanText(request.body.body, true),
      area: request.body.area ?? '',
      severity: ['info', 'warning', 'critical'].includes(request.body.severity ?? '') ? request.body.severity! : 'info',
      visible_from: (request.body.visible_from ?? '').trim(),
      visible_until: (request.body.visible_until ?? '').trim(),
    };
    const problems: Problems = {};
    if (values.title.length === 0 || values.title.length > 200) problems.title = { key: 'kb.errors.title' };
    if (values.body.length === 0 || values.body.length > 20_000) problems.body = { key: 'kb.errors.body' };
    const from = values.visible_from ? osloLocalTime(values.visible_from) : new Date();
    const until = values.visible_until ? osloLocalTime(values.visible_until) : null;
    if (Number.isNaN(from.getTime())) problems.visible_from = { key: 'kb.errors.time' };
    if (until && (Number.isNaN(until.getTime()) || until <= from)) problems.visible_until = { key: 'kb.errors.until' };
    const area = values.area && idPattern.test(values.area) ? Number(values.area) : null;
    if (values.area && (area === null || !(await choices()).areas.some((a) => a.id === area)))
      problems.area = { key: 'kb.errors.area' };
    if (Object.keys(problems).length > 0) return newsForm(reply, values, problems, 422);
    await db
      .insertInto('news')
      .values({
        title: values.title,
        body: values.body,
        area_id: area,
        severity: values.severity,
        visible_from: from,
        visible_until: until,
        created_by: viewer.userId,
      })
      .execute();
    request.session.set('flash', 'kb.newsSaved');
    return reply.redirect('/news', 303);
  });
}

/** A datetime-local value ("2026-11-23T10:00") read as Oslo wall-clock time. */
function osloLocalTime(value: string): Date {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})$/.exec(value);
  if (!match || !isIsoDate(match[1]!)) return new Date(Number.NaN);
  return new Date(startOfOsloDay(match[1]!).getTime() + Number(match[2]) * 3_600_000 + Number(match[3]) * 60_000);
}
