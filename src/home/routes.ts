import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/index.js';
import { formCatalogue } from '../forms/queries.js';
import { activeNews, faq } from '../kb/queries.js';

export async function homeRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.get('/', async (request, reply) => {
    const [catalogue, news, questions] = await Promise.all([
      formCatalogue(db, request.viewer),
      activeNews(db),
      faq(db, request.viewer),
    ]);
    return reply.render({ page: 'home/index' }, { catalogue, news, questions });
  });
}
