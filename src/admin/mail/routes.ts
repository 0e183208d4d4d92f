// The mail settings page: receiving addresses (area, group, form, category) and each area's sender.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requirePermission } from '../../auth/guards.js';
import type { Db } from '../../db/index.js';
import { cleanText, formBody, hasProblems, type Problems } from '../../web/input.js';
import { mailSettingsPage } from './queries.js';
import { removeReceivingAddress, saveAreaSender, saveReceivingAddress } from './service.js';

type Body = Record<string, string | undefined>;

export async function adminMailRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const page = async (reply: FastifyReply, values: Record<string, string>, problems: Problems, status = 200) =>
    reply.render({ page: 'admin/mail' }, { ...(await mailSettingsPage(db)), values, problems }, status);
  const saved = (request: { session: { set(key: 'flash', value: string): void } }, reply: FastifyReply) => {
    request.session.set('flash', 'admin.saved');
    return reply.redirect('/admin/mail', 303);
  };
  const field = (body: Body, name: string) => cleanText(body[name], false);

  app.get('/admin/mail', async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    return page(reply, {}, {});
  });

  app.post<{ Body: Body }>(
    '/admin/mail/addresses',
    {
      schema: { body: formBody({ address: 'short', area: 'short', group: 'short', form: 'short', category: 'short' }) },
    },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const values = {
        address: field(request.body, 'address'),
        area: field(request.body, 'area'),
        group: field(request.body, 'group'),
        form: field(request.body, 'form'),
        category: field(request.body, 'category'),
      };
      const problems = await saveReceivingAddress(db, request.audit, values);
      if (hasProblems(problems)) return page(reply, values, problems, 422);
      return saved(request, reply);
    },
  );

  app.post<{ Body: Body }>(
    '/admin/mail/addresses/removal',
    { schema: { body: formBody({ address: 'short' }) } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const problems = await removeReceivingAddress(db, request.audit, field(request.body, 'address'));
      if (hasProblems(problems)) return page(reply, {}, problems, 422);
      return saved(request, reply);
    },
  );

  app.post<{ Body: Body }>(
    '/admin/mail/senders',
    { schema: { body: formBody({ area: 'short', name: 'short', address: 'short' }) } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const values = {
        area: field(request.body, 'area'),
        name: field(request.body, 'name'),
        address: field(request.body, 'address'),
      };
      const problems = await saveAreaSender(db, request.audit, values);
      if (hasProblems(problems)) return page(reply, { sender_area: values.area, ...values }, problems, 422);
      return saved(request, reply);
    },
  );
}
