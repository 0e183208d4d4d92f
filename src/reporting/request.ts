// What every reporting route reads from a request or sends back: codes, years, receipts, workbooks, and
// the rule that an agency names a reporting contact before anything else.
import type { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/index.js';
import { contentDisposition } from '../attachments/files.js';
import { osloDay } from '../sla/calendar.js';
import { hasContact } from './service.js';

export const codeString = { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,39}$' } as const;
export const periodString = { type: 'string', pattern: '^[0-9]{4}(-(0[1-9]|1[0-2]|B[1-6]|Q[1-4]))?$' } as const;
export const yearQuery = {
  type: 'object',
  properties: { year: { type: 'string', pattern: '^20[0-9]{2}$' } },
} as const;
export const receiptParams = {
  type: 'object',
  required: ['receipt'],
  properties: { receipt: { type: 'string', pattern: '^IR-[0-9]{4}-[0-9]{6,}$' } },
} as const;

export function yearOf(query: { year?: string }): number {
  return query.year ? Number(query.year) : Number(osloDay(new Date()).slice(0, 4));
}

/** Agencies must name a reporting contact before anything else: the first visit asks for one. */
export async function needsContact(db: Db, viewer: Viewer): Promise<boolean> {
  return viewer.agencyId !== null && !(await hasContact(db, viewer.agencyId));
}

export function sendWorkbook(reply: FastifyReply, filename: string, body: Buffer | Readable) {
  return reply
    .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    .header('content-disposition', contentDisposition(filename))
    .header('cache-control', 'private, no-store')
    .send(body);
}
