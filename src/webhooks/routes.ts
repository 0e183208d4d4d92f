// The client's own webhook subscriptions over the API (webhooks:manage): make one (the signing secret is
// in this answer only), list, read, pause, resume, remove; the delivery log and a redelivery.
import type { FastifyInstance } from 'fastify';
import { HttpError } from '../web/errors.js';
import { idString } from '../web/input.js';
import { idempotencyHeaders, idempotent, type ApiContext } from '../api/http.js';
import { problemSchema } from '../api/schemas.js';
import {
  checkSubscription,
  createSubscription,
  deleteSubscription,
  deliveryLog,
  redeliver,
  setPaused,
  subscriptionOf,
  subscriptionsOf,
  webhookEvents,
  type WebhookEvent,
} from './service.js';
import type { TargetRules } from './targets.js';

const when = { type: 'string', format: 'date-time' } as const;
const subscriptionSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    url: { type: 'string' },
    events: { type: 'array', items: { type: 'string', enum: webhookEvents } },
    include_content: { type: 'boolean' },
    failures: { type: 'integer', description: 'Failed attempts in a row' },
    paused_at: { type: ['string', 'null'], format: 'date-time' },
    paused_reason: { type: ['string', 'null'], enum: ['failures', 'manual', null] },
    created_at: when,
    secret: {
      type: 'string',
      description: 'Only when the subscription is made: the key its deliveries are signed with',
    },
  },
  required: ['id', 'url', 'events', 'include_content', 'failures', 'paused_at', 'created_at'],
} as const;
const deliverySchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    event_id: { type: 'string', format: 'uuid' },
    event_type: { type: 'string' },
    case_number: { type: ['string', 'null'] },
    created_at: when,
    attempts: { type: 'integer' },
    last_status: { type: ['integer', 'null'], description: 'The receiver’s HTTP status at the last attempt' },
    last_error: { type: ['string', 'null'] },
    delivered_at: { type: ['string', 'null'], format: 'date-time' },
    given_up_at: { type: ['string', 'null'], format: 'date-time' },
    next_attempt_at: when,
  },
  required: ['id', 'event_id', 'event_type', 'created_at', 'attempts', 'delivered_at', 'given_up_at'],
} as const;
const idParams = { type: 'object', required: ['id'], properties: { id: idString } } as const;
const answers = (ok: object) => ({ ...ok, '4xx': problemSchema });

export async function webhookRoutes(app: FastifyInstance, context: ApiContext & { targets: TargetRules }) {
  const { db, acting, rateLimit, targets } = context;
  const tags = ['webhooks'];

  app.get(
    '/webhooks',
    {
      config: { rateLimit },
      schema: {
        tags,
        summary: 'The client’s subscriptions',
        response: answers({ 200: { type: 'array', items: subscriptionSchema } }),
      },
    },
    async (request) => {
      acting(request, 'webhooks:manage');
      return subscriptionsOf(db, request.apiClient!.id);
    },
  );

  app.post<{ Body: { url: string; events: WebhookEvent[]; include_content?: boolean } }>(
    '/webhooks',
    {
      config: { rateLimit },
      schema: {
        tags,
        summary: 'Subscribes a URL to events; the answer holds the signing secret, shown this once',
        headers: idempotencyHeaders,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['url', 'events'],
          properties: {
            url: { type: 'string', maxLength: 2000, description: 'HTTPS, a public address' },
            events: {
              type: 'array',
              minItems: 1,
              maxItems: 5,
              uniqueItems: true,
              items: { type: 'string', enum: webhookEvents },
            },
            include_content: {
              type: 'boolean',
              default: false,
              description: 'Message text in message.created (the centre’s clients only)',
            },
          },
        },
        response: answers({ 201: subscriptionSchema }),
      },
    },
    async (request, reply) => {
      acting(request, 'webhooks:manage');
      const client = request.apiClient!;
      const input = {
        url: request.body.url.trim(),
        events: request.body.events,
        includeContent: request.body.include_content ?? false,
      };
      return idempotent(db, request, reply, async () => {
        const problems = await checkSubscription(client, input, targets);
        if (Object.keys(problems).length > 0) return { problems, status: 422 };
        const made = await createSubscription(db, request.audit, client.id, input);
        if ('problems' in made) return made;
        return { status: 201, body: { ...(await subscriptionOf(db, client.id, made.id)), secret: made.secret } };
      });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/webhooks/:id',
    {
      config: { rateLimit },
      schema: { tags, summary: 'One subscription', params: idParams, response: answers({ 200: subscriptionSchema }) },
    },
    async (request) => {
      acting(request, 'webhooks:manage');
      return subscriptionOf(db, request.apiClient!.id, Number(request.params.id));
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/webhooks/:id',
    {
      config: { rateLimit },
      schema: {
        tags,
        summary: 'Removes a subscription and its log',
        params: idParams,
        response: answers({ 204: { type: 'null' } }),
      },
    },
    async (request, reply) => {
      acting(request, 'webhooks:manage');
      await deleteSubscription(db, request.audit, request.apiClient!.id, Number(request.params.id));
      return reply.code(204).send();
    },
  );

  for (const [action, paused] of [
    ['pause', true],
    ['resume', false],
  ] as const)
    app.post<{ Params: { id: string } }>(
      `/webhooks/:id/${action}`,
      {
        config: { rateLimit },
        schema: {
          tags,
          summary: paused
            ? 'Pauses deliveries; events are kept and go out in order on resuming'
            : 'Resumes deliveries (also after an automatic pause), waiting events first',
          params: idParams,
          response: answers({ 200: subscriptionSchema }),
        },
      },
      async (request) => {
        acting(request, 'webhooks:manage');
        const clientId = request.apiClient!.id;
        await setPaused(db, request.audit, clientId, Number(request.params.id), paused);
        return subscriptionOf(db, clientId, Number(request.params.id));
      },
    );

  app.get<{ Params: { id: string }; Querystring: { before?: string; limit?: number } }>(
    '/webhooks/:id/deliveries',
    {
      config: { rateLimit },
      schema: {
        tags,
        summary: 'The delivery log: each event, its attempts, the last status and error; newest first',
        params: idParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            before: { ...idString, description: 'The `next` of the previous page' },
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
          },
        },
        response: answers({
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: deliverySchema }, next: { type: ['string', 'null'] } },
            required: ['items', 'next'],
          },
        }),
      },
    },
    async (request) => {
      acting(request, 'webhooks:manage');
      const { before, limit = 50 } = request.query;
      const { rows, next } = await deliveryLog(
        db,
        request.apiClient!.id,
        Number(request.params.id),
        limit,
        before === undefined ? undefined : Number(before),
      );
      return { items: rows, next };
    },
  );

  app.post<{ Params: { id: string; delivery: string } }>(
    '/webhooks/:id/deliveries/:delivery/redeliver',
    {
      config: { rateLimit },
      schema: {
        tags,
        summary: 'Sends a delivery again, with the same event id',
        params: { type: 'object', required: ['id', 'delivery'], properties: { id: idString, delivery: idString } },
        response: answers({
          202: { type: 'object', properties: { queued: { type: 'boolean' } }, required: ['queued'] },
        }),
      },
    },
    async (request, reply) => {
      acting(request, 'webhooks:manage');
      const queued = await redeliver(
        db,
        request.audit,
        request.apiClient!.id,
        Number(request.params.id),
        Number(request.params.delivery),
      );
      if (!queued) throw new HttpError(409, 'webhook_in_flight', 'errors.webhookInFlight');
      return reply.code(202).send({ queued });
    },
  );
}
