// The API's writing endpoints: open a case for a customer, write a message or an internal note, set the
// status, assign, and set the case's reference in a specialist system. Each runs the same verb as the
// page, so the same rules apply (Utsatt needs a message, Avsluttet a final answer, the area's closing
// fields); If-Match carries the case version (412 when it changed) and Idempotency-Key makes a retry safe.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Viewer } from '../auth/viewer.js';
import type { Upload } from '../attachments/files.js';
import { uploadFromBuffer } from '../attachments/files.js';
import { findCase } from '../cases/queries.js';
import { versionConflict, type MessageKind, type Refusal } from '../cases/rules.js';
import { replyToCase } from '../cases/service.js';
import type { CaseStatus } from '../cases/queries.js';
import { languageFromHeader } from '../web/i18n.js';
import { caseNumberString } from '../web/input.js';
import { notFound } from '../web/errors.js';
import { assignCase } from '../work/service.js';
import { createCaseByApi } from './cases.js';
import { idempotencyHeaders, idempotent, ifMatch, ifMatchHeaders, type ApiContext } from './http.js';
import {
  assignmentSchema,
  caseStateSchema,
  createdCaseSchema,
  messageSchema,
  newCaseSchema,
  problemSchema,
  referenceAnswerSchema,
  referenceSchema,
  statusSchema,
  type FileInput,
  type MessageBody,
  type NewCaseBody,
  type StatusBody,
} from './schemas.js';
import { setReference } from './service.js';

const numberParams = { type: 'object', required: ['number'], properties: { number: caseNumberString } } as const;
const answers = (ok: object) => ({ ...ok, '4xx': problemSchema });

const uploadsOf = (files: readonly FileInput[] | undefined): Upload[] =>
  (files ?? []).map((f) => uploadFromBuffer('attachments', f.filename, Buffer.from(f.data, 'base64')));

export async function writeRoutes(app: FastifyInstance, context: ApiContext) {
  const { db, publicUrl, limits, acting, rateLimit } = context;
  // Files come base64 in the JSON, a third larger than themselves; one call carries at most one file's
  // limit of them (more files: more calls), so a parsed body stays bounded.
  const bodyLimit = Math.ceil((limits.fileBytes * 4) / 3) + 1024 * 1024;
  const verbContext = (request: FastifyRequest) => ({
    publicUrl,
    limits,
    language: languageFromHeader(request.headers['accept-language']),
    audit: request.audit,
  });
  /** The case as it is after a write: its status and version (the new ETag). */
  const stateOf = async (viewer: Viewer, number: string) => {
    const found = await findCase(db, viewer, number);
    if (!found) throw notFound();
    return { number: found.number, status: found.status, version: found.version };
  };

  app.post<{ Body: NewCaseBody }>(
    '/cases',
    {
      bodyLimit,
      config: { rateLimit },
      schema: {
        tags: ['cases'],
        summary:
          'Opens a case for a customer (the requester by id or e-mail); the form’s answers are checked as on the page',
        headers: idempotencyHeaders,
        body: newCaseSchema,
        response: answers({ 201: createdCaseSchema }),
      },
    },
    async (request, reply) => {
      const viewer = acting(request, 'cases:write');
      const body = request.body;
      return idempotent(db, request, reply, async () => {
        const result = await createCaseByApi(
          db,
          viewer,
          request.apiClient!,
          {
            requester: body.requester,
            agency: body.agency,
            area: body.area,
            form: body.form,
            channel: body.channel ?? 'web',
            title: body.title.trim(),
            body: body.body.trim(),
            answers: body.answers ?? {},
            attachments: (body.attachments ?? []).map((f) => ({ ...f, data: Buffer.from(f.data, 'base64') })),
          },
          verbContext(request),
        );
        if ('problems' in result) return result;
        return {
          status: 201,
          body: { number: result.number, link: new URL(`/cases/${result.number}`, publicUrl).href },
        };
      });
    },
  );

  app.post<{ Params: { number: string }; Body: MessageBody }>(
    '/cases/:number/messages',
    {
      bodyLimit,
      config: { rateLimit },
      schema: {
        tags: ['cases'],
        summary:
          'Writes on the case: for the centre’s clients an answer, a provisional answer or an internal note; for an agency’s a message from the customer side',
        params: numberParams,
        headers: ifMatchHeaders,
        body: messageSchema,
        response: answers({ 201: caseStateSchema }),
      },
    },
    async (request, reply) => {
      const viewer = acting(request, 'messages:write');
      const { body } = request;
      const centre = request.apiClient!.reach === 'centre';
      const version = ifMatch(request);
      return idempotent(db, request, reply, async () => {
        if (!centre && body.kind !== undefined)
          return { problems: { kind: { key: 'api.errors.kindCentreOnly' } }, status: 422 } satisfies Refusal;
        // The verb checks the version for the centre's writes; an agency's is checked here.
        if (!centre && version !== undefined) {
          const current = await findCase(db, viewer, request.params.number);
          if (!current) throw notFound();
          if (current.version !== version) return versionConflict;
        }
        const result = await replyToCase(
          db,
          viewer,
          request.params.number,
          {
            body: body.body.trim(),
            uploads: uploadsOf(body.attachments),
            // An agency's system writes as the customer side: plain messages only.
            kind: centre ? ((body.kind ?? 'answer') as MessageKind) : undefined,
            expectedDate: body.expected_date,
            version: centre ? version : undefined,
          },
          verbContext(request),
        );
        if ('problems' in result) return result;
        return { status: 201, body: await stateOf(viewer, request.params.number) };
      });
    },
  );

  app.post<{ Params: { number: string }; Body: StatusBody }>(
    '/cases/:number/status',
    {
      bodyLimit,
      config: { rateLimit },
      schema: {
        tags: ['cases'],
        summary:
          'Sets the status, with the page’s rules: postponed needs a message to the customer, closed a final answer',
        params: numberParams,
        headers: ifMatchHeaders,
        body: statusSchema,
        response: answers({ 200: caseStateSchema }),
      },
    },
    async (request, reply) => {
      const viewer = acting(request, 'status:write');
      const { body } = request;
      const version = ifMatch(request);
      return idempotent(db, request, reply, async () => {
        const result = await replyToCase(
          db,
          viewer,
          request.params.number,
          {
            body: body.message?.body.trim() ?? '',
            uploads: uploadsOf(body.message?.attachments),
            kind: (body.message?.kind ?? 'answer') as MessageKind,
            status: body.status as CaseStatus,
            expectedDate: body.message?.expected_date,
            version,
            handling: {
              ...(body.resolution !== undefined ? { resolution: body.resolution } : {}),
              ...(body.time_spent_minutes !== undefined ? { timeSpentMinutes: body.time_spent_minutes } : {}),
            },
          },
          verbContext(request),
        );
        if ('problems' in result) return result;
        return { status: 200, body: await stateOf(viewer, request.params.number) };
      });
    },
  );

  app.post<{ Params: { number: string }; Body: { group_id?: number | null; assignee_id?: number | null } }>(
    '/cases/:number/assignment',
    {
      config: { rateLimit },
      schema: {
        tags: ['cases'],
        summary: 'Gives the case to a group and/or a caseworker of its area (null: nobody)',
        params: numberParams,
        headers: ifMatchHeaders,
        body: assignmentSchema,
        response: answers({ 200: caseStateSchema }),
      },
    },
    async (request, reply) => {
      const viewer = acting(request, 'cases:write');
      const version = ifMatch(request);
      return idempotent(db, request, reply, async () => {
        const current = await findCase(db, viewer, request.params.number);
        if (!current) throw notFound();
        const result = await assignCase(db, viewer, request.params.number, {
          groupId: request.body.group_id === undefined ? 'unchanged' : request.body.group_id,
          assigneeId: request.body.assignee_id === undefined ? current.assignee_id : request.body.assignee_id,
          version,
          publicUrl,
        });
        if ('problems' in result) return result;
        return { status: 200, body: await stateOf(viewer, request.params.number) };
      });
    },
  );

  app.post<{ Params: { number: string }; Body: { system: string; id: string; url?: string } }>(
    '/cases/:number/references',
    {
      config: { rateLimit },
      schema: {
        tags: ['cases'],
        summary: 'Sets the case’s reference in a specialist system (one per system; a later call updates it)',
        params: numberParams,
        headers: idempotencyHeaders,
        body: referenceSchema,
        response: answers({ 201: referenceAnswerSchema, 200: referenceAnswerSchema }),
      },
    },
    async (request, reply) => {
      const viewer = acting(request, 'cases:write');
      return idempotent(db, request, reply, async () => ({
        status: 201,
        body: await setReference(db, request.audit, viewer, request.apiClient!, request.params.number, {
          system: request.body.system.trim(),
          id: request.body.id.trim(),
          url: request.body.url ?? null,
        }),
      }));
    },
  );
}
