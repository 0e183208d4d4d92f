import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/index.js';
import { formCatalogue } from '../forms/queries.js';

export async function homeRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.get('/', async (request, reply) => reply.render({ page: 'home/index' }, { catalogue: await formCatalogue(db, request.viewer) }));
}
