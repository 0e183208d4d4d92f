// Reading the audit trail: the admins' search, and an agency's view of who at the centre read its cases.
import type { Db } from '../db/index.js';
import type { AuditAction } from './log.js';
import { endOfOsloDay, startOfOsloDay } from '../sla/calendar.js';

export interface AuditFilter {
  /** Part of the actor's name. */
  actor: string;
  action: AuditAction | '';
  /** A case number, user id or other object id, exactly. */
  object: string;
  from: string;
  to: string;
  /** Keyset: entries before this one. */
  before: number | undefined;
}

const pageSize = 100;

const escapeLike = (value: string) => value.replace(/[\\%_]/g, (c) => `\\${c}`);

export async function searchAudit(db: Db, filter: AuditFilter) {
  let query = db
    .selectFrom('audit_log')
    .select(['id', 'at', 'actor_name', 'action', 'object_type', 'object_id', 'ip', 'details'])
    .orderBy('id', 'desc')
    .limit(pageSize + 1);
  if (filter.actor) query = query.where('actor_name', 'ilike', `%${escapeLike(filter.actor)}%`);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.object) query = query.where('object_id', '=', filter.object);
  if (filter.from) query = query.where('at', '>=', startOfOsloDay(filter.from));
  if (filter.to) query = query.where('at', '<', endOfOsloDay(filter.to));
  if (filter.before !== undefined) query = query.where('id', '<', filter.before);
  const rows = await query.execute();
  return { rows: rows.slice(0, pageSize), next: rows.length > pageSize ? rows[pageSize - 1]!.id : undefined };
}

/** Reads of an agency's cases and files by centre staff, newest first. */
export async function centreReadsOf(db: Db, agencyId: number, before: number | undefined) {
  let query = db
    .selectFrom('audit_log')
    .select(['id', 'at', 'actor_name', 'action', 'object_id', 'details'])
    .where('agency_id', '=', agencyId)
    .where('action', 'in', ['case.read', 'attachment.download'])
    .orderBy('id', 'desc')
    .limit(pageSize + 1);
  if (before !== undefined) query = query.where('id', '<', before);
  const rows = await query.execute();
  return { rows: rows.slice(0, pageSize), next: rows.length > pageSize ? rows[pageSize - 1]!.id : undefined };
}
