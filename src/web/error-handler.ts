// One error handler: translated page or fragment, logged with request context, no internals for 5xx.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { isDatabaseUnavailable } from '../db/index.js';
import { HttpError } from './errors.js';
import { carriesNul } from './input.js';

/** What a 503 tells browsers and load balancers: the database usually returns within seconds. */
const retryAfterSeconds = 5;

const csrfCodes = new Set(['FST_CSRF_INVALID_TOKEN', 'FST_CSRF_MISSING_SECRET']);

export function classify(error: FastifyError | HttpError): { status: number; key: string } {
  if (error instanceof HttpError) return { status: error.statusCode, key: error.messageKey };
  if (isDatabaseUnavailable(error)) return { status: 503, key: 'errors.unavailable' };
  // A multipart body that breaks off or does not match its boundary (busboy's words for it).
  if (/^(Multipart: |Unexpected end of (multipart data|form)|Malformed part header)/.test(error.message ?? ''))
    return { status: 400, key: 'errors.bad_multipart' };
  // Text the database cannot store (a NUL that slipped past carriesNul, an invalid byte sequence).
  if ((error as { code?: string }).code === '22021' || (error as { code?: string }).code === '22P05')
    return { status: 400, key: 'errors.bad_request' };
  if (csrfCodes.has(error.code)) return { status: 403, key: 'errors.csrf' };
  if (
    error.code === 'FST_ERR_CTP_BODY_TOO_LARGE' ||
    error.code === 'FST_PARTS_LIMIT' ||
    error.code === 'FST_FIELDS_LIMIT'
  )
    return { status: 413, key: 'errors.too_large' };
  if (error.code === 'FST_FILES_LIMIT') return { status: 413, key: 'errors.too_many_files' };
  // A path that does not fit its parameter schema names nothing: not found, like an id that does not exist.
  if (error.validation && error.validationContext === 'params') return { status: 404, key: 'errors.not_found' };
  if (error.validation || error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || error.code?.startsWith('FST_ERR_CTP')) {
    return { status: 400, key: 'errors.bad_request' };
  }
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return { status: error.statusCode, key: error.statusCode === 404 ? 'errors.not_found' : 'errors.bad_request' };
  }
  return { status: 500, key: 'errors.internal' };
}

export async function renderError(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  key: string,
): Promise<FastifyReply> {
  try {
    return await reply.render({ page: 'errors/page', fragment: 'errors/_error' }, { status, messageKey: key }, status);
  } catch (renderFailure) {
    request.log.error({ err: renderFailure }, 'error page failed to render');
    return reply
      .code(status)
      .type('text/plain; charset=utf-8')
      .send(request.t?.(key) ?? 'Error');
  }
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    if (carriesNul(request.query) || carriesNul(request.params) || carriesNul(request.body))
      return done(new HttpError(400, 'bad_request'));
    done();
  });
  app.setErrorHandler(async (error: FastifyError | HttpError, request, reply) => {
    const { status, key } = classify(error);
    if (status === 401 && request.method === 'GET') {
      const target = `/login?returnTo=${encodeURIComponent(request.url)}`;
      // htmx follows a plain redirect inside the swap; HX-Redirect makes it a full navigation.
      if (request.headers['hx-request'] === 'true') return reply.header('hx-redirect', target).code(204).send();
      return reply.redirect(target, 303);
    }
    if (status === 503) {
      // The database is away, or uploads are full: say when to try again, in one log line per request.
      reply.header('retry-after', String(retryAfterSeconds));
      request.log.warn({ key, err: { message: (error as Error).message } }, 'unavailable');
    } else if (status >= 500) request.log.error({ err: error }, 'request failed');
    else request.log.info({ code: (error as FastifyError).code ?? key, status }, 'request refused');
    return renderError(request, reply, status, key);
  });
  app.setNotFoundHandler(async (request, reply) => renderError(request, reply, 404, 'errors.not_found'));
}
