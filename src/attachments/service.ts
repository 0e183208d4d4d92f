// Verbs on files: storing checked uploads with the case or message they belong to, and reading one,
// which is an action too: centre staff reading a customer's file is recorded in the audit trail.
import type { Audit } from '../audit/log.js';
import { can } from '../auth/guards.js';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/index.js';
import { notFound } from '../web/errors.js';
import { findAttachment } from './queries.js';
import type { CheckedFile } from './files.js';
import { writeChunks } from './spool.js';

/** The file's metadata when the viewer may read it (404 otherwise); a staff read is recorded. */
export async function readAttachment(db: Db, viewer: Viewer, caseNumber: string, attachmentId: number, audit: Audit) {
  const file = await findAttachment(db, viewer, caseNumber, attachmentId);
  if (!file) throw notFound();
  if (can(viewer, 'work.view'))
    await audit(db, {
      action: 'attachment.download',
      objectType: 'attachment',
      objectId: file.id,
      agencyId: file.agency_id,
      details: { case: caseNumber, filename: file.filename },
    });
  return file;
}

/** Writes files in the caller's transaction, so a case or message and its files commit together. */
export async function storeAttachments(
  db: Db,
  target: { caseId: number; eventId: number; userId: number | null },
  files: readonly CheckedFile[],
) {
  for (const file of files) {
    const { id } = await db
      .insertInto('attachments')
      .values({
        case_id: target.caseId,
        event_id: target.eventId,
        form_field: file.field === 'attachments' ? null : file.field.replace(/^f_/, ''),
        filename: file.filename,
        content_type: file.contentType,
        size_bytes: file.size,
        sha256: file.sha256,
        uploaded_by: target.userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // Slice by slice from disk (or memory, for mail): no file is ever whole in memory.
    await writeChunks(file.source, (seq, data) =>
      db.insertInto('attachment_chunks').values({ attachment_id: id, seq, data }).execute(),
    );
  }
}
