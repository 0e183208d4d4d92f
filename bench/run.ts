// `npm run bench`: list latency over a seeded database (BENCH_CASES, default 200,000), on its own
// embedded PostgreSQL (or DATABASE_URL's server, in a throwaway database). Prints a table and writes
// bench/results.json.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { ensureDatabase } from '../src/db/connect.js';
import { createDb, type Db } from '../src/db/index.js';
import { migrate } from '../src/db/migrate.js';
import { seedDemoData } from '../src/db/demo.js';
import { seedCases } from '../src/db/seed.js';
import { loadViewer, type Viewer } from '../src/auth/viewer.js';
import { listCases, parseListQuery, type ListQuery } from '../src/cases/list.js';
import { freePort } from '../test/net.js';

const total = Number(process.env.BENCH_CASES ?? 200_000);
const runs = 60;

async function viewerFor(db: Db, email: string): Promise<Viewer> {
  const user = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  const session = await db.insertInto('sessions').values({ user_id: user.id }).returning('id').executeTakeFirstOrThrow();
  return (await loadViewer(db, session.id))!;
}

async function percentiles(measure: () => Promise<unknown>): Promise<{ p50: number; p95: number }> {
  for (let i = 0; i < 5; i++) await measure();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await measure();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 100) / 100;
  return { p50: at(0.5), p95: at(0.95) };
}

const tmp = mkdtempSync(path.join(os.tmpdir(), 'ks-bench-'));
const server = process.env.DATABASE_URL ? undefined : await startEmbeddedPostgres({ dataDir: tmp, port: await freePort(), fast: true });
const adminUrl = server ? server.url('postgres') : process.env.DATABASE_URL!;
const name = `ks_bench_${process.pid}`;
await ensureDatabase(adminUrl, name);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const db = createDb(url.href);
try {
  await migrate(db);
  await seedDemoData(db);
  const seedStart = performance.now();
  await seedCases(db, total, (done) => process.stdout.write(`\rseeding ${done} of ${total}`));
  const seedSeconds = (performance.now() - seedStart) / 1000;
  process.stdout.write('\n');
  await sql`ANALYZE`.execute(db);

  const customer = await viewerFor(db, 'kari@demoetaten.no');
  const caseworker = await viewerFor(db, 'siri@kundesenter.no');
  const list = (viewer: Viewer, query: ListQuery) => listCases(db, viewer, parseListQuery(query, viewer, ['lonn', 'regnskap']).filter);
  const firstWork = await list(caseworker, {});

  const results: Record<string, number> = { seed_cases_per_s: Math.round(total / seedSeconds) };
  const table: [string, { p50: number; p95: number }][] = [
    ['case_list_customer', await percentiles(() => list(customer, { scope: 'mine' }))],
    ['work_list_first_page', await percentiles(() => list(caseworker, {}))],
    ['work_list_next_page', await percentiles(() => list(caseworker, { after: firstWork.next }))],
  ];
  console.log(`\n${total} cases; ${runs} runs each; milliseconds\n`);
  console.log('metric'.padEnd(28) + 'p50'.padStart(10) + 'p95'.padStart(10));
  for (const [metric, { p50, p95 }] of table) {
    console.log(metric.padEnd(28) + String(p50).padStart(10) + String(p95).padStart(10));
    results[`${metric}_p95_ms`] = p95;
  }
  console.log('seed_cases_per_s'.padEnd(28) + String(results.seed_cases_per_s).padStart(20));
  mkdirSync('bench', { recursive: true });
  writeFileSync('bench/results.json', JSON.stringify(results, null, 2) + '\n');
} finally {
  await db.destroy();
  if (!server) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  }
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
}
