// Site-wide routes: health probes, the language switch and the accessibility statement.
import type { FastifyInstance } from 'fastify';
import { databaseAnswers, type Db } from '../db/index.js';
import { saveLanguage } from '../auth/provision.js';
import { isLanguage } from '../web/i18n.js';
import { safeReturnPath } from '../web/render.js';
import { anonymousLimit } from '../web/input.js';
import { HttpError } from '../web/errors.js';
import { areaContacts } from './contact.js';

const statementDate = '2026-12-02';
const deviations = ['reflow'] as const;
const testMethods = ['axe', 'keyboard', 'noScript'] as const;

export async function siteRoutes(
  app: FastifyInstance,
  { db, lifecycle }: { db: Db; lifecycle: { draining: boolean } },
) {
  // The accessibility statement the law asks of a public service (tilgjengelighetserklæring): its date
  // and the deviations it owns up to change with the service, so they live here beside the route.
  // Each area's customer centre: phone, e-mail, opening hours and the way to a new case.
  app.get('/contact', async (_request, reply) =>
    reply.render({ page: 'site/contact' }, { areas: await areaContacts(db) }),
  );
  app.get('/kontakt', async (_request, reply) => reply.redirect('/contact', 301));

  app.get('/accessibility', async (_request, reply) =>
    reply.render({ page: 'site/accessibility' }, { dated: statementDate, deviations, methods: testMethods }),
  );
  app.get('/tilgjengelighet', async (_request, reply) => reply.redirect('/accessibility', 301));

  app.get('/healthz', async (_request, reply) => reply.type('text/plain').send('ok'));

  app.get('/readyz', async (request, reply) => {
    // From the first moment of a shutdown: the load balancer stops sending while requests still finish.
    if (lifecycle.draining) return reply.code(503).type('text/plain').send('shutting down');
    try {
      await databaseAnswers(db);
      return reply.type('text/plain').send('ready');
    } catch (error) {
      request.log.warn({ err: error }, 'database not ready');
      return reply.code(503).type('text/plain').send('database unavailable');
    }
  });

  app.post<{ Body: { language?: string; returnTo?: string } }>(
    '/language',
    {
      config: anonymousLimit(30),
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
      if (request.viewer) await saveLanguage(db, request.viewer.userId, language);
      return reply.redirect(safeReturnPath(request.body.returnTo), 303);
    },
  );
}
