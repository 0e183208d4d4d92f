import { sql } from 'kysely';
import { preparedMark, type Db } from '../db/index.js';
import type { Viewer } from '../auth/viewer.js';
import { hidesInternalNotes, notAnInternalNote, visibleCases } from '../cases/visibility.js';

export async function caseAttachmentBytes(db: Db, caseId: number): Promise<number> {
  const row = await db
    .selectFrom('attachments')
    .select((eb) => eb.fn.coalesce(eb.fn.sum<number>('size_bytes'), sql<number>`0`).as('total'))
    .where('case_id', '=', caseId)
    .executeTakeFirstOrThrow();
  return Number(row.total);
}

/** Metadata of a case's files, as the viewer may see them. Call only with a case found through visibleCases. */
export async function attachmentsOfCase(db: Db, viewer: Viewer, caseId: number) {
  return db
    .selectFrom('attachments')
    .leftJoin('case_events', 'case_events.id', 'attachments.event_id')
    .select([
      'attachments.id',
      'attachments.event_id',
      'attachments.form_field',
      'attachments.filename',
      'attachments.content_type',
      'attachments.size_bytes',
      'attachments.created_at',
    ])
    .where('attachments.case_id', '=', caseId)
    .orderBy('attachments.id')
    .$if(hidesInternalNotes(viewer), (query) => query.where(notAnInternalNote))
    .modifyEnd(preparedMark)
    .execute();
}

/**
 * An attachment is reachable only through a case the viewer may see, and a file on an internal note
 * only by those who may read internal notes; anything else is not found.
 */
export async function findAttachment(db: Db, viewer: Viewer, caseNumber: string, attachmentId: number) {
  return visibleCases(db, viewer)
    .innerJoin('attachments', 'attachments.case_id', 'cases.id')
    .leftJoin('case_events', 'case_events.id', 'attachments.event_id')
    .select([
      'attachments.id',
      'attachments.filename',
      'attachments.content_type',
      'attachments.size_bytes',
      'attachments.sha256',
      'cases.agency_id',
    ])
    .where('cases.number', '=', caseNumber)
    .where('attachments.id', '=', attachmentId)
    .$if(hidesInternalNotes(viewer), (query) => query.where(notAnInternalNote))
    .executeTakeFirst();
}

/**
 * Streams the bytes slice by slice, as they were stored (see spool.ts): one slice in memory at a time.
 * It stops at `size`, so the response ends with its last byte and not one query later.
 */
export async function* attachmentBytes(db: Db, attachmentId: number, size: number): AsyncGenerator<Buffer> {
  for (let seq = 0, sent = 0; sent < size; seq += 1) {
    const row = await db
      .selectFrom('attachment_chunks')
      .select('data')
      .where('attachment_id', '=', attachmentId)
      .where('seq', '=', seq)
      .executeTakeFirst();
    if (!row) return;
    sent += row.data.length;
    yield row.data;
  }
}
