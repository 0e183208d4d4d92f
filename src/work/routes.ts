import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/index.js';
import { requirePermission } from '../auth/guards.js';
import { listCases, listChoices, parseListQuery, type ListQuery } from '../cases/list.js';

export async function workRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.get<{ Querystring: ListQuery }>('/work', async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'work.view');
    const { filter, problems } = parseListQuery({ after: request.query.after }, viewer, await listChoices(db));
    if (Object.keys(problems).length > 0) return reply.render({ page: 'work/index', fragment: 'work/_list' }, { cases: [], next: undefined }, 422);
    const page = await listCases(db, viewer, filter);
    return reply.render({ page: 'work/index', fragment: 'work/_list' }, page);
  });
}
