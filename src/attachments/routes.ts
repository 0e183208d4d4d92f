import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/index.js';
import { can, requireViewer } from '../auth/guards.js';
import { notFound } from '../web/errors.js';
import { contentDisposition } from './files.js';
import { attachmentBytes, findAttachment } from './queries.js';

export async function attachmentRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.get<{ Params: { number: string; id: string } }>('/cases/:number/attachments/:id', async (request, reply) => {
    const viewer = requireViewer(request.viewer);
    const id = Number(request.params.id);
    if (!/^\d{4}-\d{6,}$/.test(request.params.number) || !Number.isSafeInteger(id) || id <= 0) throw notFound();
    const file = await findAttachment(db, viewer, request.params.number, id);
    if (!file) throw notFound();
    // Centre staff reading a customer's file is recorded; the agency can see who did.
    if (can(viewer, 'work.view'))
      await request.audit(db, {
        action: 'attachment.download',
        objectType: 'attachment',
        objectId: file.id,
        agencyId: file.agency_id,
        details: { case: request.params.number, filename: file.filename },
      });
    return reply
      .header('content-type', file.content_type)
      .header('content-length', String(file.size_bytes))
      .header('content-disposition', contentDisposition(file.filename))
      .header('x-content-type-options', 'nosniff')
      .header('cache-control', 'private, no-store')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .send(Readable.from(attachmentBytes(db, file.id, file.size_bytes)));
  });
}
