import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { requireViewer } from '../auth/guards.js';
import type { Db } from '../db/index.js';
import { caseNumberString, idString } from '../web/input.js';
import { contentDisposition } from './files.js';
import { attachmentBytes } from './queries.js';
import { readAttachment } from './service.js';

const params = {
  type: 'object',
  required: ['number', 'id'],
  properties: { number: caseNumberString, id: idString },
} as const;

export async function attachmentRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.get<{ Params: { number: string; id: string } }>(
    '/cases/:number/attachments/:id',
    { schema: { params } },
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      const { number, id } = request.params;
      const file = await readAttachment(db, viewer, number, Number(id), request.audit);
      return reply
        .header('content-type', file.content_type)
        .header('content-length', String(file.size_bytes))
        .header('content-disposition', contentDisposition(file.filename))
        .header('x-content-type-options', 'nosniff')
        .header('cache-control', 'private, no-store')
        .header('content-security-policy', "default-src 'none'; sandbox")
        .send(Readable.from(attachmentBytes(db, file.id, file.size_bytes)));
    },
  );
}
