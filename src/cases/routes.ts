import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/index.js';
import { requirePermission, requireViewer, can } from '../auth/guards.js';
import { notFound } from '../web/errors.js';
import { activeAreas, caseTimeline, decodeCursor, findCase, listCases } from './queries.js';
import { cleanText, createCase, titleMaxLength, bodyMaxLength, type FieldErrors, type NewCaseInput } from './service.js';

const caseNumberPattern = /^\d{4}-\d{6,}$/;
const textField = { type: 'string', maxLength: 100_000 } as const;

export async function caseRoutes(app: FastifyInstance, { db, publicUrl }: { db: Db; publicUrl: URL }) {
  app.get<{ Querystring: { after?: string } }>(
    '/cases',
    { schema: { querystring: { type: 'object', properties: { after: { type: 'string', maxLength: 200 } } } } },
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      if (!can(viewer, 'case.list') && can(viewer, 'work.view')) return reply.redirect('/work', 303);
      requirePermission(viewer, 'case.list');
      const page = await listCases(db, viewer, { mine: true, after: decodeCursor(request.query.after) });
      return reply.render({ page: 'cases/index', fragment: 'cases/_list' }, page);
    },
  );

  const renderForm = async (reply: import('fastify').FastifyReply, input: NewCaseInput, errors: FieldErrors, status: number) =>
    reply.render(
      { page: 'cases/new', fragment: 'cases/_form' },
      // After a failed POST /cases the page is still the form: navigation and the language switch say so.
      { areas: await activeAreas(db), input, errors, titleMaxLength, bodyMaxLength, currentPath: '/cases/new' },
      status,
    );

  app.get<{ Querystring: { area?: string } }>(
    '/cases/new',
    { schema: { querystring: { type: 'object', properties: { area: { type: 'string', maxLength: 40 } } } } },
    async (request, reply) => {
      requirePermission(request.viewer, 'case.create');
      return renderForm(reply, { area: request.query.area ?? '', title: '', body: '' }, {}, 200);
    },
  );

  app.post<{ Body: Record<string, unknown> }>(
    '/cases',
    { schema: { body: { type: 'object', properties: { area: textField, title: textField, body: textField } } } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'case.create');
      const input = { area: cleanText(request.body.area, false), title: cleanText(request.body.title, false), body: cleanText(request.body.body, true) };
      const result = await createCase(db, viewer, input, { publicUrl, language: request.language });
      if ('errors' in result) return renderForm(reply, input, result.errors, 422);
      request.log.info({ caseNumber: result.number }, 'case created');
      request.session.set('flash', 'cases.created');
      return reply.redirect(`/cases/${result.number}`, 303);
    },
  );

  app.get<{ Params: { number: string } }>('/cases/:number', async (request, reply) => {
    const viewer = requireViewer(request.viewer);
    if (!caseNumberPattern.test(request.params.number)) throw notFound();
    const found = await findCase(db, viewer, request.params.number);
    if (!found) throw notFound();
    const timeline = await caseTimeline(db, found.id, { includeInternal: can(viewer, 'case.readInternal') });
    return reply.render({ page: 'cases/show' }, { found, timeline });
  });
}
