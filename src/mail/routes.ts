// The mail pages: incoming mail with its held mail (centre staff), and in development (no SMTP_URL)
// the mail the app would have sent, newest first.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { requirePermission, requireViewer } from '../auth/guards.js';
import type { Db } from '../db/index.js';
import { formBody, idParams, type Problems } from '../web/input.js';
import { discardHeldMail, releaseHeldMail } from './held.js';
import type { InboundSettings } from './inbound.js';
import { devMail, recentInboundMail } from './queries.js';

export async function devMailRoutes(app: FastifyInstance, { db }: { db: Db }) {
  // Only centre staff: the mail holds case numbers and links of every customer.
  app.get('/dev/mail', async (request, reply) => {
    requirePermission(request.viewer, 'work.view');
    const mails = await devMail(db);
    return reply.render({ page: 'mail/dev' }, { mails });
  });
}

/** Incoming mail as received, with what became of it and why; held mail is released or discarded here. */
export async function inboundMailRoutes(app: FastifyInstance, { db, settings }: { db: Db; settings: InboundSettings }) {
  const page = async (request: FastifyRequest, reply: FastifyReply, problems: Problems = {}, status = 200) => {
    requirePermission(request.viewer, 'work.view');
    const mails = await recentInboundMail(db);
    return reply.render({ page: 'work/mail' }, { mails, problems }, status);
  };
  app.get('/work/mail', (request, reply) => page(request, reply));

  const decisionBody = formBody({ reason: 'long', into: 'short' });
  app.post<{ Params: { id: string }; Body: { reason?: string; into?: string } }>(
    '/work/mail/:id/release',
    { schema: { params: idParams, body: decisionBody } },
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      const into = request.body.into === 'new' ? 'new' : 'case';
      const result = await releaseHeldMail(
        db,
        viewer,
        Number(request.params.id),
        { reason: request.body.reason, into },
        settings,
        request.audit,
      );
      if ('problems' in result) return page(request, reply, prefixed(request.params.id, result.problems), 422);
      return reply.redirect(result.caseNumber ? `/cases/${result.caseNumber}` : '/work/mail', 303);
    },
  );
  app.post<{ Params: { id: string }; Body: { reason?: string } }>(
    '/work/mail/:id/discard',
    { schema: { params: idParams, body: decisionBody } },
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      const result = await discardHeldMail(
        db,
        viewer,
        Number(request.params.id),
        { reason: request.body.reason },
        request.audit,
      );
      if ('problems' in result) return page(request, reply, prefixed(request.params.id, result.problems), 422);
      return reply.redirect('/work/mail', 303);
    },
  );
}

/** A problem belongs to the form of one mail: `reason-<id>`. */
function prefixed(id: string, problems: Problems): Problems {
  return Object.fromEntries(Object.entries(problems).map(([field, problem]) => [`${field}-${id}`, problem]));
}
