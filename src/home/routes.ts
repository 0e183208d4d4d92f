import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/index.js';
import { activeAreas } from '../cases/queries.js';

export async function homeRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.get('/', async (_request, reply) => reply.render({ page: 'home/index' }, { areas: await activeAreas(db) }));
}
