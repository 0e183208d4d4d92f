import { saveArticle, type ArticleInput, giveFeedback, publishNews, recordDeflection } from './service.js';
import { type Problems, anonymousLimit, cleanText, hasProblems, idOf, idParams, formBody } from '../web/input.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Db } from '../db/index.js';
import { requireViewer, requirePermission, can } from '../auth/guards.js';
import { notFound } from '../web/errors.js';
import { safeReturnPath } from '../web/render.js';
import { renderMarkdown } from './markdown.js';
import { feedbackComments, markFeedbackHandled } from './feedback.js';
import { peoplePage, peopleQuery } from '../db/people.js';
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
  searchArticles,
} from './queries.js';

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

  // Editors: the answers per article, and the comments readers left with a "Nei", to act on.
  app.get<{ Querystring: Record<string, unknown> }>('/kb/feedback', async (request, reply) => {
    requirePermission(request.viewer, 'kb.edit');
    const handled = request.query.handled === '1';
    const { page } = peopleQuery(request.query);
    const [counts, { comments, total }] = await Promise.all([
      feedbackCounts(db),
      feedbackComments(db, { handled, page }),
    ]);
    return reply.render(
      { page: 'kb/feedback' },
      { counts, comments, handled, paging: peoplePage({ who: '', page }, total, comments.length) },
    );
  });

  app.post<{ Params: { id: string } }>(
    '/kb/feedback/:id/handled',
    { schema: { params: idParams } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'kb.edit');
      if (!(await markFeedbackHandled(db, viewer, Number(request.params.id)))) throw notFound();
      request.session.set('flash', 'kb.feedback.markedHandled');
      return reply.redirect('/kb/feedback#comments-heading', 303);
    },
  );

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
    const id = (value: unknown) => idOf(value) ?? null;
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

  app.post<{ Body: Record<string, unknown> }>(
    '/kb',
    {
      schema: {
        body: formBody({
          title: 'short',
          body: 'long',
          area: 'short',
          category: 'short',
          audience: 'short',
          status: 'short',
          faq: 'short',
          related: 'list',
        }),
      },
    },
    async (request, reply) => save(request, reply, null),
  );

  app.get<{ Params: { id: string } }>('/kb/:id', { schema: { params: idParams } }, async (request, reply) => {
    const article = await findArticle(db, request.viewer, Number(request.params.id));
    if (!article) throw notFound();
    return reply.render(
      { page: 'kb/show' },
      { article, html: renderMarkdown(article.body), canEdit: can(request.viewer, 'kb.edit') },
    );
  });

  // The suggestions beside the new-case form open articles through this post, which counts the deflection.
  app.post<{ Params: { id: string } }>(
    '/kb/:id/deflections',
    { schema: { params: idParams } },
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      const article = await recordDeflection(db, viewer, Number(request.params.id), viewer.sessionId);
      if (!article) throw notFound();
      return reply.redirect(`/kb/${article.id}`, 303);
    },
  );

  app.get<{ Params: { id: string } }>('/kb/:id/edit', { schema: { params: idParams } }, async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'kb.edit');
    const article = await findArticle(db, viewer, Number(request.params.id));
    if (!article) throw notFound();
    return editor(
      reply,
      article.id,
      { ...article, area: article.area_id, category: article.category_id, related: article.related.map((r) => r.id) },
      {},
    );
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/kb/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'kb.edit');
      if (!(await findArticle(db, request.viewer, Number(request.params.id)))) throw notFound();
      return save(request, reply, Number(request.params.id));
    },
  );

  app.get<{ Params: { id: string } }>('/kb/:id/revisions', { schema: { params: idParams } }, async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'kb.edit');
    const article = await findArticle(db, viewer, Number(request.params.id));
    if (!article) throw notFound();
    return reply.render({ page: 'kb/revisions' }, { article, revisions: await revisions(db, article.id) });
  });

  // "Fant du det du lette etter?": anonymous, so nothing about who answered is kept.
  app.post<{ Body: { article?: string; page?: string; helpful?: string; comment?: string } }>(
    '/feedback',
    {
      config: anonymousLimit(10),
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
      const given = await giveFeedback(db, request.viewer, {
        articleId: idOf(request.body.article) ?? null,
        page,
        helpful: request.body.helpful === 'yes',
        comment: cleanText(request.body.comment, true).slice(0, 1000),
      });
      if (!given) throw notFound();
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

  app.post<{ Body: Record<string, string | undefined> }>(
    '/news',
    {
      schema: {
        body: formBody({
          title: 'short',
          body: 'long',
          area: 'short',
          severity: 'short',
          visible_from: 'short',
          visible_until: 'short',
        }),
      },
    },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'kb.edit');
      const values = {
        title: cleanText(request.body.title, false),
        body: cleanText(request.body.body, true),
        area: request.body.area ?? '',
        severity: ['info', 'warning', 'critical'].includes(request.body.severity ?? '')
          ? request.body.severity!
          : 'info',
        visible_from: (request.body.visible_from ?? '').trim(),
        visible_until: (request.body.visible_until ?? '').trim(),
      };
      const problems = await publishNews(db, viewer, values);
      if (hasProblems(problems)) return newsForm(reply, values, problems, 422);
      request.session.set('flash', 'kb.newsSaved');
      return reply.redirect('/news', 303);
    },
  );
}
