import { anonymousLimit, idOf } from '../web/input.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Db } from '../db/index.js';
import type { Config } from '../config.js';
import { HttpError } from '../web/errors.js';
import { safeReturnPath } from '../web/render.js';
import type { Identity, OidcClient } from './oidc.js';
import { endSession, provisionUser, rolesOf, startSession } from './provision.js';
import {
  pendingRegistration,
  register,
  registrationAgencies,
  registrationLifetimeMs,
  registrationOpen,
  type PendingRegistration,
} from './registration.js';
import { meetsLevel, requiredLevel } from './strength.js';

export async function authRoutes(
  app: FastifyInstance,
  { db, oidc, config }: { db: Db; oidc: OidcClient; config: Config },
) {
  const publicUrl = config.publicUrl;

  const startLogin = async (request: FastifyRequest, returnTo: string, acrValues?: string) => {
    let started;
    try {
      started = await oidc.startLogin(returnTo, request.language, acrValues ? { acrValues } : {});
    } catch (error) {
      request.log.error({ err: error }, 'identity provider unreachable');
      throw new HttpError(503, 'idp_unavailable');
    }
    request.session.set('login', started.transaction);
    return started.url.href;
  };

  /** A fresh session and CSRF secret at every login, so nothing from before the login carries over. */
  const signIn = async (
    request: FastifyRequest,
    userId: number,
    identity: Pick<Identity, 'acr' | 'amr' | 'idToken'>,
  ) => {
    const language = request.session.get('lang');
    request.session.regenerate();
    request.session.set('sid', await startSession(db, userId, identity));
    if (identity.idToken) request.session.set('idToken', identity.idToken);
    if (language) request.session.set('lang', language);
    request.log.info({ userId, acr: identity.acr }, 'logged in');
  };

  app.get<{ Querystring: { returnTo?: string } }>('/login', { config: anonymousLimit(60) }, async (request, reply) => {
    const returnTo = safeReturnPath(request.query.returnTo, '/cases');
    if (request.viewer) return reply.redirect(returnTo, 303);
    return reply.redirect(await startLogin(request, returnTo), 302);
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
      request.log.warn(
        { err: { message: (error as Error).message, code: (error as { code?: string }).code } },
        'login rejected',
      );
      throw new HttpError(400, 'login_failed');
    }
    // The level the user's roles need (a customer's for someone not yet known). A weaker login goes
    // back to the provider once, asking for the level; if it still falls short, it is refused.
    const required = requiredLevel(await rolesOf(db, identity), config.loginLevels);
    if (!meetsLevel(identity, required)) {
      if (required !== null && transaction.acrValues !== required) {
        request.log.info({ acr: identity.acr, required }, 'login below the required level: step-up');
        return reply.redirect(await startLogin(request, transaction.returnTo, required), 302);
      }
      request.log.warn({ acr: identity.acr, amr: identity.amr, required }, 'login refused: too weak after step-up');
      throw new HttpError(403, 'login_too_weak');
    }
    const result = await provisionUser(db, identity);
    if ('refused' in result) {
      if (result.refused === 'no_access' && identity.email && (await registrationOpen(db, identity.email))) {
        request.session.set(
          'registration',
          pendingRegistration({ ...identity, email: identity.email }, transaction.returnTo),
        );
        return reply.redirect('/register', 303);
      }
      throw new HttpError(403, result.refused, `errors.${result.refused}`);
    }
    await signIn(request, result.userId, identity);
    return reply.redirect(safeReturnPath(transaction.returnTo, '/cases'), 303);
  });

  /** The registration the provider vouched for in the last 15 minutes, or a trip back to the login. */
  const pending = (request: FastifyRequest): PendingRegistration => {
    const found = request.session.get('registration');
    if (!found || Date.now() - found.at > registrationLifetimeMs) throw new HttpError(400, 'login_expired');
    return found;
  };

  const registrationPage = async (
    request: FastifyRequest,
    reply: import('fastify').FastifyReply,
    problem?: string,
    status = 200,
  ) => {
    const registration = pending(request);
    const agencies = await registrationAgencies(db, registration.email);
    return reply.render(
      { page: 'auth/register' },
      { registration, ...agencies, problem, chosen: (request.body as { agency?: string } | undefined)?.agency ?? '' },
      status,
    );
  };

  app.get('/register', async (request, reply) => registrationPage(request, reply));

  app.post<{ Body: { agency?: string } }>(
    '/register',
    {
      schema: { body: { type: 'object', properties: { agency: { type: 'string', maxLength: 20 } } } },
      config: anonymousLimit(10),
    },
    async (request, reply) => {
      const registration = pending(request);
      const agencyId = idOf(request.body?.agency);
      const audit = request.auditAs({
        userId: null,
        name: `${registration.name} <${registration.email}>`,
        ip: request.ip,
      });
      const result = await register(db, audit, registration, agencyId);
      if ('refused' in result) return registrationPage(request, reply, result.refused, 422);
      await signIn(request, result.userId, registration);
      request.session.set('flash', 'register.done');
      return reply.redirect(safeReturnPath(registration.returnTo, '/cases'), 303);
    },
  );

  app.post('/logout', async (request, reply) => {
    const sid = request.session.get('sid');
    const idToken = request.session.get('idToken');
    if (sid) await endSession(db, sid);
    request.session.delete();
    const providerLogout = await oidc.logoutUrl(idToken, request.language);
    return reply.redirect(providerLogout?.href ?? '/', 303);
  });
}
