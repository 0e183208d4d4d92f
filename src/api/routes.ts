// The integration API, /api/v1: JSON over the same queries and verbs as the pages, for the centre's
// specialist systems and agencies' own. A bearer token names the client; the client's reach decides what
// it sees (every case for the centre's clients, one agency's for an agency's) and its scopes what it may
// do. Errors are RFC 9457 problem documents in the language asked for. The OpenAPI 3.1 document is
// generated from these routes' schemas by @fastify/swagger.
import swagger from '@fastify/swagger';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifyRequest, FastifySchemaValidationError } from 'fastify';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/index.js';
import type { AttachmentLimits } from '../attachments/files.js';
import { attachmentsOfCase } from '../attachments/queries.js';
import { listChoices } from '../cases/list/choices.js';
import { sendAttachment } from '../attachments/download.js';
import { readAttachment } from '../attachments/service.js';
import { caseTimeline } from '../cases/queries.js';
import { listCases } from '../cases/list/queries.js';
import { parseListQuery, queues } from '../cases/list/filter.js';
import { readCase } from '../cases/service.js';
import { classify } from '../web/error-handler.js';
import { HttpError } from '../web/errors.js';
import { languageFromHeader, translator } from '../web/i18n.js';
import { caseNumberString, idString } from '../web/input.js';
import { clientForToken, viewerOf, type ApiClient, type ApiScope } from './clients.js';
import { caseListSchema, caseSchema, problemSchema } from './schemas.js';
import { caseReferences } from './queries.js';
import { explained, problem, type ApiContext } from './http.js';
import { writeRoutes } from './write-routes.js';
import { deliveryRoutes } from './delivery-routes.js';
import { webhookRoutes } from '../webhooks/routes.js';
import type { TargetRules } from '../webhooks/targets.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiClient: ApiClient | null;
  }
}

/** Calls a client may make per minute. */
export const apiRequestsPerMinute = 600;

/** A schema validation error in the reader's language: each failing field and what is wrong with it. */
function validationErrors(request: FastifyRequest, validation: readonly FastifySchemaValidationError[]) {
  const t = translator(languageFromHeader(request.headers['accept-language']));
  return validation.map((v) => {
    const missing = (v.params as { missingProperty?: string; additionalProperty?: string }) ?? {};
    const path = [
      v.instancePath.replace(/^\//, '').replaceAll('/', '.'),
      missing.missingProperty ?? missing.additionalProperty,
    ]
      .filter(Boolean)
      .join('.');
    const known = validationKeywords.has(v.keyword) ? v.keyword : 'other';
    const params = Object.fromEntries(
      Object.entries(v.params ?? {}).map(([k, value]) => [k, Array.isArray(value) ? value.join(', ') : String(value)]),
    );
    return {
      field: path || (v.instancePath === '' ? 'body' : v.instancePath),
      detail: t(`api.validation.${known}`, params),
    };
  });
}
const validationKeywords = new Set([
  'required',
  'type',
  'enum',
  'minLength',
  'maxLength',
  'pattern',
  'format',
  'additionalProperties',
  'minimum',
  'maximum',
  'maxItems',
  'minProperties',
  'maxProperties',
]);

export async function apiRoutes(
  app: FastifyInstance,
  { db, publicUrl, limits, targets }: { db: Db; publicUrl: URL; limits: AttachmentLimits; targets: TargetRules },
) {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Kundesenter API',
        version: '1.0.0',
        description: 'Cases for the centre’s specialist systems and agencies’ own systems.',
      },
      servers: [{ url: publicUrl.origin }],
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    hideUntagged: true,
  });
  const viewers = new WeakMap<FastifyRequest, Viewer>();
  // Stricter than the pages: an unknown field is an error (not silently dropped), every error is
  // reported at once, and a JSON body is taken as typed (no "1" for 1); query and path are coerced.
  const strict = { removeAdditional: false, allErrors: true, useDefaults: true, strict: false } as const;
  const bodies = addFormats.default(new Ajv.default({ ...strict, coerceTypes: false }));
  const others = addFormats.default(new Ajv.default({ ...strict, coerceTypes: 'array' }));
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodies : others).compile(schema));

  app.decorateRequest('apiClient', null);
  app.addHook('onRequest', async (request) => {
    if (request.url.split('?')[0] === '/api/v1/openapi.json') return;
    const header = request.headers.authorization ?? '';
    const token = /^Bearer (\S+)$/i.exec(header)?.[1];
    const client = token ? await clientForToken(db, token) : undefined;
    if (!client) throw new HttpError(401, 'api_token', 'errors.apiToken');
    request.apiClient = client;
    viewers.set(request, await viewerOf(db, client));
  });
  // After the app's own preHandler: what a client does is recorded under the client's name.
  app.addHook('preHandler', async (request) => {
    if (request.apiClient)
      request.audit = request.auditAs({ userId: null, name: `API: ${request.apiClient.name}`, ip: request.ip });
  });
  app.setErrorHandler(async (error, request, reply) => {
    const { status, key } = classify(error as never);
    if (status >= 500 && status !== 503) request.log.error({ err: error }, 'API request failed');
    if (status === 401) reply.header('www-authenticate', 'Bearer realm="kundesenter"');
    const validation = (error as { validation?: FastifySchemaValidationError[] }).validation;
    return problem(request, reply, status, key, validation ? { errors: validationErrors(request, validation) } : {});
  });
  app.setNotFoundHandler(async (request, reply) => problem(request, reply, 404, 'errors.not_found'));

  const acting = (request: FastifyRequest, scope: ApiScope) => {
    if (!request.apiClient?.scopes.includes(scope)) throw new HttpError(403, 'api_scope', 'errors.apiScope');
    return viewers.get(request)!;
  };
  const rateLimit = {
    max: apiRequestsPerMinute,
    timeWindow: '1 minute',
    keyGenerator: (request: FastifyRequest) => `api:${request.apiClient?.id ?? request.ip}`,
  };

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  const context: ApiContext = { db, publicUrl, limits, acting, rateLimit };
  await writeRoutes(app, context);
  await deliveryRoutes(app, context);
  await webhookRoutes(app, { ...context, targets });

  app.get<{ Params: { number: string; id: string } }>(
    '/cases/:number/attachments/:id',
    {
      config: { rateLimit },
      schema: {
        tags: ['cases'],
        summary: 'A file of the case, as it was uploaded (its type checked by its bytes on the way in)',
        params: {
          type: 'object',
          required: ['number', 'id'],
          properties: { number: caseNumberString, id: idString },
        },
        response: {
          200: {
            description: 'The file',
            content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } },
          },
          '4xx': problemSchema,
        },
      },
    },
    async (request, reply) => {
      const viewer = acting(request, 'cases:read');
      const { number, id } = request.params;
      const file = await readAttachment(db, viewer, number, Number(id), request.audit);
      return sendAttachment(reply, db, file);
    },
  );

  app.get<{ Querystring: Record<string, string | string[] | undefined> & { limit?: number } }>(
    '/cases',
    {
      config: { rateLimit },
      schema: {
        tags: ['cases'],
        summary: 'Cases the client may see, with the same filters and sorts as the case lists',
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', maxLength: 200, description: 'Full-text search' },
            status: {
              type: 'string',
              description: 'A status: active, in_progress, awaiting_customer, closed, postponed',
            },
            area: { type: 'string', description: 'An area code' },
            queue: {
              type: 'string',
              enum: queues,
              description: 'The centre’s clients: a queue of the workspace, as on /work',
            },
            priority: { type: 'string', description: 'The centre’s clients: low, normal, high, critical' },
            group: { type: 'string', description: 'The centre’s clients: a group id' },
            agency: { type: 'string', description: 'The centre’s clients: an agency id' },
            sort: { type: 'string', description: 'number, title, status, created, updated, …' },
            dir: { type: 'string', enum: ['asc', 'desc'] },
            after: { type: 'string', maxLength: 200, description: 'The `next` cursor of the previous page' },
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50, description: 'Cases per page' },
          },
        },
        response: { 200: caseListSchema, '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      const viewer = acting(request, 'cases:read');
      const { limit = 50, ...rest } = request.query;
      // Every case the client sees unless it names a queue (the workspace's default is the user's groups).
      const query = { scope: 'agency', ...(request.apiClient!.reach === 'centre' ? { queue: 'all' } : {}), ...rest };
      const { filter, problems } = parseListQuery(query, viewer, await listChoices(db));
      if (Object.keys(problems).length > 0)
        return problem(request, reply, 400, 'errors.bad_request', { errors: explained(request, problems) });
      const { cases, next } = await listCases(db, viewer, filter, limit);
      return {
        items: cases.map((c) => ({
          number: c.number,
          title: c.title,
          status: c.status,
          channel: c.channel,
          area: c.area_nb,
          agency: c.agency,
          requester: c.requester,
          created_at: c.created_at,
          updated_at: c.updated_at,
          due_at: c.due_at,
          link: new URL(`/cases/${c.number}`, publicUrl).href,
        })),
        next: next ?? null,
      };
    },
  );

  app.get<{ Params: { number: string } }>(
    '/cases/:number',
    {
      config: { rateLimit },
      schema: {
        tags: ['cases'],
        summary: 'One case with its events and file metadata (internal notes for the centre’s clients only)',
        params: { type: 'object', required: ['number'], properties: { number: caseNumberString } },
        response: { 200: caseSchema, '4xx': problemSchema },
      },
    },
    async (request, reply) => {
      const viewer = acting(request, 'cases:read');
      // A centre client's read is recorded like a caseworker's.
      const found = await readCase(db, viewer, request.params.number, request.audit);
      const [events, files, references] = await Promise.all([
        caseTimeline(db, viewer, found.id),
        attachmentsOfCase(db, viewer, found.id),
        caseReferences(db, found.id),
      ]);
      reply.header('etag', `"${found.version}"`);
      return {
        number: found.number,
        title: found.title,
        status: found.status,
        channel: found.channel,
        version: found.version,
        created_at: found.created_at,
        updated_at: found.updated_at,
        due_at: found.due_at,
        link: new URL(`/cases/${found.number}`, publicUrl).href,
        events: events.map((e) => ({ id: e.id, kind: e.kind, actor: e.actor, created_at: e.created_at, data: e.data })),
        references,
        attachments: files.map((f) => ({
          id: f.id,
          filename: f.filename,
          content_type: f.content_type,
          size_bytes: Number(f.size_bytes),
        })),
      };
    },
  );
}
