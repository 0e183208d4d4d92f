// The caseworker's notices: the list, the header's unread count (polled by htmx), opening one (which
// marks it read and goes to the case or the incoming mail), and the e-mail preference.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/index.js';
import { requirePermission } from '../auth/guards.js';
import { idParams } from '../web/input.js';
import { notFound } from '../web/errors.js';
import { markAllRead, noticeEmail, noticesOf, openNotice, setNoticeEmail, unreadCount } from './queries.js';

export async function noticeRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.get('/work/notices', async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'work.view');
    const [notices, email] = await Promise.all([noticesOf(db, viewer.userId), noticeEmail(db, viewer.userId)]);
    return reply.render({ page: 'work/notices' }, { notices, email });
  });

  app.get('/work/notices/count', async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'work.view');
    return reply.render({ page: 'work/_notice-link' }, { count: await unreadCount(db, viewer.userId) });
  });

  app.get<{ Params: { id: string } }>('/work/notices/:id', { schema: { params: idParams } }, async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'work.view');
    const opened = await openNotice(db, viewer.userId, Number(request.params.id));
    if (!opened) throw notFound();
    return reply.redirect(opened.number ? `/cases/${opened.number}` : '/work/mail', 303);
  });

  app.post('/work/notices/read', async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'work.view');
    await markAllRead(db, viewer.userId);
    return reply.redirect('/work/notices', 303);
  });

  app.post<{ Body: { email?: string } }>(
    '/work/notices/email',
    { schema: { body: { type: 'object', properties: { email: { type: 'string', enum: ['yes'] } } } } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'work.view');
      await setNoticeEmail(db, viewer.userId, request.body?.email === 'yes');
      request.session.set('flash', 'notices.emailSaved');
      return reply.redirect('/work/notices', 303);
    },
  );
}
