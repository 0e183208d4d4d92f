// A stored file as the answer to a request (a case's file on the pages and in the API, a report
// delivery's file): its stored type, a safe download name, never sniffed or cached, and sandboxed
// should a browser open it.
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { Db } from '../db/index.js';
import { contentDisposition } from './files.js';
import { attachmentBytes } from './queries.js';

export function sendFile(
  reply: FastifyReply,
  file: { filename: string; content_type: string; size_bytes: number | string },
  bytes: AsyncIterable<Buffer>,
) {
  return reply
    .header('content-type', file.content_type)
    .header('content-length', String(file.size_bytes))
    .header('content-disposition', contentDisposition(file.filename))
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, no-store')
    .header('content-security-policy', "default-src 'none'; sandbox")
    .send(Readable.from(bytes));
}

export function sendAttachment(
  reply: FastifyReply,
  db: Db,
  file: { id: number; filename: string; content_type: string; size_bytes: number | string },
) {
  return sendFile(reply, file, attachmentBytes(db, file.id, Number(file.size_bytes)));
}
