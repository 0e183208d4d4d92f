// Verbs of the API: a case's reference in a specialist system, and the Idempotency-Key record that
// makes a retried POST return its first answer instead of doing the work again.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Audit } from '../audit/log.js';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/index.js';
import { visibleCases } from '../cases/visibility.js';
import { HttpError, notFound } from '../web/errors.js';
import type { ApiClient } from './clients.js';

export interface Reference {
  system: string;
  id: string;
  url: string | null;
}

/** Sets the case's reference in one system (one per system: a later call updates it). 404 when the client does not see the case. */
export async function setReference(
  db: Db,
  audit: Audit,
  viewer: Viewer,
  client: ApiClient,
  caseNumber: string,
  reference: Reference,
) {
  return db.transaction().execute(async (trx) => {
    const found = await visibleCases(trx, viewer)
      .select(['cases.id', 'cases.agency_id'])
      .where('cases.number', '=', caseNumber)
      .executeTakeFirst();
    if (!found) throw notFound();
    const row = await trx
      .insertInto('case_references')
      .values({
        case_id: found.id,
        system: reference.system,
        external_id: reference.id,
        url: reference.url,
        client_id: client.id,
      })
      .onConflict((oc) =>
        oc.columns(['case_id', 'system']).doUpdateSet({
          external_id: reference.id,
          url: reference.url,
          client_id: client.id,
          updated_at: sql`now()`,
        }),
      )
      .returning(['system', 'external_id', 'url', 'updated_at'])
      .executeTakeFirstOrThrow();
    await audit(trx, {
      action: 'case.reference',
      objectType: 'case',
      objectId: caseNumber,
      agencyId: found.agency_id,
      details: { system: reference.system, id: reference.id },
    });
    return { system: row.system, id: row.external_id, url: row.url, updated_at: row.updated_at };
  });
}

export type Replay = { status: number; body: unknown } | undefined;

/**
 * Claims an Idempotency-Key for a request: undefined when this request is the first (do the work, then
 * `rememberAnswer`), the first answer when it was already given, 409 while the first is still running,
 * 422 when the key was used for another request. Keys are kept 24 hours.
 */
export async function claimKey(db: Db, clientId: number, key: string, request: string): Promise<Replay> {
  const hash = createHash('sha256').update(request).digest('hex');
  await db.deleteFrom('api_idempotency').where('created_at', '<', sql<Date>`now() - interval '24 hours'`).execute();
  const claimed = await db
    .insertInto('api_idempotency')
    .values({ client_id: clientId, key, request_hash: hash })
    .onConflict((oc) => oc.columns(['client_id', 'key']).doNothing())
    .returning('key')
    .executeTakeFirst();
  if (claimed) return undefined;
  const earlier = await db
    .selectFrom('api_idempotency')
    .select(['request_hash', 'status', 'body'])
    .where('client_id', '=', clientId)
    .where('key', '=', key)
    .executeTakeFirstOrThrow();
  if (earlier.request_hash !== hash) throw new HttpError(422, 'idempotency_mismatch', 'errors.idempotencyMismatch');
  if (earlier.status === null) throw new HttpError(409, 'idempotency_running', 'errors.idempotencyRunning');
  return { status: earlier.status, body: earlier.body };
}

export async function rememberAnswer(db: Db, clientId: number, key: string, status: number, body: unknown) {
  await db
    .updateTable('api_idempotency')
    .set({ status, body: JSON.stringify(body) })
    .where('client_id', '=', clientId)
    .where('key', '=', key)
    .execute();
}

/** A request that failed gives its key back, so a retry can do the work. */
export async function releaseKey(db: Db, clientId: number, key: string) {
  await db
    .deleteFrom('api_idempotency')
    .where('client_id', '=', clientId)
    .where('key', '=', key)
    .where('status', 'is', null)
    .execute();
}
