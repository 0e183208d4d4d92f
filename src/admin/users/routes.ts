// Admin pages for users and roles: search, one user's roles and sessions, grant, revoke, end sessions.
import { grantableRoles, grantRole, revokeRole, type Grant } from '../../auth/roles.js';
import { type Problems, cleanText, idOf, idParams } from '../../web/input.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Db } from '../../db/index.js';
import { areaNames } from '../../forms/queries.js';
import { requirePermission } from '../../auth/guards.js';
import { HttpError, notFound } from '../../web/errors.js';
import { setConsultant } from '../../me/consent.js';
import { peopleQuery } from '../../db/people.js';
import { searchUsers, userDetail } from './queries.js';
import { endSessions, setUserActive } from './service.js';

const text = (value: unknown, max = 500) => cleanText(value, false).trim().slice(0, max);

export async function adminUserRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.get<{ Querystring: { q?: string; page?: string } }>(
    '/admin/users',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { q: { type: 'string', maxLength: 200 }, page: { type: 'string', maxLength: 10 } },
        },
      },
    },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const q = text(request.query.q, 200);
      const found = await searchUsers(db, peopleQuery({ who: q, page: request.query.page }));
      return reply.render({ page: 'admin/users' }, { q, ...found });
    },
  );

  const userPage = async (
    reply: FastifyReply,
    id: number,
    state: {
      values?: Partial<Grant>;
      problems?: Problems;
      revokeProblems?: Problems;
      activeProblems?: Problems;
      consultantProblems?: Problems;
    } = {},
    status = 200,
  ) => {
    const [user, areas] = await Promise.all([userDetail(db, id), areaNames(db)]);
    if (!user) throw notFound();
    return reply.render(
      { page: 'admin/user' },
      {
        user,
        areas,
        roles: grantableRoles,
        values: state.values ?? {},
        problems: state.problems ?? {},
        revokeProblems: state.revokeProblems ?? {},
        activeProblems: state.activeProblems ?? {},
        consultantProblems: state.consultantProblems ?? {},
      },
      status,
    );
  };

  // A consultant acts for exactly one agency and accepts the consent declaration first (src/me/consent.ts).
  app.post<{ Params: { id: string }; Body: { consultant?: string } }>(
    '/admin/users/:id/consultant',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const id = Number(request.params.id);
      const wanted = request.body?.consultant;
      if (wanted !== 'yes' && wanted !== 'no') throw new HttpError(400, 'bad_request');
      const problems = await setConsultant(db, request.audit, id, wanted === 'yes');
      if (!problems) throw notFound();
      if (Object.keys(problems).length > 0) return userPage(reply, id, { consultantProblems: problems }, 422);
      request.session.set('flash', 'admin.saved');
      return reply.redirect(`/admin/users/${id}#kind-heading`, 303);
    },
  );

  app.get<{ Params: { id: string } }>('/admin/users/:id', { schema: { params: idParams } }, async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    return userPage(reply, Number(request.params.id));
  });

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/admin/users/:id/roles',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const id = Number(request.params.id);
      if (!(await userDetail(db, id))) throw notFound();
      const body = request.body ?? {};
      const values: Grant = {
        role: text(body.role, 40),
        agency: text(body.agency, 20),
        area: text(body.area, 20),
        reason: text(body.reason),
      };
      const problems = await grantRole(db, request.audit, id, values);
      if (Object.keys(problems).length > 0) return userPage(reply, id, { values, problems }, 422);
      request.session.set('flash', 'admin.users.granted');
      return reply.redirect(`/admin/users/${id}`, 303);
    },
  );

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/admin/users/:id/roles/removal',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const id = Number(request.params.id);
      const roleId = idOf(text(request.body?.role_id, 20));
      const result =
        roleId === undefined ? undefined : await revokeRole(db, request.audit, id, roleId, text(request.body?.reason));
      if (result === undefined) throw notFound();
      if (Object.keys(result).length > 0) return userPage(reply, id, { revokeProblems: result }, 422);
      request.session.set('flash', 'admin.users.revoked');
      return reply.redirect(`/admin/users/${id}`, 303);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/admin/users/:id/sessions/end',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const id = Number(request.params.id);
      if (!(await userDetail(db, id))) throw notFound();
      const count = await endSessions(db, request.audit, id);
      request.session.set('flash', { key: 'admin.users.sessionsEnded', params: { count: String(count) } });
      return reply.redirect(`/admin/users/${id}`, 303);
    },
  );

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/admin/users/:id/active',
    { schema: { params: idParams } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'admin.view');
      const id = Number(request.params.id);
      const active = request.body?.active === 'true';
      const problems = await setUserActive(db, request.audit, viewer.userId, id, active, text(request.body?.reason));
      if (problems === undefined) throw notFound();
      if (Object.keys(problems).length > 0) return userPage(reply, id, { activeProblems: problems }, 422);
      request.session.set('flash', active ? 'admin.users.reactivated' : 'admin.users.deactivated');
      return reply.redirect(`/admin/users/${id}`, 303);
    },
  );
}
