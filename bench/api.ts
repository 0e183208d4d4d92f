// The integration API's figures: the case list's p95 as the centre's system and as the largest agency's
// system page through it (`api_list_p95_ms`), and webhook deliveries per second to a receiver on
// loopback through the real worker (`webhook_per_s`).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { createClient } from '../src/api/clients.js';
import type { Db } from '../src/db/index.js';
import { deliverWebhooks } from '../src/webhooks/worker.js';
import { p95, timings } from './measure.js';

type Report = (metric: string, value: number, note?: string) => void;

export async function apiFigures(db: Db, base: string, agencyName: string, runs: number, report: Report) {
  const audit = async () => {};
  const agency = await db.selectFrom('agencies').select('id').where('name', '=', agencyName).executeTakeFirstOrThrow();
  const stamp = Date.now();
  const centre = await createClient(
    db,
    audit,
    {
      name: `Bench senter ${stamp}`,
      owner: 'Bench',
      reach: 'centre',
      agencyId: null,
      scopes: ['cases:read', 'webhooks:manage'],
    },
    1,
  );
  const own = await createClient(
    db,
    audit,
    { name: `Bench etat ${stamp}`, owner: 'Bench', reach: 'agency', agencyId: agency.id, scopes: ['cases:read'] },
    1,
  );
  const get = async (path: string, token: string) => {
    const response = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`${path} answered ${response.status}`);
    return response.json() as Promise<{ next: string | null }>;
  };

  console.log(`\nAPI case list, limit 50; ${runs} runs each; p95 ms`);
  let worst = 0;
  for (const [label, path, token] of [
    ['centre, newest first', '/api/v1/cases?limit=50', centre.token],
    ['centre, status active by due', '/api/v1/cases?limit=50&status=active&sort=due&dir=asc', centre.token],
    [`${agencyName}, newest first`, '/api/v1/cases?limit=50', own.token],
    [`${agencyName}, by title`, '/api/v1/cases?limit=50&sort=title&dir=asc', own.token],
  ] as const) {
    const measured = p95(await timings(() => get(path, token), runs));
    // The tenth page, by the cursor: a system that pages through keeps the same speed.
    let cursor: string | null = null;
    for (let page = 0; page < 9; page++)
      cursor = (await get(`${path}${cursor ? `&after=${encodeURIComponent(cursor)}` : ''}`, token)).next;
    const deep = cursor
      ? p95(await timings(() => get(`${path}&after=${encodeURIComponent(cursor!)}`, token), Math.min(runs, 30)))
      : 0;
    worst = Math.max(worst, measured, deep);
    console.log(`${label.padEnd(40)}${String(measured).padStart(10)}  page 10: ${deep}`);
  }
  report('api_list_p95_ms', worst, '(worst view and page; goal ≤ 50)');

  // Webhooks: one event on each of `count` cases, all to one receiver.
  const count = Number(process.env.BENCH_WEBHOOKS ?? 1500);
  let received = 0;
  const receiver = http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received++;
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const { id: subscription } = await db
    .insertInto('webhook_subscriptions')
    .values({
      client_id: centre.id,
      url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`,
      events: ['message.created'],
      secret: 'bench-secret-of-at-least-32-characters',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  try {
    const cases = await db.selectFrom('cases').select('id').orderBy('id', 'desc').limit(count).execute();
    await db
      .insertInto('case_events')
      .values(cases.map((c) => ({ case_id: c.id, kind: 'internal_note', data: { body: 'bench-webhook' } })))
      .execute();
    const settings = { publicUrl: new URL(base), allowLoopback: true };
    const started = performance.now();
    while ((await deliverWebhooks(db, settings)) > 0);
    const seconds = (performance.now() - started) / 1000;
    if (received < cases.length) throw new Error(`${cases.length} webhooks, ${received} received`);
    console.log(`webhooks: ${received} deliveries in ${seconds.toFixed(1)} s`);
    report('webhook_per_s', Math.round(received / seconds), '(goal ≥ 200)');
  } finally {
    receiver.close();
    await db.deleteFrom('webhook_subscriptions').where('id', '=', subscription).execute();
    await db
      .deleteFrom('case_events')
      .where('kind', '=', 'internal_note')
      .where(sql<string>`data->>'body'`, '=', 'bench-webhook')
      .execute();
    await db
      .updateTable('api_clients')
      .set({ revoked_at: new Date() })
      .where('id', 'in', [centre.id, own.id])
      .execute();
  }
}
