// The service-level settings page: closed days and targets.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requirePermission } from '../../auth/guards.js';
import type { Db } from '../../db/index.js';
import { cleanText, hasProblems, type Problems, formBody } from '../../web/input.js';
import { serviceLevelSettings } from './queries.js';
import { addClosedDay, removeClosedDay, setServiceTarget } from './service.js';

type Body = Record<string, string | undefined>;

export async function serviceLevelRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const page = async (reply: FastifyReply, values: Record<string, string>, problems: Problems, status = 200) =>
    reply.render({ page: 'admin/service-levels' }, { ...(await serviceLevelSettings(db)), values, problems }, status);
  const saved = (request: { session: { set(key: 'flash', value: string): void } }, reply: FastifyReply) => {
    request.session.set('flash', 'admin.saved');
    return reply.redirect('/admin/service-levels', 303);
  };

  app.get('/admin/service-levels', async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    return page(reply, {}, {});
  });

  app.post<{ Body: Body }>(
    '/admin/closed-days',
    { schema: { body: formBody({ day: 'short', reason_nb: 'short', reason_en: 'short' }) } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'admin.view');
      const values = {
        day: cleanText(request.body.day, false),
        reason_nb: cleanText(request.body.reason_nb, false),
        reason_en: cleanText(request.body.reason_en, false),
      };
      const problems = await addClosedDay(db, viewer, request.audit, values);
      if (hasProblems(problems)) return page(reply, values, problems, 422);
      return saved(request, reply);
    },
  );

  app.post<{ Body: { day?: string } }>(
    '/admin/closed-days/removal',
    { schema: { body: formBody({ day: 'short' }) } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const problems = await removeClosedDay(db, request.audit, request.body.day ?? '');
      if (hasProblems(problems)) return page(reply, {}, problems, 422);
      return saved(request, reply);
    },
  );

  app.post<{ Body: Body }>(
    '/admin/service-targets',
    {
      schema: {
        body: formBody({
          area: 'short',
          form: 'short',
          category: 'short',
          classification: 'short',
          working_days: 'short',
          calendar: 'short',
        }),
      },
    },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const values = {
        area: request.body.area ?? '',
        form: request.body.form ?? '',
        category: request.body.category ?? '',
        classification: request.body.classification ?? '',
        working_days: (request.body.working_days ?? '').trim(),
        calendar: request.body.calendar ?? '',
      };
      const problems = await setServiceTarget(db, request.audit, values);
      if (hasProblems(problems)) return page(reply, values, problems, 422);
      return saved(request, reply);
    },
  );
}
