// The consent declaration a consultant accepts before anything else (src/auth/plugin.ts sends them here),
// and the admin's page for its text and the list of consultants.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/index.js';
import { requirePermission, requireViewer } from '../auth/guards.js';
import { notFound } from '../web/errors.js';
import { cleanText, formBody, type Problems } from '../web/input.js';
import { acceptDeclaration, consentOf, consultants, currentDeclaration, saveDeclaration } from './consent.js';

export async function consentRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.get('/consent', async (request, reply) => {
    const viewer = requireViewer(request.viewer);
    if (!viewer.consultant) throw notFound();
    const consent = await consentOf(db, viewer.userId);
    return reply.render({ page: 'me/consent' }, { consent });
  });

  app.post('/consent', async (request, reply) => {
    const viewer = requireViewer(request.viewer);
    if (!(await acceptDeclaration(db, request.audit, viewer))) throw notFound();
    request.session.set('flash', 'consent.accepted');
    return reply.redirect('/', 303);
  });

  const adminPage = async (
    reply: import('fastify').FastifyReply,
    values?: { body_nb: string; body_en: string },
    problems: Problems = {},
    status = 200,
  ) => {
    const [declaration, people] = await Promise.all([currentDeclaration(db), consultants(db)]);
    return reply.render(
      { page: 'admin/consultants' },
      { declaration, consultants: people, values: values ?? declaration, problems },
      status,
    );
  };

  app.get('/admin/consultants', async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    return adminPage(reply);
  });

  app.post<{ Body: { body_nb?: string; body_en?: string } }>(
    '/admin/consultants/declaration',
    { schema: { body: formBody({ body_nb: 'long', body_en: 'long' }) } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'admin.view');
      const values = {
        body_nb: cleanText(request.body.body_nb, true).trim(),
        body_en: cleanText(request.body.body_en, true).trim(),
      };
      const problems = await saveDeclaration(db, request.audit, viewer, values);
      if (Object.keys(problems).length > 0) return adminPage(reply, values, problems, 422);
      request.session.set('flash', 'admin.consultants.saved');
      return reply.redirect('/admin/consultants', 303);
    },
  );
}
