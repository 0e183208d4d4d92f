import type { FastifyInstance } from 'fastify';
import { requireViewer } from '../auth/guards.js';
import type { Db } from '../db/index.js';
import { caseNumberString, idString } from '../web/input.js';
import { sendAttachment } from './download.js';
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
      return sendAttachment(reply, db, file);
    },
  );
}
