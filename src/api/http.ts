// What every API route shares: problem documents (RFC 9457) in the language asked for, a verb's refusal
// as one, If-Match against the case version, and Idempotency-Key around a POST.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Viewer } from '../auth/viewer.js';
import type { AttachmentLimits } from '../attachments/files.js';
import type { Refusal } from '../cases/rules.js';
import type { Db } from '../db/index.js';
import { HttpError } from '../web/errors.js';
import type { Problems } from '../web/input.js';
import { languageFromHeader, translator } from '../web/i18n.js';
import type { ApiScope } from './clients.js';
import { claimKey, releaseKey, rememberAnswer } from './service.js';

export interface ApiContext {
  db: Db;
  publicUrl: URL;
  limits: AttachmentLimits;
  /** The client's viewer when it holds the scope; 403 otherwise. */
  acting(request: FastifyRequest, scope: ApiScope): Viewer;
  rateLimit: object;
}

export function problem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  key: string,
  extra: { detail?: string | undefined; errors?: { field: string; detail: string }[] } = {},
) {
  const language = languageFromHeader(request.headers['accept-language']);
  const t = translator(language);
  return reply
    .code(status)
    .type('application/problem+json')
    .header('content-language', language)
    .send({
      type: `about:blank#${key.replace(/^errors\./, '')}`,
      title: t(`${key}Title`),
      status,
      detail: extra.detail ?? t(key),
      instance: request.url.split('?')[0],
      ...(extra.errors ? { errors: extra.errors } : {}),
    });
}

/** Each field's problem, in the reader's language. */
export function explained(request: FastifyRequest, problems: Problems) {
  const t = translator(languageFromHeader(request.headers['accept-language']));
  return Object.entries(problems).map(([field, p]) => ({ field, detail: t(p.key, p.params) }));
}

/** A verb's refusal: 412 for a stale If-Match, 413 for files over a limit, else 422 with each field's problem. */
export function refused(request: FastifyRequest, reply: FastifyReply, refusal: Refusal) {
  if (refusal.status === 409) return problem(request, reply, 412, 'errors.precondition');
  return problem(request, reply, refusal.status, refusal.status === 413 ? 'errors.too_large' : 'errors.validation', {
    errors: explained(request, refusal.problems),
  });
}

/** The version an If-Match names ("7", W/"7" or 7); undefined without the header; 412 when it names none. */
export function ifMatch(request: FastifyRequest): number | undefined {
  const header = request.headers['if-match'];
  if (header === undefined || header.trim() === '*') return undefined;
  const match = /^\s*(?:W\/)?"?(\d{1,9})"?\s*$/.exec(header);
  if (!match) throw new HttpError(412, 'precondition', 'errors.precondition');
  return Number(match[1]);
}

/**
 * Runs a POST once per Idempotency-Key: a retry with the same key and request gets the first answer
 * (with Idempotency-Replayed: true); a failure gives the key back. Without the header the work just runs.
 */
export async function idempotent(
  db: Db,
  request: FastifyRequest,
  reply: FastifyReply,
  work: () => Promise<{ status: number; body: unknown } | Refusal>,
) {
  const header = request.headers['idempotency-key'];
  const key = typeof header === 'string' ? header : undefined;
  const clientId = request.apiClient!.id;
  if (key) {
    const replay = await claimKey(
      db,
      clientId,
      key,
      `${request.method} ${request.url}\n${JSON.stringify(request.body)}`,
    );
    if (replay) return reply.code(replay.status).header('idempotency-replayed', 'true').send(replay.body);
  }
  try {
    const answer = await work();
    if ('problems' in answer) {
      // Nothing was done, so the key is free for a corrected retry.
      if (key) await releaseKey(db, clientId, key);
      return refused(request, reply, answer);
    }
    if (key) await rememberAnswer(db, clientId, key, answer.status, answer.body);
    return reply.code(answer.status).send(answer.body);
  } catch (error) {
    if (key) await releaseKey(db, clientId, key);
    throw error;
  }
}

/** The Idempotency-Key header, as the OpenAPI document describes it. */
export const idempotencyHeaders = {
  type: 'object',
  properties: { 'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 } },
} as const;

export const ifMatchHeaders = {
  type: 'object',
  properties: {
    'idempotency-key': { type: 'string', minLength: 1, maxLength: 200 },
    'if-match': { type: 'string', maxLength: 40, description: 'The case version (its ETag); 412 when it changed' },
  },
} as const;
