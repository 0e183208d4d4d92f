// A client's webhook subscriptions: made (the signing secret shown once), listed, paused and resumed,
// removed; the delivery log per subscription, and a delivery sent again on request. Every change is in
// the audit trail under the client's name. A client reaches only its own subscriptions (404 otherwise).
import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { Audit } from '../audit/log.js';
import type { Db } from '../db/index.js';
import { notFound } from '../web/errors.js';
import type { Problems } from '../web/input.js';
import type { Refusal } from '../cases/rules.js';
import { resolvePublic, urlProblem, type TargetRules } from './targets.js';

export const webhookEvents = [
  'case.created',
  'case.updated',
  'case.status_changed',
  'message.created',
  'reporting.delivered',
] as const;
export type WebhookEvent = (typeof webhookEvents)[number];

export interface Subscriber {
  id: number;
  reach: 'centre' | 'agency';
  scopes: readonly string[];
}

export interface NewSubscription {
  url: string;
  events: WebhookEvent[];
  includeContent: boolean;
}

/** Checks a subscription as asked for: the URL (and where its name points now), the events the scopes allow. */
export async function checkSubscription(client: Subscriber, input: NewSubscription, rules: TargetRules) {
  const problems: Problems = {};
  const urlKey = urlProblem(input.url, rules);
  if (urlKey) problems.url = { key: urlKey };
  else
    try {
      await resolvePublic(new URL(input.url).hostname.replace(/^\[|\]$/g, ''), rules);
    } catch (error) {
      problems.url = {
        key:
          (error as NodeJS.ErrnoException).code === 'EWEBHOOKADDRESS'
            ? 'webhooks.errors.address'
            : 'webhooks.errors.dns',
      };
    }
  const needs = (event: WebhookEvent) => (event === 'reporting.delivered' ? 'reporting:read' : 'cases:read');
  const unscoped = input.events.filter((e) => !client.scopes.includes(needs(e)));
  if (unscoped.length > 0)
    problems.events = { key: 'webhooks.errors.eventScope', params: { events: unscoped.join(', ') } };
  if (input.includeContent && client.reach !== 'centre') problems.include_content = { key: 'webhooks.errors.content' };
  return problems;
}

/** Subscriptions a client may hold: each event is written once per subscription, in the change's transaction. */
export const maxSubscriptions = 10;

export async function createSubscription(
  db: Db,
  audit: Audit,
  clientId: number,
  input: NewSubscription,
): Promise<{ id: number; secret: string } | Refusal> {
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  return db.transaction().execute(async (trx) => {
    // One at a time per client, so two at once cannot both pass the count.
    await sql`SELECT pg_advisory_xact_lock(hashtext('webhook_subscriptions'), ${clientId}::int)`.execute(trx);
    const held = await trx
      .selectFrom('webhook_subscriptions')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('client_id', '=', clientId)
      .executeTakeFirstOrThrow();
    if (Number(held.n) >= maxSubscriptions)
      return { problems: { url: { key: 'webhooks.errors.tooMany', params: { max: maxSubscriptions } } }, status: 422 };
    const row = await trx
      .insertInto('webhook_subscriptions')
      .values({
        client_id: clientId,
        url: input.url,
        events: [...new Set(input.events)],
        secret,
        include_content: input.includeContent,
      })
      .returning(['id'])
      .executeTakeFirstOrThrow();
    await audit(trx, {
      action: 'admin.change',
      objectType: 'webhook_subscription',
      objectId: row.id,
      details: { url: input.url, events: input.events },
    });
    return { id: row.id, secret };
  });
}

const subscriptionColumns = [
  'id',
  'url',
  'events',
  'include_content',
  'failures',
  'paused_at',
  'paused_reason',
  'created_at',
] as const;

export function subscriptionsOf(db: Db, clientId: number) {
  return db
    .selectFrom('webhook_subscriptions')
    .select(subscriptionColumns)
    .where('client_id', '=', clientId)
    .orderBy('id')
    .execute();
}

export async function subscriptionOf(db: Db, clientId: number, id: number) {
  const row = await db
    .selectFrom('webhook_subscriptions')
    .select(subscriptionColumns)
    .where('client_id', '=', clientId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound();
  return row;
}

/** Pauses or resumes; resuming clears the failure count and the waiting events go out in order. */
export async function setPaused(db: Db, audit: Audit, clientId: number, id: number, paused: boolean) {
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('webhook_subscriptions')
      .set(
        paused
          ? { paused_at: sql`coalesce(paused_at, now())`, paused_reason: sql`coalesce(paused_reason, 'manual')` }
          : { paused_at: null, paused_reason: null, failures: 0 },
      )
      .where('client_id', '=', clientId)
      .where('id', '=', id)
      .returning('id')
      .executeTakeFirst();
    if (!row) throw notFound();
    if (!paused)
      // What was waiting for a retry goes now rather than after its pause.
      await trx
        .updateTable('webhook_deliveries')
        .set({ next_attempt_at: sql`now()` })
        .where('subscription_id', '=', id)
        .where('delivered_at', 'is', null)
        .where('given_up_at', 'is', null)
        .execute();
    await audit(trx, { action: 'admin.change', objectType: 'webhook_subscription', objectId: id, details: { paused } });
  });
}

export async function deleteSubscription(db: Db, audit: Audit, clientId: number, id: number) {
  await db.transaction().execute(async (trx) => {
    const row = await trx
      .deleteFrom('webhook_subscriptions')
      .where('client_id', '=', clientId)
      .where('id', '=', id)
      .returning('id')
      .executeTakeFirst();
    if (!row) throw notFound();
    await audit(trx, {
      action: 'admin.change',
      objectType: 'webhook_subscription',
      objectId: id,
      details: { deleted: true },
    });
  });
}

/** The delivery log, newest first, with each delivery's last attempt. */
export async function deliveryLog(db: Db, clientId: number, id: number, limit: number, before?: number) {
  await subscriptionOf(db, clientId, id);
  let query = db
    .selectFrom('webhook_deliveries as d')
    .leftJoin('cases', 'cases.id', 'd.case_id')
    .select([
      'd.id',
      'd.event_id',
      'd.event_type',
      'cases.number as case_number',
      'd.created_at',
      'd.attempts',
      'd.last_status',
      'd.last_error',
      'd.delivered_at',
      'd.given_up_at',
      'd.next_attempt_at',
    ])
    .where('d.subscription_id', '=', id)
    .orderBy('d.id', 'desc')
    .limit(limit + 1);
  if (before !== undefined) query = query.where('d.id', '<', before);
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  return { rows: page, next: rows.length > limit ? String(page.at(-1)!.id) : null };
}

/** Sends one delivery again (delivered, given up or waiting): same event id, at once. */
export async function redeliver(db: Db, audit: Audit, clientId: number, id: number, deliveryId: number) {
  await subscriptionOf(db, clientId, id);
  return db.transaction().execute(async (trx) => {
    const current = await trx
      .selectFrom('webhook_deliveries')
      .select(sql<boolean>`coalesce(locked_until > now(), false)`.as('in_flight'))
      .where('subscription_id', '=', id)
      .where('id', '=', deliveryId)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw notFound();
    // Being sent right now: its outcome is about to be written; another send would be a second copy.
    if (current.in_flight) return false;
    const row = await trx
      .updateTable('webhook_deliveries')
      .set({ delivered_at: null, given_up_at: null, next_attempt_at: sql`now()`, attempts: 0, locked_until: null })
      .where('subscription_id', '=', id)
      .where('id', '=', deliveryId)
      .returning('id')
      .executeTakeFirst();
    if (!row) throw notFound();
    await audit(trx, {
      action: 'admin.change',
      objectType: 'webhook_subscription',
      objectId: id,
      details: { redeliver: deliveryId },
    });
    return true;
  });
}
