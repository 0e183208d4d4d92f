// The audit trail: one append-only, hash-chained table. Every entry's hash is an HMAC-SHA256, under
// AUDIT_KEY (which the database never holds), of the previous entry's hash and the entry's own content.
// Entries are written under a transaction-scoped advisory lock, in the caller's transaction, so the
// chain has one order (`seq`) and an entry exists exactly when what it records was committed.
import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import { inTransaction, type Db } from '../db/index.js';

export const auditActions = [
  'case.read',
  'case.status',
  'case.link_customer',
  'attachment.download',
  'cases.export',
  'access.order',
  'role.grant',
  'role.revoke',
  'user.register',
  'mailbox.member',
  'admin.change',
  'report.export',
  'report.subscribe',
  'report.unsubscribe',
  'mail.release',
  'mail.discard',
] as const;
export type AuditAction = (typeof auditActions)[number];

export interface AuditInput {
  action: AuditAction;
  objectType: string;
  objectId?: string | number;
  /** The agency whose data this concerns: that agency's authorised staff see centre reads of it. */
  agencyId?: number | null;
  details?: Record<string, unknown>;
}

export interface AuditActor {
  userId: number | null;
  name: string;
  ip: string;
}

/** Writes audit entries in the transaction given (the one that does what is recorded). */
export type Audit = (db: Db, entry: AuditInput) => Promise<void>;

const genesis = '0'.repeat(64);
// Any fixed number: the lock that puts every writer of the trail in one line.
const chainLock = 727_001;

interface ChainedFields {
  seq: number;
  at: Date;
  actor_id: number | null;
  actor_name: string;
  action: string;
  object_type: string;
  object_id: string;
  agency_id: number | null;
  ip: string;
  details: unknown;
  prev_hash: string;
}

/** JSON with object keys sorted, so the stored jsonb (which reorders keys) hashes the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

export function entryHash(key: string, row: ChainedFields): string {
  const content = [
    row.seq,
    row.at.toISOString(),
    row.actor_id,
    row.actor_name,
    row.action,
    row.object_type,
    row.object_id,
    row.agency_id,
    row.ip,
    canonical(row.details),
    row.prev_hash,
  ];
  return createHmac('sha256', key).update(canonical(content)).digest('hex');
}

export async function appendAudit(db: Db, key: string, actor: AuditActor, entry: AuditInput): Promise<void> {
  await inTransaction(db, async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(${chainLock})`.execute(trx);
    const last = await trx
      .selectFrom('audit_log')
      .select(['seq', 'hash'])
      .orderBy('seq', 'desc')
      .limit(1)
      .executeTakeFirst();
    const row: ChainedFields = {
      seq: (last?.seq ?? 0) + 1,
      // Milliseconds, as JavaScript keeps them, so the stored time hashes the same when read back.
      at: new Date(),
      actor_id: actor.userId,
      actor_name: actor.name,
      action: entry.action,
      object_type: entry.objectType,
      object_id: entry.objectId === undefined ? '' : String(entry.objectId),
      agency_id: entry.agencyId ?? null,
      ip: actor.ip,
      details: entry.details ?? {},
      prev_hash: last?.hash ?? genesis,
    };
    await trx
      .insertInto('audit_log')
      .values({ ...row, details: JSON.stringify(row.details), hash: entryHash(key, row) })
      .execute();
  });
}

/** An Audit bound to who acts and from where. */
export function auditFor(key: string, actor: AuditActor): Audit {
  return (db, entry) => appendAudit(db, key, actor, entry);
}

export type Verification =
  | { ok: true; entries: number }
  | { ok: false; entries: number; brokenAt: number; reason: 'hash' | 'link' | 'gap' };

/** Walks the whole chain in order, in pages, and names the first entry that does not hold. */
export async function verifyAudit(db: Db, key: string): Promise<Verification> {
  let previous = { seq: 0, hash: genesis };
  let entries = 0;
  for (;;) {
    const rows = await db
      .selectFrom('audit_log')
      .selectAll()
      .where('seq', '>', previous.seq)
      .orderBy('seq')
      .limit(5000)
      .execute();
    if (rows.length === 0) return { ok: true, entries };
    for (const row of rows) {
      if (row.seq !== previous.seq + 1) return { ok: false, entries, brokenAt: previous.seq + 1, reason: 'gap' };
      if (row.prev_hash !== previous.hash) return { ok: false, entries, brokenAt: row.seq, reason: 'link' };
      if (entryHash(key, { ...row, at: row.at }) !== row.hash)
        return { ok: false, entries, brokenAt: row.seq, reason: 'hash' };
      previous = { seq: row.seq, hash: row.hash };
      entries++;
    }
  }
}
