// Site-wide routes: health probes and the language switch.
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { isLanguage } from './i18n.js';
import { safeReturnPath } from './render.js';
import { HttpError } from './errors.js';

export async function siteRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.get('/healthz', async (_request, reply) => reply.type('text/plain').send('ok'));

  app.get('/readyz', async (request, reply) => {
    try {
      await Promise.race([
        sql`select 1`.execute(db),
        new Promise((_, reject) => setTimeout(() => reject(new Error('database timeout')), 2000).unref()),
      ]);
      return reply.type('text/plain').send('ready');
    } catch (error) {
      request.log.warn({ err: error }, 'database not ready');
      return reply.code(503).type('text/plain').send('database unavailable');
    }
  });

  app.post<{ Body: { language?: string; returnTo?: string } }>(
    '/language',
    {
      schema: {
        body: {
          type: 'object',
          properties: { language: { type: 'string', maxLength: 5 }, returnTo: { type: 'string', maxLength: 2000 } },
        },
      },
    },
    async (request, reply) => {
      const language = request.body.language;
      if (!isLanguage(language)) throw new HttpError(400, 'bad_request');
      request.session.set('lang', language);
      if (request.viewer)
        await db.updateTable('users').set({ language }).where('id', '=', request.viewer.userId).execute();
      return reply.redirect(safeReturnPath(request.body.returnTo), 303);
    },
  );
}
