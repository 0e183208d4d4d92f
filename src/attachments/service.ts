// Reading a file is an action too: centre staff reading a customer's file is recorded in the audit
// trail, so the agency can see who did.
import type { Audit } from '../audit/log.js';
import { can } from '../auth/guards.js';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/index.js';
import { notFound } from '../web/errors.js';
import { findAttachment } from './queries.js';

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
