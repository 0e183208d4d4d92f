// Delivers webhooks from the outbox table (webhook_deliveries), written in the transaction of the change
// they announce. At least once: a delivery is claimed with a lease; a worker killed mid-delivery leaves
// the lease to expire and the event goes again with the same id, for the receiver to recognise. In order
// per case and subscription: only the oldest open event of a case is ever claimed. A failure is tried
// again with growing pauses for about 24 hours, then given up; after repeated failures in a row the
// subscription pauses (its events wait) until it is resumed.
import http from 'node:http';
import https from 'node:https';
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { periodic, type Periodic } from '../periodic.js';
import { caseLink } from '../cases/rules.js';
import { sign, signatureHeader } from './signature.js';
import { isIP } from 'node:net';
import { guardedLookup, refusedAddress, type TargetRules } from './targets.js';

export interface WebhookSettings extends TargetRules {
  publicUrl: URL;
  /** How long one call may take, start to end. */
  timeoutMs?: number;
  /** How long a claim holds before another worker may take the delivery. */
  leaseMs?: number;
  /** Deliveries claimed per round, and how many are under way at once. */
  batch?: number;
  concurrency?: number;
  log?: (message: string, details?: object) => void;
}

/** Pauses between attempts: 30 s doubling to an hour; attempt 31 ends about 24 hours after the first. */
export const retryDelayMs = (attempts: number) => Math.min(30_000 * 2 ** Math.max(0, attempts - 1), 3_600_000);
export const maxAttempts = 31;
/** Failed attempts in a row after which a subscription pauses. */
export const pauseAfterFailures = 20;

interface Claimed {
  id: number;
  subscription_id: number;
  event_id: string;
  event_type: string;
  created_at: Date;
  attempts: number;
  url: string;
  secret: string;
  include_content: boolean;
  reach: string;
  case_number: string | null;
  event_kind: string | null;
  event_data: unknown;
  receipt: string | null;
  report_type: string | null;
  period: string | null;
  report_version: number | null;
  org_number: string | null;
}

/** Claims the oldest open event of each case (and each report delivery) that is due, under a lease. */
async function claim(db: Db, batch: number, leaseMs: number): Promise<Claimed[]> {
  const { rows } = await sql<Claimed>`
    WITH due AS (
      SELECT d.id FROM webhook_deliveries d
        JOIN webhook_subscriptions s ON s.id = d.subscription_id
        JOIN api_clients k ON k.id = s.client_id AND k.revoked_at IS NULL
       WHERE d.delivered_at IS NULL AND d.given_up_at IS NULL AND d.next_attempt_at <= now()
         AND (d.locked_until IS NULL OR d.locked_until < now())
         AND s.paused_at IS NULL
         AND NOT EXISTS (
           SELECT 1 FROM webhook_deliveries e
            WHERE e.subscription_id = d.subscription_id AND e.case_id = d.case_id AND e.id < d.id
              AND e.delivered_at IS NULL AND e.given_up_at IS NULL)
       ORDER BY d.next_attempt_at, d.id
       LIMIT ${batch}
       FOR UPDATE OF d SKIP LOCKED),
    claimed AS (
      UPDATE webhook_deliveries d
         SET locked_until = now() + ${`${leaseMs} milliseconds`}::interval, attempts = attempts + 1
        FROM due WHERE d.id = due.id
      RETURNING d.*)
    SELECT c.id, c.subscription_id, c.event_id, c.event_type, c.created_at, c.attempts,
           s.url, s.secret, s.include_content, k.reach,
           cs.number AS case_number, ev.kind AS event_kind, ev.data AS event_data,
           rd.receipt, rt.code AS report_type, rd.period, rd.version AS report_version, ag.org_number
      FROM claimed c
      JOIN webhook_subscriptions s ON s.id = c.subscription_id
      JOIN api_clients k ON k.id = s.client_id
      LEFT JOIN cases cs ON cs.id = c.case_id
      LEFT JOIN case_events ev ON ev.id = c.case_event_id
      LEFT JOIN report_deliveries rd ON rd.id = c.report_delivery_id
      LEFT JOIN report_types rt ON rt.id = rd.report_type_id
      LEFT JOIN agencies ag ON ag.id = rd.agency_id
     ORDER BY c.id`.execute(db);
  return rows;
}

/** The body: ids, numbers and links; message text only for the centre's clients that asked for it. */
export function payloadOf(row: Claimed, publicUrl: URL) {
  const api = (path: string) => new URL(`/api/v1${path}`, publicUrl).href;
  const data: Record<string, unknown> = {};
  if (row.case_number) {
    data.case = {
      number: row.case_number,
      link: caseLink(publicUrl, row.case_number),
      api: api(`/cases/${row.case_number}`),
    };
    const event = (row.event_data ?? {}) as Record<string, unknown>;
    const change =
      row.event_kind === 'status' || row.event_kind === 'reopened' ? { from: event.from, to: event.to } : {};
    data.event = { kind: row.event_kind, ...change };
    if (row.event_type === 'message.created') {
      const kind =
        row.event_kind === 'internal_note' ? 'internal_note' : event.from === 'customer' ? 'customer' : 'centre';
      const content = row.include_content && row.reach === 'centre' ? { body: event.body } : {};
      data.message = { from: kind, ...content };
    }
  }
  if (row.receipt)
    data.delivery = {
      receipt: row.receipt,
      type: row.report_type,
      period: row.period,
      version: row.report_version,
      agency_org_number: row.org_number,
      link: new URL(`/reporting/receipts/${row.receipt}`, publicUrl).href,
    };
  return { id: row.event_id, type: row.event_type, created_at: row.created_at, data };
}

interface Outcome {
  status: number | null;
  error: string | null;
  ms: number;
}

/** One POST; 2xx is delivered, anything else (a redirect too) is a failure to try again. */
function post(url: string, body: string, headers: Record<string, string>, settings: WebhookSettings): Promise<Outcome> {
  const started = performance.now();
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  const timeoutMs = settings.timeoutMs ?? 10_000;
  // An address written in the URL is never looked up, so the socket's lookup would not see it.
  const literal = target.hostname.replace(/^\[|\]$/g, '');
  const refused = isIP(literal) ? refusedAddress(literal, settings) : undefined;
  if (refused) return Promise.resolve({ status: null, error: refused, ms: 0 });
  return new Promise((resolve) => {
    const done = (status: number | null, error: string | null) =>
      resolve({ status, error, ms: Math.round(performance.now() - started) });
    const request = client.request(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: guardedLookup(settings),
        timeout: timeoutMs,
        signal: AbortSignal.timeout(timeoutMs),
        agent: target.protocol === 'https:' ? agents.https : agents.http,
      },
      (response) => {
        // The answer's body says nothing we keep: read and drop it.
        response.resume();
        response.on('end', () => done(response.statusCode ?? null, null));
        response.on('error', (error) => done(response.statusCode ?? null, error.message));
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    request.on('error', (error) => done(null, error.message.slice(0, 500)));
    request.end(body);
  });
}

const isDelivered = (outcome: Outcome) => outcome.status !== null && outcome.status >= 200 && outcome.status < 300;

/**
 * Writes a round's outcomes in one transaction: an attempt each, each delivery delivered, rescheduled
 * or given up, and each subscription's failures in a row (reset by a success, paused at the limit).
 * A worker that dies before this has delivered without a record: those events go again (at least once).
 */
async function record(db: Db, done: readonly { row: Claimed; outcome: Outcome }[]) {
  if (done.length === 0) return;
  // Failures in a row per subscription, in the order the outcomes came: reset by a success.
  const streaks = new Map<number, { reset: boolean; added: number }>();
  for (const { row, outcome } of done) {
    const streak = streaks.get(row.subscription_id) ?? { reset: false, added: 0 };
    if (isDelivered(outcome)) streaks.set(row.subscription_id, { reset: true, added: 0 });
    else streaks.set(row.subscription_id, { ...streak, added: streak.added + 1 });
  }
  const values = done.map(({ row, outcome }) => {
    const delivered = isDelivered(outcome);
    const givingUp = !delivered && row.attempts >= maxAttempts;
    return sql`(${row.id}::bigint, ${outcome.status}::int, ${outcome.error}::text, ${outcome.ms}::int, ${delivered}::boolean, ${givingUp}::boolean, ${delivered || givingUp ? 0 : retryDelayMs(row.attempts)}::bigint)`;
  });
  await db.transaction().execute(async (trx) => {
    await sql`
      WITH outcome (id, status, error, ms, delivered, giving_up, delay_ms) AS (VALUES ${sql.join(values)}),
      attempts AS (
        INSERT INTO webhook_attempts (delivery_id, status, error, duration_ms)
        SELECT id, status, error, ms FROM outcome)
      UPDATE webhook_deliveries d
         SET locked_until = NULL, last_status = o.status, last_error = o.error,
             delivered_at = CASE WHEN o.delivered THEN now() END,
             given_up_at = CASE WHEN o.giving_up THEN now() END,
             next_attempt_at = CASE WHEN o.delivered OR o.giving_up THEN d.next_attempt_at
                                    ELSE now() + o.delay_ms * interval '1 millisecond' END
        FROM outcome o WHERE d.id = o.id`.execute(trx);
    const changes = [...streaks].map(([id, s]) => sql`(${id}::bigint, ${s.reset}::boolean, ${s.added}::int)`);
    await sql`
      UPDATE webhook_subscriptions s
         SET failures = CASE WHEN c.reset THEN c.added ELSE s.failures + c.added END,
             paused_at = CASE WHEN s.paused_at IS NULL AND c.added > 0
                               AND (CASE WHEN c.reset THEN c.added ELSE s.failures + c.added END) >= ${pauseAfterFailures}
                              THEN now() ELSE s.paused_at END,
             paused_reason = CASE WHEN s.paused_at IS NULL AND c.added > 0
                                   AND (CASE WHEN c.reset THEN c.added ELSE s.failures + c.added END) >= ${pauseAfterFailures}
                                  THEN 'failures' ELSE s.paused_reason END
        FROM (VALUES ${sql.join(changes)}) AS c (id, reset, added)
       WHERE s.id = c.id AND (c.added > 0 OR s.failures > 0)`.execute(trx);
  });
}

/** Connections are kept open between deliveries; each new one is made to a checked address only. */
const agents = {
  http: new http.Agent({ keepAlive: true, maxSockets: 32 }),
  https: new https.Agent({ keepAlive: true, maxSockets: 32 }),
};

/** One round: claims what is due and delivers it, several at once. Resolves with how many were tried. */
export async function deliverWebhooks(db: Db, settings: WebhookSettings): Promise<number> {
  const rows = await claim(db, settings.batch ?? 200, settings.leaseMs ?? 60_000);
  const done: { row: Claimed; outcome: Outcome }[] = [];
  let next = 0;
  const lane = async () => {
    while (next < rows.length) {
      const row = rows[next++]!;
      const body = JSON.stringify(payloadOf(row, settings.publicUrl));
      const outcome = await post(
        row.url,
        body,
        {
          'content-type': 'application/json',
          'user-agent': 'Kundesenter-Webhooks/1',
          'kundesenter-event-id': row.event_id,
          'kundesenter-event-type': row.event_type,
          [signatureHeader]: sign(row.secret, body),
        },
        settings,
      );
      done.push({ row, outcome });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(settings.concurrency ?? 16, rows.length) }, lane));
  } finally {
    await record(db, done);
  }
  return rows.length;
}

/** Rounds every second, and straight on while there is more: a case's next event follows its last. */
export function startWebhookWorker(db: Db, settings: WebhookSettings): Periodic {
  const log = settings.log ?? (() => {});
  const round = async () => {
    let total = 0;
    for (let tried = await deliverWebhooks(db, settings); tried > 0; tried = await deliverWebhooks(db, settings))
      total += tried;
    return total;
  };
  return periodic(round, {
    intervalMs: 1_000,
    atStart: true,
    onError: (error) => log('webhook delivery failed', { error: String(error) }),
  });
}
