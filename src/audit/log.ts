// The audit trail: one append-only, hash-chained table. Every entry's hash is an HMAC-SHA256, under
// AUDIT_KEY (which the database never holds), of the previous entry's hash and the entry's own content.
// An entry is written in the caller's transaction, so it exists exactly when what it records was
// committed; it takes no lock there. Just after commit one chainer at a time (under an advisory lock)
// links the new entries in order of arrival: their place in the chain (`seq`), the previous hash and
// their own. A request never waits for another request's audit entry.
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
  'reporting.deliver',
  'reporting.contact',
  'reporting.download',
  'case.reference',
  'case.create',
  'consent.accept',
  'user.consultant',
  'membership.approve',
  'membership.refuse',
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
export function canonical(value: unknown): string {
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

/** Records an entry, unlinked, in the transaction given; `chainAudit` links it after commit. */
export async function appendAudit(db: Db, actor: AuditActor, entry: AuditInput): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      // Milliseconds, as JavaScript keeps them, so the stored time hashes the same when read back.
      at: new Date(),
      actor_id: actor.userId,
      actor_name: actor.name,
      action: entry.action,
      object_type: entry.objectType,
      object_id: entry.objectId === undefined ? '' : String(entry.objectId),
      agency_id: entry.agencyId ?? null,
      ip: actor.ip,
      details: JSON.stringify(entry.details ?? {}),
    })
    .execute();
}

const chainBatch = 500;

/**
 * Links every committed, unlinked entry into the chain, oldest first; returns how many. One chainer
 * at a time across all processes (the advisory lock); the content hashed is what the database holds,
 * read back, exactly as `verifyAudit` reads it.
 */
export async function chainAudit(db: Db, key: string): Promise<number> {
  let linked = 0;
  for (;;) {
    const batch = await inTransaction(db, async (trx) => {
      await sql`SELECT pg_advisory_xact_lock(${chainLock})`.execute(trx);
      const rows = await trx
        .selectFrom('audit_log')
        .selectAll()
        .where('seq', 'is', null)
        .orderBy('id')
        .limit(chainBatch)
        .execute();
      if (rows.length === 0) return 0;
      const last = await trx
        .selectFrom('audit_log')
        .select(['seq', 'hash'])
        .where('seq', 'is not', null)
        .orderBy('seq', 'desc')
        .limit(1)
        .executeTakeFirst();
      let previous = { seq: last?.seq ?? 0, hash: last?.hash ?? genesis };
      const links = rows.map((row) => {
        const fields: ChainedFields = { ...row, seq: previous.seq + 1, prev_hash: previous.hash };
        const link = { id: row.id, seq: fields.seq, prev_hash: fields.prev_hash, hash: entryHash(key, fields) };
        previous = { seq: link.seq, hash: link.hash };
        return link;
      });
      await sql`
        UPDATE audit_log SET seq = l.seq, prev_hash = l.prev_hash, hash = l.hash
        FROM jsonb_to_recordset(${JSON.stringify(links)}::jsonb) AS l (id bigint, seq bigint, prev_hash text, hash text)
        WHERE audit_log.id = l.id`.execute(trx);
      return rows.length;
    });
    linked += batch;
    if (batch < chainBatch) return linked;
  }
}

/**
 * Runs `chainAudit` soon, once at a time per process: a call while a run is going asks for one more run
 * after it (entries committed meanwhile). `settled` resolves when nothing is running.
 */
export function auditChainer(db: Db, key: string, onError: (error: unknown) => void) {
  let running: Promise<void> | undefined;
  let again = false;
  const run = async (): Promise<void> => {
    do {
      again = false;
      try {
        await chainAudit(db, key);
      } catch (error) {
        onError(error);
      }
    } while (again);
    running = undefined;
  };
  return {
    kick(): void {
      if (running) again = true;
      else running = run();
    },
    async settled(): Promise<void> {
      while (running) await running;
    },
  };
}

/** An Audit bound to who acts and from where. */
export function auditFor(actor: AuditActor, onWritten: () => void = () => {}): Audit {
  return async (db, entry) => {
    await appendAudit(db, actor, entry);
    onWritten();
  };
}

export type Verification =
  | { ok: true; entries: number; unlinked: number }
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
    if (rows.length === 0) {
      const { n } = await db
        .selectFrom('audit_log')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('seq', 'is', null)
        .executeTakeFirstOrThrow();
      return { ok: true, entries, unlinked: Number(n) };
    }
    for (const row of rows) {
      if (row.seq === null || row.hash === null || row.prev_hash === null)
        return { ok: false, entries, brokenAt: previous.seq + 1, reason: 'link' };
      if (row.seq !== previous.seq + 1) return { ok: false, entries, brokenAt: previous.seq + 1, reason: 'gap' };
      if (row.prev_hash !== previous.hash) return { ok: false, entries, brokenAt: row.seq, reason: 'link' };
      if (entryHash(key, { ...row, seq: row.seq, prev_hash: row.prev_hash }) !== row.hash)
        return { ok: false, entries, brokenAt: row.seq, reason: 'hash' };
      previous = { seq: row.seq, hash: row.hash };
      entries++;
    }
  }
}
