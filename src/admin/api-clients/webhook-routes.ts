// /admin/api-clients/:id/webhooks: a client's subscriptions as the centre's admins see them — state,
// failures in a row, the latest deliveries with status and error — and what they may do for a client
// whose receiver was down: resume a paused subscription, pause one, send a delivery again.
import type { FastifyInstance } from 'fastify';
import { requirePermission } from '../../auth/guards.js';
import type { Db } from '../../db/index.js';
import { notFound } from '../../web/errors.js';
import { idString } from '../../web/input.js';
import { clientList } from '../../api/clients.js';
import { deliveryLog, redeliver, setPaused, subscriptionsOf } from '../../webhooks/service.js';

const params = {
  type: 'object',
  required: ['id'],
  properties: { id: idString, sub: idString, delivery: idString },
} as const;
type Params = { id: string; sub?: string; delivery?: string };

export async function apiClientWebhookRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const clientOf = async (id: string) => {
    const client = (await clientList(db)).find((c) => c.id === Number(id));
    if (!client) throw notFound();
    return client;
  };
  const back = (id: string) => `/admin/api-clients/${id}/webhooks`;

  app.get<{ Params: Params }>('/admin/api-clients/:id/webhooks', { schema: { params } }, async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    const client = await clientOf(request.params.id);
    const subscriptions = await Promise.all(
      (await subscriptionsOf(db, client.id)).map(async (s) => ({
        ...s,
        deliveries: (await deliveryLog(db, client.id, s.id, 20)).rows,
      })),
    );
    return reply.render({ page: 'admin/api-client-webhooks' }, { client, subscriptions });
  });

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const)
    app.post<{ Params: Params }>(
      `/admin/api-clients/:id/webhooks/:sub/${action}`,
      { schema: { params } },
      async (request, reply) => {
        requirePermission(request.viewer, 'admin.view');
        const client = await clientOf(request.params.id);
        await setPaused(db, request.audit, client.id, Number(request.params.sub), paused);
        request.session.set('flash', paused ? 'admin.webhooks.pausedFlash' : 'admin.webhooks.resumedFlash');
        return reply.redirect(back(request.params.id), 303);
      },
    );

  app.post<{ Params: Params }>(
    '/admin/api-clients/:id/webhooks/:sub/deliveries/:delivery/redeliver',
    { schema: { params } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const client = await clientOf(request.params.id);
      const queued = await redeliver(
        db,
        request.audit,
        client.id,
        Number(request.params.sub),
        Number(request.params.delivery),
      );
      request.session.set('flash', queued ? 'admin.webhooks.redeliveredFlash' : 'errors.webhookInFlight');
      return reply.redirect(back(request.params.id), 303);
    },
  );
}
