import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/index.js';
import { HttpError } from '../web/errors.js';
import { safeReturnPath } from '../web/render.js';
import type { OidcClient } from './oidc.js';
import { endSession, provisionUser, startSession } from './provision.js';

export async function authRoutes(app: FastifyInstance, { db, oidc, publicUrl }: { db: Db; oidc: OidcClient; publicUrl: URL }) {
  app.get<{ Querystring: { returnTo?: string } }>('/login', async (request, reply) => {
    const returnTo = safeReturnPath(request.query.returnTo, '/cases');
    if (request.viewer) return reply.redirect(returnTo, 303);
    let started;
    try {
      started = await oidc.startLogin(returnTo, request.language);
    } catch (error) {
      request.log.error({ err: error }, 'identity provider unreachable');
      throw new HttpError(503, 'idp_unavailable');
    }
    request.session.set('login', started.transaction);
    return reply.redirect(started.url.href, 302);
  });

  app.get('/auth/callback', async (request, reply) => {
    const transaction = request.session.get('login');
    if (!transaction) throw new HttpError(400, 'login_expired');
    request.session.set('login', undefined);
    const callbackUrl = new URL(request.url, publicUrl.origin);
    let identity;
    try {
      identity = await oidc.finishLogin(callbackUrl, transaction);
    } catch (error) {
      request.log.warn({ err: { message: (error as Error).message, code: (error as { code?: string }).code } }, 'login rejected');
      throw new HttpError(400, 'login_failed');
    }
    const result = await provisionUser(db, identity);
    if ('refused' in result) throw new HttpError(403, result.refused, `errors.${result.refused}`);
    // A fresh session and CSRF secret at every login, so nothing from before the login carries over.
    const language = request.session.get('lang');
    request.session.regenerate();
    request.session.set('sid', await startSession(db, result.userId));
    if (identity.idToken) request.session.set('idToken', identity.idToken);
    if (language) request.session.set('lang', language);
    request.log.info({ userId: result.userId }, 'logged in');
    return reply.redirect(safeReturnPath(transaction.returnTo, '/cases'), 303);
  });

  app.post('/logout', async (request, reply) => {
    const sid = request.session.get('sid');
    const idToken = request.session.get('idToken');
    if (sid) await endSession(db, sid);
    request.session.delete();
    const providerLogout = await oidc.logoutUrl(idToken, request.language);
    return reply.redirect(providerLogout?.href ?? '/', 303);
  });
}
