// `npm run bench`: the issue's speed targets over a seeded database (BENCH_CASES, default 1,000,000),
// on its own embedded PostgreSQL (or DATABASE_URL's server, in a throwaway database). Requests go through
// the real app with a real login; prints a table and writes bench/results.json.
import { casePageQuery, listCases } from '../src/cases/list/queries.js';
import { listChoices } from '../src/cases/list/choices.js';
import { parseListQuery, type ListQuery } from '../src/cases/list/filter.js';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { startEmbeddedPostgres } from '../src/db/embedded.js';
import { ensureDatabase } from '../src/db/connect.js';
import { createDb, type Db } from '../src/db/index.js';
import { prepareDatabase } from '../src/database.js';
import { seedDemoData } from '../src/demo/data.js';
import { seedCases } from '../src/demo/seed.js';
import { loadConfig } from '../src/config.js';
import { buildApp } from '../src/app.js';
import { OidcClient } from '../src/auth/oidc.js';
import { startIdentityProviderThread } from './idp-thread.js';
import nodemailer from 'nodemailer';
import { inboundSettings, startInboundSmtp } from '../src/mail/inbound.js';
import type { Config } from '../src/config.js';
import { Client, viewerFor } from '../test/helpers.js';
import { freePort } from '../test/net.js';
import { faultFigures } from './faults.js';
import { pageFigures } from './pages.js';
import { apiFigures } from './api.js';
import { buildOnce, p95, timings as measureTimes } from './measure.js';

const total = Number(process.env.BENCH_CASES ?? 200_000);
const runs = Number(process.env.BENCH_RUNS ?? 100);
// BENCH_ONLY=pages,list,search,export,memory,mail,dashboard,faults,reporting,api runs some sections; results of
// the others are kept from the last run. "faults" and "reporting" seed no cases: faults runs the server on
// databases of its own, reporting checks generated files.
const only = process.env.BENCH_ONLY?.split(',').map((part) => part.trim());
const section = (name: string) => !only || only.includes(name);
const casesNeeded = !only || only.some((name) => name !== 'faults' && name !== 'reporting');

/** Milliseconds per call: a few warm-up calls, then `runs` measured ones. */
const timings = (measure: () => Promise<unknown>, count = runs) => measureTimes(measure, count);

// BENCH_KEEP=1 with DATABASE_URL keeps the seeded database (ks_bench_kept) between runs and only tops it up.
const keep = process.env.BENCH_KEEP === '1' && process.env.DATABASE_URL !== undefined;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'ks-bench-'));
const server = process.env.DATABASE_URL
  ? undefined
  : await startEmbeddedPostgres({ dataDir: tmp, port: await freePort(), fast: true });
const adminUrl = server ? server.url('postgres') : process.env.DATABASE_URL!;
const name = keep ? 'ks_bench_kept' : `ks_bench_${process.pid}`;
await ensureDatabase(adminUrl, name);
const url = new URL(adminUrl);
url.pathname = `/${name}`;
const db = createDb(url.href);
const results: Record<string, number> = {};
const table: [string, string][] = [];
const report = (metric: string, value: number, note = '') => {
  results[metric] = value;
  table.push([metric, `${value}${note ? `  ${note}` : ''}`]);
};
// How long each part of the run took, in seconds (the whole default run at 200,000 cases: ≤ 10 minutes).
const started = performance.now();
let lapStart = started;
const lap = (part: string) => {
  const now = performance.now();
  report(`time_${part}_s`, Math.round((now - lapStart) / 1000));
  lapStart = now;
};

try {
  await prepareDatabase(db);
  await seedDemoData(db);
  const present = Number(
    (
      await db
        .selectFrom('cases')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  const missing = casesNeeded ? Math.max(0, total - present) : 0;
  if (missing > 0) {
    const seedStart = performance.now();
    await seedCases(db, missing, {
      onProgress: (done) => process.stdout.write(`\rseeding ${done} of ${missing}`),
      // Into a nearly empty database of the bench's own, the indexes are built once at the end.
      rebuildIndexes: missing > present,
    });
    report('seed_cases_per_s', Math.round(missing / ((performance.now() - seedStart) / 1000)));
    process.stdout.write('\n');
    await sql`VACUUM ANALYZE`.execute(db);
  }
  lap('seed');

  // The page and query figures need the seeded cases; "faults" alone does not.
  if (casesNeeded) {
    const port = await freePort();
    const host = '127.0.0.1';
    const config = loadConfig({
      DATABASE_URL: url.href,
      DATA_DIR: tmp,
      SESSION_SECRET: randomBytes(32).toString('base64'),
      LOG_LEVEL: 'silent',
      PUBLIC_URL: `http://${host}:${port}`,
      WORKERS: '0',
    });
    const idp = await startIdentityProviderThread({ host, port: 0, publicUrl: config.publicUrl });
    const base = `http://${host}:${port}`;
    const oidc = new OidcClient({ ...idp, redirectUri: `${base}/auth/callback`, postLogoutRedirectUri: `${base}/` });
    const app = await buildApp({ config, db, oidc, logger: false });
    // Server time is what Fastify measures from request to response, without the test client's own work.
    let lastServerMs = 0;
    app.addHook('onResponse', async (_request, reply) => {
      lastServerMs = reply.elapsedTime;
    });
    await app.listen({ port, host });
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const kari = new Client(app);
      // Asked over HTTP, as a browser does, not through Fastify's inject: inject's stand-in request and
      // response leave a quarter to a half of what they allocate alive at each minor garbage collection
      // (5–13 ms each, even for /healthz), and those pauses fell inside the measured requests, setting
      // the p95; over a socket the same app's collections mostly fall between requests.
      const overHttp = (path: string, cookie: string) =>
        new Promise<void>((resolve, reject) => {
          http
            .get(`${base}${path}`, { agent, headers: { cookie } }, (response) => {
              if (response.statusCode !== 200) reject(new Error(`${path} answered ${response.statusCode}`));
              response.resume();
              response.on('end', resolve);
            })
            .on('error', reject);
        });
      const serverTimes = async (path: string, client = kari, count = runs) => {
        const times: number[] = [];
        await client.get(path);
        const cookie = client.cookieHeader();
        await timings(async () => {
          await overHttp(path, cookie);
          times.push(lastServerMs);
        }, count);
        return times.slice(3);
      };
      await kari.login('kari@demoetaten.no', idp.issuer, base);
      const kariViewer = await viewerFor(db, 'kari@demoetaten.no');
      const choices = await listChoices(db);
      const caseworker = await viewerFor(db, 'siri@kundesenter.no');
      const largest = await db
        .selectFrom('cases')
        .innerJoin('agencies', 'agencies.id', 'cases.agency_id')
        .select(['agencies.name', (eb) => eb.fn.countAll<number>().as('n')])
        .groupBy('agencies.name')
        .orderBy('n', 'desc')
        .executeTakeFirstOrThrow();
      console.log(`largest agency: ${largest.name} with ${largest.n} cases; kari is its professional user for lønn`);

      // Case list: every sort and one of each filter, for the professional user of the largest agency.
      const views: Record<string, string> = {
        'default (created, newest first)': '',
        'sort number': 'sort=number&dir=asc',
        'sort title': 'sort=title&dir=asc',
        'sort title desc': 'sort=title&dir=desc',
        'sort area': 'sort=area&dir=asc',
        'sort form': 'sort=form&dir=asc',
        'sort category': 'sort=category&dir=asc',
        'sort status': 'sort=status&dir=asc',
        'sort requester': 'sort=requester&dir=asc',
        'sort updated': 'sort=updated&dir=desc',
        'sort due': 'sort=due&dir=asc',
        'sort channel': 'sort=channel&dir=asc',
        'filter status closed': 'status=closed',
        'filter status active': 'status=active',
        'filter title contains': 'title=feriepenger',
        'filter requester contains': 'requester=Bruker%2017',
        'filter number contains': 'number=-0001',
        'filter channel phone': 'channel=phone',
        'filter created one month': `created_from=${monthsAgo(6)}&created_to=${monthsAgo(5)}`,
        'filter updated one week': `updated_from=${monthsAgo(1)}&updated_to=${daysAfter(monthsAgo(1), 7)}`,
      };
      if (section('list')) {
        let worstList = 0;
        let worstRatio = 0;
        let worstOver = 0;
        const ratios: number[] = [];
        console.log(`\ncase list for ${largest.name}, scope=agency; ${runs} runs each; p95 ms`);
        console.log('view'.padEnd(34) + 'server'.padStart(10) + 'sql'.padStart(10) + 'ratio'.padStart(8));
        for (const [label, query] of Object.entries(views)) {
          const path = `/cases?scope=agency${query ? `&${query}` : ''}`;
          const check = await kari.get(path);
          if (check.statusCode !== 200) throw new Error(`${path} answered ${check.statusCode}`);
          const { filter } = parseListQuery(
            Object.fromEntries(new URLSearchParams(`scope=agency&${query}`)) as ListQuery,
            kariViewer,
            choices,
          );
          const compiled = casePageQuery(db, kariViewer, filter).compile();
          // The page and its SQL by turns, a request and then a statement, so both see the same seconds of
          // these shared cores (measured one after the other, a busy minute fell on one of them only).
          const cookie = kari.cookieHeader();
          const server: number[] = [];
          const sqlTimes: number[] = [];
          for (let i = 0; i < runs + 3; i++) {
            await overHttp(path, cookie);
            const start = performance.now();
            await db.executeQuery(compiled);
            // The first three of each are warm-up, as in `timings`.
            if (i >= 3) {
              server.push(lastServerMs);
              sqlTimes.push(performance.now() - start);
            }
          }
          const serverP95 = p95(server);
          const sqlP95 = p95(sqlTimes);
          const ratio = Math.round((serverP95 / sqlP95) * 100) / 100;
          worstList = Math.max(worstList, serverP95);
          worstRatio = Math.max(worstRatio, ratio);
          worstOver = Math.max(worstOver, Math.round((serverP95 - sqlP95) * 10) / 10);
          ratios.push(ratio);
          console.log(
            label.padEnd(34) + String(serverP95).padStart(10) + String(sqlP95).padStart(10) + String(ratio).padStart(8),
          );
        }
        report('case_list_p95_ms', worstList, '(worst view)');
        report('case_list_over_sql_ms', worstOver, '(worst view; goal ≤ 5)');
        report('case_list_vs_sql', worstRatio, '(worst view)');
        report(
          'case_list_vs_sql_median',
          [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)]!,
          '(median view)',
        );

        // Deep pages: follow the cursor up to 1,000 pages in (or to the last page of a smaller seed), then
        // time page 1 against that page.
        const start = parseListQuery({ scope: 'agency' }, kariViewer, choices).filter;
        let cursor = '';
        let depth = 1;
        for (; depth < 1000; depth++) {
          const next = (await listCases(db, kariViewer, { ...start, after: cursor })).next;
          if (!next) break;
          cursor = next;
        }
        const firstPage = p95(await serverTimes('/cases?scope=agency'));
        const deepPage = p95(await serverTimes(`/cases?scope=agency${cursor ? `&after=${cursor}` : ''}`));
        report('case_list_deep_page', depth);
        report('case_list_deep_page_p95_ms', deepPage);
        report('deep_page_ratio', Math.round((deepPage / firstPage) * 100) / 100);
        lap('list');
      }

      if (section('pages')) {
        const siri = new Client(app);
        await siri.login('siri@kundesenter.no', idp.issuer, base);
        await pageFigures({ db, databaseUrl: url.href, base, kari, kariViewer, siri, siriViewer: caseworker, report });
        lap('pages');
      }

      // Full-text search: a term in no case, one in a quarter of them, a two-term query; scoped and not.
      if (section('search')) {
        const queries = ['kvantefysikk', 'utbetaling', 'feriepenger trekk', 'lønnsslipp', 'refusjonskrav mars'];
        const searchTimes: number[] = [];
        console.log('\nsearch; p95 ms');
        for (const q of queries) {
          for (const [who, viewer, scope] of [
            ['scoped (kari, agency)', kariViewer, 'agency'],
            ['unscoped (caseworker)', caseworker, 'agency'],
          ] as const) {
            const { filter } = parseListQuery({ scope, q }, viewer, choices);
            const times = await timings(() => listCases(db, viewer, filter), 20);
            searchTimes.push(...times);
            console.log(`${q} – ${who}`.padEnd(50) + String(p95(times)).padStart(10));
          }
        }
        const common = await db
          .selectFrom('cases')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where(sql<boolean>`search @@ websearch_to_tsquery('norwegian', 'utbetaling')`)
          .executeTakeFirstOrThrow();
        console.log(`"utbetaling" is in ${Math.round((Number(common.n) / total) * 100)} % of all cases`);
        report('search_p95_ms', p95(searchTimes));
        lap('search');
      }

      // Export of the whole agency view (about a tenth of all cases) through HTTP, streamed.
      if (section('export')) {
        const exported = await timeExport(base, kari, '/cases/export.xlsx?scope=agency');
        report('export_rows', exported.rows);
        report('export_rows_per_s', exported.rowsPerSecond);
        report('export_first_byte_ms', exported.firstByteMs);
        lap('export');
      }

      // The reports dashboard: a caseworker who sees every area, with every filter at once (the issue's
      // target), with none, and over a year; and Kari's agency report.
      if (section('dashboard')) {
        const siri = new Client(app);
        await siri.login('siri@kundesenter.no', idp.issuer, base);
        const lonnGroup = await db
          .selectFrom('groups')
          .select('id')
          .where('code', '=', 'lonn')
          .executeTakeFirstOrThrow();
        const agency = await db
          .selectFrom('agencies')
          .select('id')
          .where('name', '=', largest.name)
          .executeTakeFirstOrThrow();
        const today = new Date().toISOString().slice(0, 10);
        const views: [string, string, Client][] = [
          [
            'all filters, 90 days',
            `/reports?from=${daysAfter(today, -89)}&to=${today}&area=lonn&group=${lonnGroup.id}&agency=${agency.id}`,
            siri,
          ],
          ['no filters, 30 days', '/reports', siri],
          ['area only, a year by week', `/reports?from=${daysAfter(today, -364)}&to=${today}&area=lonn`, siri],
          ['agency report (kari), 30 days', '/reports', kari],
        ];
        // Forty runs each: the year view takes 0.3–0.5 s a request, and its p95 moves little beyond forty.
        const dashboardRuns = Math.min(runs, 40);
        console.log(`\ndashboard; ${dashboardRuns} runs each; p95 ms (server time)`);
        const measured: Record<string, number> = {};
        for (const [label, path, client] of views) {
          const check = await client.get(path);
          if (check.statusCode !== 200) throw new Error(`${path} answered ${check.statusCode}`);
          measured[label] = p95(await serverTimes(path, client, dashboardRuns));
          console.log(label.padEnd(34) + String(measured[label]).padStart(10));
        }
        report('dashboard_p95_ms', measured['all filters, 90 days']!, '(all filters; goal ≤ 300)');
        report('dashboard_unfiltered_p95_ms', measured['no filters, 30 days']!);
        report('dashboard_year_p95_ms', measured['area only, a year by week']!);
        report('agency_report_p95_ms', measured['agency report (kari), 30 days']!);
        lap('dashboard');
      }

      if (section('api')) {
        await apiFigures(db, base, largest.name, runs, report);
        lap('api');
      }

      if (section('mail')) {
        const mail = await mailIn(db, config);
        report('mail_in', mail.count);
        report('mail_in_per_s', mail.perSecond, '(goal ≥ 50)');
        lap('mail');
      }
    } finally {
      agent.destroy();
      await app.close();
      await idp.close();
    }
  }

  // A million-row export in a process of its own, so its memory is measured alone.
  if (section('memory')) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', 'bench/export-memory.ts'], {
      env: { ...process.env, DATABASE_URL: url.href },
      encoding: 'utf8',
    });
    if (child.status !== 0) throw new Error(`export-memory failed: ${child.stderr}`);
    const memory = JSON.parse(child.stdout.trim().split('\n').pop()!) as {
      rows: number;
      peakRssMb: number;
      seconds: number;
    };
    report('export_all_rows', memory.rows);
    report('export_peak_rss_mb', memory.peakRssMb);
    report('export_all_rows_per_s', Math.round(memory.rows / memory.seconds));
    lap('memory');
  }

  if (section('faults')) {
    await faultFigures(report);
    lap('faults');
  }

  if (section('reporting')) {
    // A 100,000-row file for speed and memory, and a 1,000,000-row one that must stay within the same memory.
    // Measured on the compiled code, as production runs it (the Dockerfile starts dist/src/server.js).
    buildOnce();
    for (const size of [100_000, 1_000_000]) {
      const file = path.join(tmp, `reporting-${size}.csv`);
      const run = (args: string[]) => {
        const child = spawnSync(process.execPath, ['bench/reporting-check.mjs', ...args], { encoding: 'utf8' });
        if (child.status !== 0) throw new Error(`reporting-check ${args[0]} failed: ${child.stderr}`);
        return JSON.parse(child.stdout.trim().split('\n').pop()!);
      };
      const { sum } = run(['generate', String(size), file]) as { sum: number };
      const figures = run(['check', file, String(size), String(sum)]) as {
        rows: number;
        seconds: number;
        peakRssMb: number;
      };
      rmSync(file, { force: true });
      const suffix = size === 100_000 ? '' : '_1m';
      report(
        `reporting_rows_per_s${suffix}`,
        Math.round(figures.rows / figures.seconds),
        size === 100_000 ? '(goal ≥ 20000)' : '',
      );
      report(`reporting_peak_rss_mb${suffix}`, figures.peakRssMb, '(goal ≤ 200)');
    }
    lap('reporting');
  }
  if (!only) report('time_whole_run_s', Math.round((performance.now() - started) / 1000), '(goal ≤ 600 at 200,000)');

  console.log(`\n${casesNeeded ? total : 0} cases\n`);
  for (const [metric, value] of table) console.log(metric.padEnd(30) + value);
  mkdirSync('bench', { recursive: true });
  const earlier =
    only && existsSync('bench/results.json')
      ? (JSON.parse(readFileSync('bench/results.json', 'utf8')) as Record<string, number>)
      : {};
  writeFileSync('bench/results.json', `${JSON.stringify({ ...earlier, ...results }, null, 2)}\n`);
} finally {
  await db.destroy();
  if (!server && !keep) {
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.end();
  }
  await server?.stop();
  rmSync(tmp, { recursive: true, force: true });
}

function monthsAgo(months: number): string {
  const date = new Date();
  date.setUTCMonth(date.getUTCMonth() - months);
  return date.toISOString().slice(0, 10);
}

function daysAfter(isoDate: string, days: number): string {
  return new Date(Date.parse(isoDate) + days * 86_400_000).toISOString().slice(0, 10);
}

async function timeExport(base: string, client: Client, path: string) {
  const cookie = [...client.cookies].map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('; ');
  const started = performance.now();
  const response = await fetch(base + path, { headers: { cookie } });
  if (!response.ok || !response.body) throw new Error(`export answered ${response.status}`);
  let firstByteMs = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of response.body) {
    if (firstByteMs === 0) firstByteMs = performance.now() - started;
    chunks.push(Buffer.from(chunk));
  }
  const seconds = (performance.now() - started) / 1000;
  const { default: ExcelJS } = await import('exceljs');
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
  const rows = workbook.worksheets[0]!.rowCount - 1;
  return { rows, rowsPerSecond: Math.round(rows / seconds), firstByteMs: Math.round(firstByteMs) };
}

/**
 * Sustained incoming mail: BENCH_MAILS mails (default 1,000) from as many customers, sent over four SMTP
 * connections at once to the real listener, timed from the first send until the last is a case.
 */
async function mailIn(db: Db, config: Config) {
  const count = Number(process.env.BENCH_MAILS ?? 1000);
  const senders = await db
    .selectFrom('users')
    .innerJoin('agency_members', 'agency_members.user_id', 'users.id')
    .select('users.email')
    .where('users.email', 'like', '%.seed.no')
    .orderBy('users.id')
    .limit(count)
    .execute();
  const before = Number(
    (
      await db
        .selectFrom('cases')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
  // Verification on, as in production: mailauth checks SPF and DMARC for every mail, with the records
  // served locally (each seeded agency's domain allows 127.0.0.1 and publishes p=reject).
  const resolver = async (name: string, type: string) => {
    if (type === 'TXT' && name.endsWith('.seed.no'))
      return [[name.startsWith('_dmarc.') ? 'v=DMARC1; p=reject' : 'v=spf1 ip4:127.0.0.1 -all']];
    throw Object.assign(new Error(`${type} ${name}: not found`), { code: 'ENOTFOUND' });
  };
  const inbound = await startInboundSmtp(
    db,
    inboundSettings(config, {
      port: 0,
      host: '127.0.0.1',
      senderCheck: { mode: 'mailauth', authservId: 'mx.kundesenter.test', trustedRelays: [] },
      resolver,
    }),
  );
  try {
    const transports = Array.from({ length: 4 }, () =>
      nodemailer.createTransport({
        host: '127.0.0.1',
        port: inbound.port,
        secure: false,
        ignoreTLS: true,
        pool: true,
        maxConnections: 1,
      }),
    );
    const started = performance.now();
    let next = 0;
    await Promise.all(
      transports.map(async (transport) => {
        while (next < senders.length) {
          const i = next++;
          await transport.sendMail({
            from: senders[i]!.email,
            to: i % 2 === 0 ? 'lonn@kundesenter.no' : 'regnskap@kundesenter.no',
            subject: `Spørsmål om lønnskjøring ${i}`,
            text: `Hei,\n\nvi lurer på når lønnskjøringen for desember låses. Gjelder ${i} ansatte.\n\nHilsen\nLønnsansvarlig`,
            messageId: `<bench-${process.pid}-${i}@seed.no>`,
          });
        }
        transport.close();
      }),
    );
    for (;;) {
      const { pending } = await db
        .selectFrom('inbound_mail')
        .select((eb) => eb.fn.countAll<number>().as('pending'))
        .where('status', '=', 'pending')
        .executeTakeFirstOrThrow();
      if (Number(pending) === 0) break;
      await inbound.drain();
    }
    const seconds = (performance.now() - started) / 1000;
    const after = Number(
      (
        await db
          .selectFrom('cases')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
    if (after - before !== senders.length) throw new Error(`${senders.length} mails made ${after - before} cases`);
    console.log(`\nmail in: ${senders.length} mails into cases in ${seconds.toFixed(1)} s`);
    return { count: senders.length, perSecond: Math.round(senders.length / seconds) };
  } finally {
    await inbound.close();
  }
}
