// Held mail: mail that claims a customer or a case without a verified sender. A caseworker reads it
// (the raw message is kept) and releases it into the case it names or into a new case, or discards it;
// either way with a reason, in the audit trail.
import { sql } from 'kysely';
import type { Audit } from '../audit/log.js';
import { requirePermission } from '../auth/guards.js';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/index.js';
import { notFound } from '../web/errors.js';
import { cleanText, type Problems } from '../web/input.js';
import { inboundColumns, processOne, type InboundSettings, type Release } from './inbound.js';

export interface Decision {
  reason: string;
}

function checkReason(value: unknown): { reason: string; problems: Problems } {
  const reason = cleanText(value, true).slice(0, 1000);
  return { reason, problems: reason === '' ? { reason: { key: 'work.mail.errors.reason' } } : {} };
}

/** Lets a held mail through as if its sender were verified; answers what became of it. */
export async function releaseHeldMail(
  db: Db,
  viewer: Viewer,
  id: number,
  input: { reason: unknown; into: Release['into'] },
  settings: InboundSettings,
  audit: Audit,
): Promise<{ problems: Problems } | { status: string; caseNumber: string | null }> {
  requirePermission(viewer, 'work.view');
  const { reason, problems } = checkReason(input.reason);
  if (reason === '') return { problems };
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('inbound_mail')
      .select([...inboundColumns])
      .where('id', '=', id)
      .where('status', '=', 'held')
      .forUpdate()
      .executeTakeFirst();
    if (!row) throw notFound();
    await trx
      .updateTable('inbound_mail')
      .set({ decided_by: viewer.userId, decided_at: sql`now()`, decision_reason: reason })
      .where('id', '=', id)
      .execute();
    await processOne(trx, row, settings, { into: input.into });
    const after = await trx
      .selectFrom('inbound_mail')
      .leftJoin('cases', 'cases.id', 'inbound_mail.case_id')
      .select(['inbound_mail.status', 'cases.number', 'cases.agency_id'])
      .where('inbound_mail.id', '=', id)
      .executeTakeFirstOrThrow();
    await audit(trx, {
      action: 'mail.release',
      objectType: 'inbound_mail',
      objectId: id,
      agencyId: after.agency_id,
      details: { reason, into: input.into, case: after.number, status: after.status },
    });
    return { status: after.status, caseNumber: after.number };
  });
}

/** Discards a held mail: nothing is added anywhere; the raw message stays for the record. */
export async function discardHeldMail(
  db: Db,
  viewer: Viewer,
  id: number,
  input: { reason: unknown },
  audit: Audit,
): Promise<{ problems: Problems } | { status: 'discarded' }> {
  requirePermission(viewer, 'work.view');
  const { reason, problems } = checkReason(input.reason);
  if (reason === '') return { problems };
  return db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('inbound_mail')
      .set({
        status: 'discarded',
        decided_by: viewer.userId,
        decided_at: sql`now()`,
        decision_reason: reason,
        processed_at: sql`now()`,
      })
      .where('id', '=', id)
      .where('status', '=', 'held')
      .returning('id')
      .executeTakeFirst();
    if (!updated) throw notFound();
    await audit(trx, { action: 'mail.discard', objectType: 'inbound_mail', objectId: id, details: { reason } });
    return { status: 'discarded' as const };
  });
}
