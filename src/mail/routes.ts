// Development only (no SMTP_URL): the mail the app would have sent, newest first.
import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../auth/guards.js';
import type { Db } from '../db/index.js';
import { devMail } from './queries.js';

export async function devMailRoutes(app: FastifyInstance, { db }: { db: Db }) {
  // Only centre staff: the mail holds case numbers and links of every customer.
  app.get('/dev/mail', async (request, reply) => {
    requirePermission(request.viewer, 'work.view');
    const mails = await devMail(db);
    return reply.render({ page: 'mail/dev' }, { mails });
  });
}
