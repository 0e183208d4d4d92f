// Development only (no SMTP_URL): the mail the app would have sent, newest first.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/index.js';
import { devMail } from './queries.js';

export async function devMailRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.get('/dev/mail', async (_request, reply) => {
    const mails = await devMail(db);
    return reply.render({ page: 'mail/dev' }, { mails });
  });
}
