// A database outage as an operator sees one: the real server process, on a PostgreSQL of its own
// (the same npm binaries the tests use), stopped under light load and started again.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded.js';
import { ensureDatabase } from '../src/db/connect.js';
import { freePort } from './net.js';
import { getPage as get, sleep, until } from './processes.js';

t.test(
  'a database outage: the process lives, pages answer our 503 with Retry-After, and it recovers by itself',
  { timeout: 180_000 },
  async (t) => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ks-fault-'));
    const pgPort = await freePort();
    const startDatabase = () => startEmbeddedPostgres({ dataDir, port: pgPort, fast: true });
    let database: EmbeddedServer | undefined = await startDatabase();
    let server: ChildProcess | undefined;
    t.teardown(async () => {
      server?.kill('SIGKILL');
      await database?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });
    await ensureDatabase(database.url('postgres'), 'kundesenter');

    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const output: string[] = [];
    server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'development',
        DATABASE_URL: database.url('kundesenter'),
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: base,
        DATA_DIR: path.join(dataDir, 'app'),
        DEV_OIDC_PORT: String(await freePort()),
        INBOUND_SMTP_PORT: String(await freePort()),
        SESSION_SECRET: randomBytes(32).toString('base64'),
        DATABASE_CONNECT_TIMEOUT_MS: '1000',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString()));
    let exited: number | null | undefined;
    server.on('exit', (code) => {
      exited = code;
    });

    await until('the server to be ready', 90_000, async () =>
      (await get(base, '/readyz')).status === 200 ? true : undefined,
    );
    t.equal((await get(base, '/')).status, 200, 'the home page is served');

    // Light load through the stop, so that queries are in flight when the connections drop.
    let loading = true;
    const load = Promise.all(
      Array.from({ length: 6 }, async (_, i) => {
        while (loading) await get(base, i % 2 === 0 ? '/' : '/kb?q=feriepenger');
      }),
    );
    await sleep(500);
    await database.stop();
    database = undefined;
    // Light load while the database is away: pages, the readiness probe, the liveness probe.
    const during: { page: number; ready: number; live: number; retryAfter: string | null; body: string }[] = [];
    for (let round = 0; round < 15; round++) {
      const [page, ready, live] = await Promise.all([get(base, '/'), get(base, '/readyz'), get(base, '/healthz')]);
      during.push({
        page: page.status,
        ready: ready.status,
        live: live.status,
        retryAfter: page.retryAfter,
        body: page.body,
      });
      await sleep(200);
    }
    loading = false;
    await load;
    t.equal(exited, undefined, 'the process is still running');
    t.ok(
      during.every((d) => d.page === 503),
      `every page answered 503 (${[...new Set(during.map((d) => d.page))].join(', ')})`,
    );
    t.ok(
      during.every((d) => d.ready === 503),
      'the readiness probe says not ready',
    );
    t.ok(
      during.every((d) => d.live === 200),
      'the liveness probe says alive',
    );
    t.equal(during[0]!.retryAfter, '5', 'with Retry-After');
    t.match(during[0]!.body, 'Tjenesten er midlertidig utilgjengelig', 'our translated message, not an internal error');
    t.match(during[0]!.body, /<html[^>]*lang="nb"/, 'on our page');

    database = await startDatabase();
    const backAt = Date.now();
    await until('pages to be served again', 20_000, async () =>
      (await get(base, '/')).status === 200 ? true : undefined,
    );
    const recoveryMs = Date.now() - backAt;
    t.comment(`database recovery: first 200 ${recoveryMs} ms after PostgreSQL was started again`);
    t.ok(recoveryMs < 10_000, `pages are served again ${recoveryMs} ms after the database is back, without a restart`);
    t.equal((await get(base, '/readyz')).status, 200, 'and the server is ready again');
    t.equal(exited, undefined, 'the same process');
    t.notMatch(output.join(''), /Unhandled 'error' event/, 'no unhandled error event was logged');
  },
);
