// /api/docs: the API's reference, read from the generated OpenAPI document and rendered by us, from our
// own origin and under our Content-Security-Policy (no viewer script from a CDN).
import type { FastifyInstance } from 'fastify';

interface Operation {
  summary?: string;
  parameters?: { name: string; in: string; required?: boolean; description?: string; schema?: { type?: unknown } }[];
  responses?: Record<string, { description?: string }>;
}

export async function apiDocsRoutes(app: FastifyInstance) {
  app.get('/api/docs', async (_request, reply) => {
    const answer = await app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    const document = answer.json() as {
      info: { title: string; version: string };
      paths: Record<string, Record<string, Operation>>;
    };
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({ path, method: method.toUpperCase(), ...operation })),
    );
    return reply.render({ page: 'api/docs' }, { document, operations });
  });
}
