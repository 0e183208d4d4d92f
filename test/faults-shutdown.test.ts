// A shutdown a load balancer can follow: the real server process under load gets SIGTERM; readiness
// turns 503 at once, pages are served through the drain, and no request ever sees a reset connection.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { freshDatabase } from './helpers.js';
import { freePort } from './net.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Answer {
  status: number;
  error?: string;
  html: boolean;
  at: number;
}

/** One GET over a keep-alive agent; a connection error is kept as its code. */
function get(agent: Agent, port: number, pathname: string): Promise<Answer> {
  return new Promise((resolve) => {
    const started = Date.now();
    const req = request({ host: '127.0.0.1', port, path: pathname, agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, html: body.includes('<html'), at: started }),
      );
      response.on('error', (error: NodeJS.ErrnoException) =>
        resolve({ status: 0, error: error.code ?? error.message, html: false, at: started }),
      );
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      resolve({ status: 0, error: error.code ?? error.message, html: false, at: started }),
    );
    req.end();
  });
}

t.test(
  'SIGTERM under load: readiness says no at once, requests finish, nothing is reset',
  { timeout: 120_000 },
  async (t) => {
    const { url } = await freshDatabase(t);
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ks-shutdown-'));
    t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
    const port = await freePort();
    const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'development',
        DATABASE_URL: url,
        PORT: String(port),
        HOST: '127.0.0.1',
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        DATA_DIR: dataDir,
        DEV_OIDC_PORT: String(await freePort()),
        INBOUND_SMTP_PORT: String(await freePort()),
        SESSION_SECRET: randomBytes(32).toString('base64'),
        SHUTDOWN_DRAIN_SECONDS: '2',
        LOG_LEVEL: 'warn',
      },
      stdio: 'ignore',
    });
    t.teardown(() => server.kill('SIGKILL'));
    let exitedAt = 0;
    let exitCode: number | null = null;
    const exited = new Promise<void>((resolve) =>
      server.once('exit', (code) => {
        exitedAt = Date.now();
        exitCode = code;
        resolve();
      }),
    );
    const agent = new Agent({ keepAlive: true, maxSockets: 4 });
    t.teardown(() => agent.destroy());
    const deadline = Date.now() + 90_000;
    while ((await get(agent, port, '/readyz')).status !== 200) {
      if (Date.now() > deadline) throw new Error('the server did not become ready');
      await sleep(200);
    }

    // Four clients on keep-alive connections, as a load balancer's pool would be.
    const answers: Answer[] = [];
    let loading = true;
    const load = Promise.all(
      Array.from({ length: 4 }, async () => {
        // Like a load balancer, each client stops sending at its first refusal.
        while (loading) {
          const answer = await get(agent, port, '/');
          answers.push(answer);
          if (answer.status !== 200) break;
        }
      }),
    );
    await sleep(500);
    const signalledAt = Date.now();
    server.kill('SIGTERM');
    await sleep(100);
    const readiness = await get(agent, port, '/readyz');
    await exited;
    loading = false;
    await load;

    t.equal(readiness.status, 503, 'readiness answers 503 at once');
    const duringDrain = answers.filter((a) => a.at > signalledAt + 200 && a.at < signalledAt + 1800);
    t.ok(duringDrain.length > 0 && duringDrain.every((a) => a.status === 200), 'pages are served through the drain');
    const resets = answers.filter((a) => a.error !== undefined && a.error !== 'ECONNREFUSED');
    t.same(
      resets.map((a) => `${a.error} at +${a.at - signalledAt} ms (exit at +${exitedAt - signalledAt} ms)`),
      [],
      'no request saw its connection reset',
    );
    const refusedPages = answers.filter((a) => a.status === 503);
    t.ok(refusedPages.length > 0, 'the late requests were answered 503');
    t.ok(
      refusedPages.every((a) => a.html),
      `a request arriving while closing gets our 503 page (${refusedPages.length} of ${answers.length})`,
    );
    t.equal(exitCode, 0, 'a clean exit');
    t.ok(
      exitedAt - signalledAt < 12_000,
      `stopped ${exitedAt - signalledAt} ms after SIGTERM (drain 2 s + at most 10 s)`,
    );
  },
);
