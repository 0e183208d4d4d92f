// Session cookie, viewer and language per request, CSRF on every state-changing request.
import { hkdfSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import secureSession from '@fastify/secure-session';
import csrf from '@fastify/csrf-protection';
import type { Db } from '../db/index.js';
import { permissions, type Action } from './guards.js';
import { loadViewer, type SessionLimits } from './viewer.js';
import { KeptViewers } from './kept-viewers.js';
import { defaultLanguage, isLanguage, languageFromHeader, translator } from '../web/i18n.js';

export interface SessionOptions {
  db: Db;
  secret: string;
  secureCookies: boolean;
  limits?: SessionLimits;
}

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
// The API authenticates by bearer token only: a browser's session cookie never acts there.
const skipViewer = /^\/(static\/|api\/|healthz$|readyz$|favicon\.ico$)/;
// What a consultant may reach before accepting the consent declaration: the declaration itself, leaving,
// the language, and the pages about the service.
const beforeConsent = /^\/(consent|logout|language|accessibility|contact)$/;

/**
 * The cookie's 32-byte key, derived from SESSION_SECRET with HKDF-SHA256. The secret is random and at
 * least 32 bytes (config.ts), so a password hash adds nothing: secure-session's own derivation from a
 * `secret` (Argon2id, 256 MB) cost close to a second and a quarter of a gigabyte at every start.
 */
export function sessionKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'kundesenter.sess', 'session cookie key', 32));
}

export const sessionPlugin = fp(async (app: FastifyInstance, options: SessionOptions) => {
  await app.register(secureSession, {
    cookieName: 'ks_session',
    key: sessionKey(options.secret),
    cookie: { path: '/', httpOnly: true, sameSite: 'lax', secure: options.secureCookies },
  });
  await app.register(csrf, {
    sessionPlugin: '@fastify/secure-session',
    // A form's hidden field; for uploads the form's action URL carries it, so the token is checked
    // before any file is read (see src/attachments/multipart.ts); scripts may send a header.
    getToken: (request) => {
      const field = (source: unknown) =>
        typeof (source as { _csrf?: unknown } | undefined)?._csrf === 'string'
          ? (source as { _csrf: string })._csrf
          : undefined;
      const header = request.headers['x-csrf-token'];
      return field(request.body) ?? field(request.query) ?? (typeof header === 'string' ? header : undefined);
    },
  });

  // Each request's viewer is kept for the session's next while nothing it shows can have changed.
  const kept = new KeptViewers(options.db);
  app.addHook('onClose', async () => kept.close());

  app.decorateRequest('viewer', null);
  app.decorateRequest('language', defaultLanguage);
  app.decorateRequest('t', translator(defaultLanguage));
  // Templates ask what the viewer may do through this, so the web layer needs no rules of its own.
  app.decorateRequest('can', null as unknown as (action: Action) => boolean);

  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    if (!skipViewer.test(path)) {
      const sid = request.session.get('sid');
      request.viewer = sid ? await loadViewer(options.db, sid, options.limits, kept) : null;
      if (sid && !request.viewer) request.session.set('sid', undefined);
    }
    const chosen = request.viewer?.language ?? request.session.get('lang');
    request.language = isLanguage(chosen) ? chosen : languageFromHeader(request.headers['accept-language']);
    request.t = translator(request.language);
    request.can = permissions(request.viewer);
    // A consultant accepts the consent declaration before anything else (and again when its text changes).
    if (request.viewer?.consentPending && !beforeConsent.test(path)) return reply.redirect('/consent', 303);
  });

  app.addHook('preHandler', (request, reply, done) => {
    // The API takes no cookies (see skipViewer), so a forged cross-site request has nothing to ride on.
    if (!unsafeMethods.has(request.method) || request.url.startsWith('/api/')) return done();
    app.csrfProtection(request, reply, done);
  });
});
