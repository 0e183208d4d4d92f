import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/index.js';
import { requirePermission } from '../auth/guards.js';
import { decodeCursor, listCases } from '../cases/queries.js';

export async function workRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.get<{ Querystring: { after?: string } }>(
    '/work',
    { schema: { querystring: { type: 'object', properties: { after: { type: 'string', maxLength: 200 } } } } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'work.view');
      const page = await listCases(db, viewer, { mine: false, after: decodeCursor(request.query.after) });
      return reply.render({ page: 'work/index', fragment: 'work/_list' }, page);
    },
  );
}
