// Periodic-report deliveries for the API (reporting:read): receipts with their figures, never the file
// itself; an agency's client sees its own agency's.
import type { FastifyInstance } from 'fastify';
import { problemSchema } from './schemas.js';
import type { ApiContext } from './http.js';
import { reportDeliveries } from './queries.js';

const when = { type: 'string', format: 'date-time' } as const;

const deliveryListSchema = {
  type: 'object',
  properties: {
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          receipt: { type: 'string' },
          type: { type: 'string' },
          period: { type: 'string', description: '2026-03, 2026-B2, 2026-Q1 or 2026' },
          version: { type: 'integer', description: '1 for the first delivery; a correction is the next' },
          agency: { type: 'string' },
          agency_org_number: { type: 'string' },
          channel: { type: 'string', enum: ['file', 'web'] },
          row_count: { type: 'integer' },
          control_sums: { type: 'object', additionalProperties: true },
          delivered_at: when,
          replaced_at: { type: ['string', 'null'], format: 'date-time' },
        },
        required: ['receipt', 'type', 'period', 'version', 'agency', 'row_count', 'delivered_at'],
      },
    },
    next: { type: ['string', 'null'], description: 'Pass as `after` for the next page; null on the last' },
  },
  required: ['items', 'next'],
} as const;

export async function deliveryRoutes(app: FastifyInstance, { db, acting, rateLimit }: ApiContext) {
  app.get<{ Querystring: { type?: string; period?: string; after?: string; limit?: number } }>(
    '/reporting/deliveries',
    {
      config: { rateLimit },
      schema: {
        tags: ['reporting'],
        summary: 'Periodic-report deliveries (receipts and figures), newest first',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            type: { type: 'string', maxLength: 40, description: 'A report type’s code' },
            period: { type: 'string', pattern: '^[0-9]{4}(-(0[1-9]|1[0-2]|B[1-6]|Q[1-4]))?$' },
            after: { type: 'string', pattern: '^[1-9][0-9]{0,17}$', description: 'The `next` of the previous page' },
            limit: { type: 'integer', minimum: 1, maximum: 200, default: 50 },
          },
        },
        response: { 200: deliveryListSchema, '4xx': problemSchema },
      },
    },
    async (request) => {
      acting(request, 'reporting:read');
      const { type, period, after, limit = 50 } = request.query;
      const { rows, next } = await reportDeliveries(db, request.apiClient!, {
        type,
        period,
        after: after === undefined ? undefined : Number(after),
        limit,
      });
      return { items: rows, next };
    },
  );
}
