// API clients and their tokens. A token is `ks_` + a 12-character prefix + `_` + 43 characters of secret
// (256 bits); only its SHA-256 is stored, and it is shown once. A client may hold several tokens while
// it rotates: the old one keeps working until its (shortened) expiry.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { sql } from 'kysely';
import type { Audit } from '../audit/log.js';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/index.js';

export const apiScopes = [
  'cases:read',
  'cases:write',
  'messages:write',
  'status:write',
  'reporting:read',
  'webhooks:manage',
] as const;
export type ApiScope = (typeof apiScopes)[number];

export interface ApiClient {
  id: number;
  name: string;
  reach: 'centre' | 'agency';
  agencyId: number | null;
  scopes: readonly ApiScope[];
  /** The user the client writes as ("API: <name>"): no login, never offered as anyone's choice. */
  userId: number;
}

const tokenPattern = /^ks_([A-Za-z0-9_-]{12})_([A-Za-z0-9_-]{43})$/;
const sha256 = (value: string) => createHash('sha256').update(value).digest('hex');

/** Days a new token is valid, and how long the old one keeps working after a rotation. */
export const tokenDays = 365;
export const rotationOverlapDays = 7;

/** The client a bearer token belongs to, if the token is well formed, known, unexpired and unrevoked. */
export async function clientForToken(db: Db, token: string): Promise<ApiClient | undefined> {
  const match = tokenPattern.exec(token);
  if (!match) return undefined;
  const row = await db
    .selectFrom('api_tokens')
    .innerJoin('api_clients', 'api_clients.id', 'api_tokens.client_id')
    .select([
      'api_tokens.id as tokenId',
      'api_tokens.sha256',
      'api_tokens.last_used_at',
      'api_clients.id',
      'api_clients.name',
      'api_clients.reach',
      'api_clients.agency_id',
      'api_clients.scopes',
      'api_clients.user_id',
    ])
    .where('api_tokens.prefix', '=', match[1]!)
    .where('api_tokens.revoked_at', 'is', null)
    .where('api_tokens.expires_at', '>', new Date())
    .where('api_clients.revoked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return undefined;
  const expected = Buffer.from(row.sha256, 'hex');
  if (!timingSafeEqual(expected, Buffer.from(sha256(token), 'hex'))) return undefined;
  // "Last used", at most once a minute per token.
  if (!row.last_used_at || Date.now() - new Date(row.last_used_at).getTime() > 60_000)
    await db.updateTable('api_tokens').set({ last_used_at: sql`now()` }).where('id', '=', row.tokenId).execute();
  return {
    id: row.id,
    name: row.name,
    reach: row.reach === 'agency' ? 'agency' : 'centre',
    agencyId: row.agency_id,
    scopes: row.scopes.filter((s): s is ApiScope => (apiScopes as readonly string[]).includes(s)),
    userId: row.user_id,
  };
}

/** Writes a new token for a client and returns it: the only time it is ever seen. */
export async function issueToken(trx: Db, clientId: number): Promise<string> {
  const prefix = randomBytes(9).toString('base64url');
  const token = `ks_${prefix}_${randomBytes(32).toString('base64url')}`;
  await trx
    .insertInto('api_tokens')
    .values({
      client_id: clientId,
      prefix,
      sha256: sha256(token),
      expires_at: new Date(Date.now() + tokenDays * 86_400_000),
    })
    .execute();
  return token;
}

export interface NewClient {
  name: string;
  owner: string;
  reach: 'centre' | 'agency';
  agencyId: number | null;
  scopes: ApiScope[];
}

export async function createClient(db: Db, audit: Audit, input: NewClient, userId: number) {
  return db.transaction().execute(async (trx) => {
    // The client's own user, named like it; its address can never be a real one.
    const user = await trx
      .insertInto('users')
      .values({ email: `api-client-${randomUUID()}@api.invalid`, name: `API: ${input.name}`, active: false })
      .returning('id')
      .executeTakeFirstOrThrow();
    const { id } = await trx
      .insertInto('api_clients')
      .values({
        user_id: user.id,
        name: input.name,
        owner: input.owner,
        reach: input.reach,
        agency_id: input.agencyId,
        scopes: input.scopes,
        created_by: userId,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const token = await issueToken(trx, id);
    await audit(trx, {
      action: 'admin.change',
      objectType: 'api_client',
      objectId: id,
      agencyId: input.agencyId,
      details: { created: input.name, reach: input.reach, scopes: input.scopes },
    });
    return { id, token };
  });
}

/** A new token; the client's other live tokens expire after the overlap, so its systems can switch over. */
export async function rotateToken(db: Db, audit: Audit, clientId: number) {
  return db.transaction().execute(async (trx) => {
    const overlapEnds = new Date(Date.now() + rotationOverlapDays * 86_400_000);
    await trx
      .updateTable('api_tokens')
      .set({ expires_at: sql`least(expires_at, ${overlapEnds})` })
      .where('client_id', '=', clientId)
      .where('revoked_at', 'is', null)
      .execute();
    const token = await issueToken(trx, clientId);
    await audit(trx, {
      action: 'admin.change',
      objectType: 'api_client',
      objectId: clientId,
      details: { rotated: true },
    });
    return token;
  });
}

/** Ends a client at once: every token stops working. */
export async function revokeClient(db: Db, audit: Audit, clientId: number) {
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('api_clients').set({ revoked_at: sql`now()` }).where('id', '=', clientId).execute();
    await trx
      .updateTable('api_tokens')
      .set({ revoked_at: sql`now()` })
      .where('client_id', '=', clientId)
      .where('revoked_at', 'is', null)
      .execute();
    await audit(trx, {
      action: 'admin.change',
      objectType: 'api_client',
      objectId: clientId,
      details: { revoked: true },
    });
  });
}

export async function clientList(db: Db) {
  return db
    .selectFrom('api_clients')
    .leftJoin('agencies', 'agencies.id', 'api_clients.agency_id')
    .select([
      'api_clients.id',
      'api_clients.name',
      'api_clients.owner',
      'api_clients.reach',
      'api_clients.scopes',
      'api_clients.created_at',
      'api_clients.revoked_at',
      'agencies.name as agency',
      sql<Date | null>`(select max(last_used_at) from api_tokens t where t.client_id = api_clients.id)`.as(
        'last_used_at',
      ),
    ])
    .orderBy('api_clients.revoked_at', (ob) => ob.desc().nullsFirst())
    .orderBy('api_clients.name')
    .execute();
}

/** The viewer a client acts as: the whole centre (every case, internal notes too), or one agency's areas. */
export async function viewerOf(db: Db, client: ApiClient): Promise<Viewer> {
  const base = {
    sessionId: '',
    userId: client.userId,
    name: `API: ${client.name}`,
    email: '',
    language: null,
    groupIds: [],
    mailboxes: [],
    caseListColumns: [],
    consultant: false,
    consentPending: false,
  };
  if (client.reach === 'centre')
    return {
      ...base,
      // Every group: the workspace's group queues (unassigned, groups) span the whole centre.
      groupIds: (await db.selectFrom('groups').select('id').execute()).map((g) => g.id),
      agencyId: null,
      agencyIds: [],
      agencies: [],
      roles: [{ role: 'admin', agencyId: null, areaId: null }],
    };
  const areas = await db
    .selectFrom('agency_areas')
    .select('area_id')
    .where('agency_id', '=', client.agencyId!)
    .execute();
  return {
    ...base,
    agencyId: client.agencyId,
    agencyIds: [client.agencyId!],
    agencies: [],
    roles: areas.map((a) => ({ role: 'professional_user' as const, agencyId: client.agencyId, areaId: a.area_id })),
  };
}
