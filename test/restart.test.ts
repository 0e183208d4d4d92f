// A development start as `npm start` does it, on its own embedded PostgreSQL: the first start prepares
// the empty database, a restart on the same data folder repeats none of that work, and SIGTERM keeps the
// database up through the drain and stops it last.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { freePort } from './net.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Running {
  process: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

async function start(env: NodeJS.ProcessEnv, port: number): Promise<Running> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  child.stderr!.on('data', (chunk: Buffer) => {
    output += chunk.toString();
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  for (let waited = 0; ; waited += 100) {
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null || waited > 120_000) throw new Error(`the server did not start:\n${output}`);
    await sleep(100);
  }
  return { process: child, output: () => output, exited };
}

t.test('a restart repeats no start-up work, and SIGTERM stops the embedded database last', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ks-restart-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    DATABASE_URL: '',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(await freePort()),
    DEV_OIDC_PORT: String(await freePort()),
    INBOUND_SMTP_PORT: String(await freePort()),
    SESSION_SECRET: randomBytes(32).toString('base64'),
    SHUTDOWN_DRAIN_SECONDS: '1',
    LOG_LEVEL: 'info',
  };
  delete env.DATABASE_URL;

  const first = await start(env, port);
  t.teardown(() => first.process.kill('SIGKILL'));
  t.match(first.output(), /migrations applied/, 'the first start migrates the empty database');
  t.match(first.output(), /demo data seeded into the empty database/, 'and seeds the demo data');

  first.process.kill('SIGTERM');
  await sleep(200);
  const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
  t.equal(ready.status, 503, 'readiness says no at once');
  const page = await fetch(`http://127.0.0.1:${port}/kb`);
  t.equal(page.status, 200, 'a page that reads the database is still served during the drain');
  t.equal(await first.exited, 0, 'a clean exit');
  t.notOk(existsSync(path.join(dataDir, 'pg', 'postmaster.pid')), 'PostgreSQL stopped with it');
  t.notMatch(first.output(), /database connection lost/, 'no connection was cut under the app');

  const second = await start(env, port);
  t.teardown(() => second.process.kill('SIGKILL'));
  t.notMatch(second.output(), /migrations applied/, 'a restart has nothing to migrate');
  t.notMatch(second.output(), /demo data seeded/, 'and seeds nothing into a database that has data');
  const home = await fetch(`http://127.0.0.1:${port}/kb`);
  t.equal(home.status, 200, 'and serves pages from the same data');
  second.process.kill('SIGTERM');
  t.equal(await second.exited, 0);
});
