import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/index.js';
import { requirePermission } from '../auth/guards.js';
import { activeAreas } from '../cases/queries.js';
import { listCases, parseListQuery, type ListQuery } from '../cases/list.js';

export async function workRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.get<{ Querystring: ListQuery }>('/work', async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'work.view');
    const areas = await activeAreas(db);
    const { filter, problems } = parseListQuery({ after: request.query.after }, viewer, areas.map((a) => a.code));
    if (Object.keys(problems).length > 0) return reply.render({ page: 'work/index', fragment: 'work/_list' }, { cases: [], next: undefined }, 422);
    const page = await listCases(db, viewer, filter);
    return reply.render({ page: 'work/index', fragment: 'work/_list' }, page);
  });
}
