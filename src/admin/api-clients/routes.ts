// /admin/api-clients: the integration API's clients. A new client's token, and a rotated one, are shown
// once on the answer to the form (never stored in the clear, never in a URL); revoking ends every token.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requirePermission } from '../../auth/guards.js';
import type { Db } from '../../db/index.js';
import { notFound } from '../../web/errors.js';
import { cleanText, idOf, idParams, type Problems } from '../../web/input.js';
import { apiScopes, clientList, createClient, revokeClient, rotateToken, type ApiScope } from '../../api/clients.js';
import { agencyChoices } from '../reporting/queries.js';

type Body = Record<string, unknown>;

export async function apiClientRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const page = async (reply: FastifyReply, extra: Record<string, unknown> = {}, status = 200) => {
    const [clients, agencies] = await Promise.all([clientList(db), agencyChoices(db)]);
    return reply.render(
      { page: 'admin/api-clients' },
      { clients, agencies, apiScopes, values: {}, problems: {}, ...extra },
      status,
    );
  };

  app.get('/admin/api-clients', async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    return page(reply);
  });

  app.post<{ Body: Body }>('/admin/api-clients', async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'admin.view');
    const body = request.body ?? {};
    const values = {
      name: cleanText(body.name, false).slice(0, 201),
      owner: cleanText(body.owner, false).slice(0, 201),
      reach: body.reach === 'agency' ? ('agency' as const) : body.reach === 'centre' ? ('centre' as const) : undefined,
      agency: cleanText(body.agency, false).slice(0, 20),
      scopes: [body.scopes ?? []].flat().filter((s): s is ApiScope => (apiScopes as readonly unknown[]).includes(s)),
    };
    const agencies = await agencyChoices(db);
    const agencyId = idOf(values.agency);
    const problems: Problems = {};
    if (values.name.length < 2 || values.name.length > 200) problems.name = { key: 'admin.apiClients.errors.name' };
    if (values.owner.length < 2 || values.owner.length > 200) problems.owner = { key: 'admin.apiClients.errors.owner' };
    if (!values.reach) problems.reach = { key: 'admin.apiClients.errors.reach' };
    if (values.reach === 'agency' && !agencies.some((a) => a.id === agencyId))
      problems.agency = { key: 'admin.apiClients.errors.agency' };
    if (Object.keys(problems).length > 0 || !values.reach) return page(reply, { values, problems }, 422);
    const created = await createClient(
      db,
      request.audit,
      {
        name: values.name,
        owner: values.owner,
        reach: values.reach,
        agencyId: values.reach === 'agency' ? agencyId! : null,
        scopes: values.scopes,
      },
      viewer.userId,
    );
    return page(reply, { token: { client: values.name, value: created.token } });
  });

  app.post<{ Params: { id: string }; Body: Body }>(
    '/admin/api-clients/:id/rotation',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const client = (await clientList(db)).find((c) => c.id === Number(request.params.id) && !c.revoked_at);
      if (!client) throw notFound();
      const token = await rotateToken(db, request.audit, client.id);
      return page(reply, { token: { client: client.name, value: token, rotated: true } });
    },
  );

  app.post<{ Params: { id: string }; Body: Body }>(
    '/admin/api-clients/:id/revocation',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const client = (await clientList(db)).find((c) => c.id === Number(request.params.id) && !c.revoked_at);
      if (!client) throw notFound();
      await revokeClient(db, request.audit, client.id);
      request.session.set('flash', 'admin.apiClients.revoked');
      return reply.redirect('/admin/api-clients', 303);
    },
  );
}
