// The real server as an operator runs it, in a process of its own, for the fault tests and the bench:
// start it and wait until it is ready, read pages, sample its memory, kill an outbox worker mid-burst.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { ParsedMail } from 'mailparser';
import type { Db } from '../src/db/index.js';
import { enqueueMail } from '../src/mail/outbox.js';
import { startOutboxWorker } from '../src/mail/worker.js';
import { freePort } from './net.js';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Tries `attempt` every 100 ms until it gives a value; throws after `timeoutMs`. */
export async function until<T>(what: string, timeoutMs: number, attempt: () => Promise<T | undefined>): Promise<T> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    const result = await attempt();
    if (result !== undefined) return result;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** GET a path of a running server; a refused connection is status 0. */
export async function getPage(
  base: string,
  pathname: string,
): Promise<{ status: number; body: string; retryAfter: string | null }> {
  try {
    const response = await fetch(`${base}${pathname}`, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
    return { status: response.status, body: await response.text(), retryAfter: response.headers.get('retry-after') };
  } catch {
    return { status: 0, body: '', retryAfter: null };
  }
}

/**
 * A running server reached over HTTP in the shape of Fastify's `inject`, so the tests' `Client` (its login
 * through the identity provider, its cookies and forms) works against a process of its own.
 */
export function overHttp(base: string): FastifyInstance {
  const inject = async (options: {
    method: string;
    url: string;
    headers?: Record<string, string>;
    payload?: string | Buffer;
  }) => {
    const response = await fetch(`${base}${options.url}`, {
      method: options.method,
      headers: options.headers,
      body: options.payload,
      redirect: 'manual',
      signal: AbortSignal.timeout(10_000),
    });
    const cookies = response.headers.getSetCookie().map((line) => {
      const [pair = '', ...attributes] = line.split(';');
      const at = pair.indexOf('=');
      const maxAge = attributes.map((a) => /^\s*max-age=(-?\d+)/i.exec(a)?.[1]).find((v) => v !== undefined);
      return {
        name: pair.slice(0, at).trim(),
        value: decodeURIComponent(pair.slice(at + 1).trim()),
        ...(maxAge === undefined ? {} : { maxAge: Number(maxAge) }),
      };
    });
    return {
      statusCode: response.status,
      headers: Object.fromEntries(response.headers),
      body: await response.text(),
      cookies,
    };
  };
  return { inject } as unknown as FastifyInstance;
}

/** The environment of a development server on free ports; `DATABASE_URL` absent means its own embedded one. */
export async function serverEnv(dataDir: string, settings: Record<string, string> = {}): Promise<NodeJS.ProcessEnv> {
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATA_DIR: dataDir,
    EMBEDDED_PG_PORT: String(await freePort()),
    DEV_OIDC_PORT: String(await freePort()),
    INBOUND_SMTP_PORT: String(await freePort()),
    SESSION_SECRET: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
    ...settings,
  };
  if (!settings.DATABASE_URL) delete env.DATABASE_URL;
  return env;
}

export interface ServerProcess {
  child: ChildProcess;
  base: string;
  output: () => string;
  exited: Promise<number | null>;
  /** From spawn to the first 200 from /readyz. */
  readyMs: number;
}

/** Spawns the server (TypeScript through tsx, or the compiled `dist/`) and waits until it is ready. */
export async function startServer(env: NodeJS.ProcessEnv, options: { dist?: boolean } = {}): Promise<ServerProcess> {
  const started = performance.now();
  const args = options.dist ? ['dist/src/server.js'] : ['--import', 'tsx', 'src/server.ts'];
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const base = `http://127.0.0.1:${env.PORT}`;
  for (;;) {
    const ready = await fetch(`${base}/readyz`).then(
      (response) => response.status === 200,
      () => false,
    );
    if (ready) break;
    if (child.exitCode !== null || performance.now() - started > 120_000) {
      child.kill('SIGKILL');
      throw new Error(`the server did not start:\n${output}`);
    }
    await sleep(20);
  }
  return { child, base, output: () => output, exited, readyMs: Math.round(performance.now() - started) };
}

/** Resident memory of a process in MB, from /proc. */
export function rssMb(pid: number): number {
  const kb = Number(/^VmRSS:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return kb / 1024;
}

/** Runs `work` while sampling another process's RSS every 10 ms; the peak increase in MB. */
export async function peakRssDelta<T>(pid: number, work: () => Promise<T>): Promise<{ result: T; deltaMb: number }> {
  const before = rssMb(pid);
  let peak = before;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssMb(pid));
  }, 10);
  try {
    const result = await work();
    peak = Math.max(peak, rssMb(pid));
    return { result, deltaMb: Math.round((peak - before) * 10) / 10 };
  } finally {
    clearInterval(timer);
  }
}

/**
 * Queues `mails` acknowledgements and kills an outbox worker process `kills` times while it sends them,
 * then lets a worker in this process finish. Answers how many arrived in all, and how many distinct.
 */
export async function outboxKillLoop(
  db: Db,
  databaseUrl: string,
  inbox: { url: string; received: ParsedMail[] },
  { mails, kills }: { mails: number; kills: number },
): Promise<{ received: number; distinct: number; duplicates: number; unsent: number }> {
  await db.deleteFrom('outbox').execute();
  const first = inbox.received.length;
  for (let i = 0; i < mails; i++)
    await enqueueMail(db, {
      kind: 'case_acknowledgement',
      idempotencyKey: `burst:${i}`,
      recipient: `kunde${i}@demoetaten.no`,
      language: 'nb',
      payload: { name: `Kunde ${i}`, number: `2026-${String(i).padStart(6, '0')}`, link: 'http://127.0.0.1/' },
    });
  for (let round = 0; round < kills; round++) {
    const worker = spawn(process.execPath, ['--import', 'tsx', 'test/fixtures/outbox-worker.ts'], {
      env: { ...process.env, DATABASE_URL: databaseUrl, SMTP_URL: inbox.url, OUTBOX_LEASE_MS: '700' },
      stdio: 'ignore',
    });
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    // Let it start and send a few, then kill it wherever it is.
    const before = inbox.received.length;
    const deadline = Date.now() + 20_000;
    while (inbox.received.length < before + 2 + round && Date.now() < deadline) await sleep(20);
    worker.kill('SIGKILL');
    await exited;
  }
  const finisher = startOutboxWorker(
    db,
    {
      smtpUrl: inbox.url,
      from: 'test@example.no',
      messageIdDomain: 'localhost',
      tokenKeys: ['a-test-key-of-at-least-32-bytes-long'],
    },
    { pollMs: 50, retryBaseMs: 100, leaseMs: 700 },
  );
  try {
    await until('every mail to be sent', 60_000, async () =>
      (await db.selectFrom('outbox').select('id').where('sent_at', 'is', null).executeTakeFirst()) ? undefined : true,
    ).catch(() => undefined);
  } finally {
    await finisher.stop();
  }
  const received = inbox.received.slice(first);
  const distinct = new Set(received.map((mail) => mail.messageId ?? '')).size;
  const unsent = (await db.selectFrom('outbox').select('id').where('sent_at', 'is', null).execute()).length;
  return { received: received.length, distinct, duplicates: received.length - distinct, unsent };
}
