// Editors write the knowledge base and news; admins grant and remove the role.
import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../auth/guards.js';
import type { Db } from '../../db/index.js';
import { cleanText, idOf, formBody } from '../../web/input.js';
import { listEditors } from './queries.js';
import { grantEditor, removeEditor } from './service.js';

export async function editorRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.get('/admin/editors', async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    return reply.render({ page: 'admin/editors' }, { editors: await listEditors(db), values: {}, problems: {} });
  });

  app.post<{ Body: { email?: string } }>(
    '/admin/editors',
    { schema: { body: formBody({ email: 'short' }) } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const email = cleanText(request.body.email, false).toLowerCase();
      if (!(await grantEditor(db, request.audit, email)))
        return reply.render(
          { page: 'admin/editors' },
          { editors: await listEditors(db), values: { email }, problems: { email: { key: 'admin.errors.user' } } },
          422,
        );
      request.session.set('flash', 'admin.saved');
      return reply.redirect('/admin/editors', 303);
    },
  );

  app.post<{ Body: { user?: string } }>(
    '/admin/editors/removal',
    { schema: { body: formBody({ user: 'short' }) } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const userId = idOf(request.body.user);
      if (userId === undefined) return reply.redirect('/admin/editors', 303);
      await removeEditor(db, request.audit, userId);
      request.session.set('flash', 'admin.saved');
      return reply.redirect('/admin/editors', 303);
    },
  );
}
