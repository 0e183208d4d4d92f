// build(t): a fresh app on a fresh database cloned from the migrated template, with its own
// development identity provider; login() walks the real OIDC flow; mailbox() is a real SMTP server.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { buildApp } from '../src/app.js';
import { loadConfig, type Config } from '../src/config.js';
import { createDb, type Db, type DbOptions } from '../src/db/index.js';
import { OidcClient } from '../src/auth/oidc.js';
import { loadViewer, type Viewer } from '../src/auth/viewer.js';
import { startDevIdentityProvider, type DevIdentityProvider } from '../src/auth/dev-idp.js';
import { mailSettings, startOutboxWorker } from '../src/mail/worker.js';
import { adminStatement, freePort } from './net.js';
import { SMTPServer } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';

export { freePort };

type Test = { teardown(fn: () => unknown): void };

const adminUrl = process.env.TEST_ADMIN_URL;
const template = process.env.TEST_TEMPLATE_DB;

export function databaseUrl(name: string): string {
  const url = new URL(adminUrl!);
  url.pathname = `/${name}`;
  return url.href;
}

/** The viewer `email` would be in a session of their own, made in `db` (for code called below the routes). */
export async function viewerFor(db: Db, email: string): Promise<Viewer> {
  const user = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirstOrThrow();
  const session = await db
    .insertInto('sessions')
    .values({ user_id: user.id })
    .returning('id')
    .executeTakeFirstOrThrow();
  const viewer = await loadViewer(db, session.id);
  if (!viewer) throw new Error(`no viewer for ${email}`);
  return viewer;
}

/** A database of this test's own, cloned from the template in milliseconds. */
export async function freshDatabase(t: Test, timeouts?: DbOptions['timeouts']): Promise<{ db: Db; url: string }> {
  if (!adminUrl || !template)
    throw new Error('Run the tests with `npm test`: it starts PostgreSQL and prepares the template database.');
  const name = `ks_test_${randomBytes(6).toString('hex')}`;
  await adminStatement(adminUrl!, `CREATE DATABASE ${name} TEMPLATE ${template}`);
  const url = databaseUrl(name);
  const db = createDb(url, { max: 4, timeouts });
  t.teardown(async () => {
    await db.destroy();
    await adminStatement(adminUrl!, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
  return { db, url };
}

export interface TestApp {
  app: FastifyInstance;
  db: Db;
  config: Config;
  idp: DevIdentityProvider;
  /** Base URL when built with `listen: true` (browser tests). */
  baseUrl: string;
  client(): Client;
  /** Runs the login flow and returns the callback's answer, whatever it is. */
  /** `level` picks the login level on the provider's page (an acr value); by default, what the roles need. */
  attemptLogin(email: string, level?: string | string[]): Promise<{ client: Client; callback: LightMyRequestResponse }>;
  login(email: string): Promise<Client>;
}

export interface BuildOptions {
  listen?: boolean;
  env?: Record<string, string>;
  /** Run the outbox worker, fast, against this SMTP URL (see mailbox()). */
  smtpUrl?: string;
  /** The database's timeouts (the app's database is the test's own, not one made from `env`). */
  databaseTimeouts?: DbOptions['timeouts'];
}

export async function build(t: Test, options: BuildOptions = {}): Promise<TestApp> {
  const { db, url } = await freshDatabase(t, options.databaseTimeouts);
  const port = options.listen ? await freePort() : 3000;
  const host = '127.0.0.1';
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ks-app-'));
  const config = loadConfig({
    PUBLIC_URL: `http://${host}:${port}`,
    DATA_DIR: dataDir,
    DATABASE_URL: url,
    SESSION_SECRET: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'silent',
    ...(options.smtpUrl ? { SMTP_URL: options.smtpUrl } : {}),
    ...options.env,
  });
  const idp = await startDevIdentityProvider({ host, port: 0, publicUrl: config.publicUrl });
  const base = config.publicUrl.href.replace(/\/$/, '');
  const oidc = new OidcClient({ ...idp, redirectUri: `${base}/auth/callback`, postLogoutRedirectUri: `${base}/` });
  const app = await buildApp({ config, db, oidc, logger: false });
  if (options.listen) await app.listen({ port, host });
  else await app.ready();
  const worker = options.smtpUrl
    ? startOutboxWorker(db, mailSettings(config), { pollMs: 50, retryBaseMs: 100 })
    : undefined;
  t.teardown(async () => {
    await worker?.stop();
    await app.close();
    await idp.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const testApp: TestApp = {
    app,
    db,
    config,
    idp,
    baseUrl: base,
    client: () => new Client(app),
    attemptLogin: async (email, level) => {
      const client = new Client(app);
      return { client, callback: await client.login(email, idp.issuer, base, level) };
    },
    login: async (email) => {
      const client = new Client(app);
      const callback = await client.login(email, idp.issuer, base);
      if (callback.statusCode !== 303) throw new Error(`login as ${email} ended with ${callback.statusCode}`);
      return client;
    },
  };
  return testApp;
}

/** A browser-like user of the app: keeps its cookies, reads CSRF tokens from the pages it gets. */
export interface UploadFile {
  field?: string;
  name: string;
  type?: string;
  data: Buffer;
}

/** The fields of a general enquiry, the form every area has. */
export function enquiry(
  area: string,
  title: string,
  body: string,
  extra: Record<string, string | string[]> = {},
): Record<string, string | string[]> {
  return { area, form_code: 'henvendelse', f_kind: 'question', title, body, ...extra };
}

/** Opens the form (for its CSRF token) and submits it, with files when given. */
export async function submitCase(
  client: Client,
  fields: Record<string, string | string[]>,
  files: UploadFile[] = [],
): Promise<LightMyRequestResponse> {
  await client.get(
    `/cases/new?area=${encodeURIComponent(String(fields.area))}&form=${encodeURIComponent(String(fields.form_code))}`,
  );
  return files.length > 0 ? client.postMultipart('/cases', fields, files) : client.post('/cases', fields);
}

export class Client {
  readonly cookies = new Map<string, string>();
  csrfToken: string | undefined;
  /** How often the last login showed the provider's login page (twice with a step-up). */
  providerVisits = 0;

  constructor(private readonly app: FastifyInstance) {}

  private remember(response: LightMyRequestResponse): LightMyRequestResponse {
    for (const cookie of response.cookies as { name: string; value: string; expires?: Date; maxAge?: number }[]) {
      const expired =
        cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() < Date.now()) || cookie.value === '';
      if (expired) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
    const token = /name="_csrf" value="([^"]+)"/.exec(response.body)?.[1];
    if (token) this.csrfToken = token;
    return response;
  }

  /** The Cookie header a browser would send now. */
  cookieHeader(): string {
    return [...this.cookies].map(([name, value]) => `${name}=${encodeURIComponent(value)}`).join('; ');
  }

  async get(url: string, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
    return this.remember(
      await this.app.inject({ method: 'GET', url, headers: { cookie: this.cookieHeader(), ...headers } }),
    );
  }

  /** Posts a form the way a browser does; the CSRF token of the last page is included unless given. */
  async post(
    url: string,
    fields: Record<string, string | string[]>,
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const form = new URLSearchParams();
    if (this.csrfToken && !('_csrf' in fields)) form.append('_csrf', this.csrfToken);
    for (const [name, value] of Object.entries(fields)) for (const one of [value].flat()) form.append(name, one);
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url,
        payload: form.toString(),
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: this.cookieHeader(), ...headers },
      }),
    );
  }

  /** Posts a multipart form with files, as a browser does for a form with enctype="multipart/form-data". */
  async postMultipart(
    url: string,
    fields: Record<string, string | string[]>,
    files: UploadFile[] = [],
    headers: Record<string, string> = {},
  ): Promise<LightMyRequestResponse> {
    const form = new FormData();
    if (this.csrfToken && !('_csrf' in fields)) form.append('_csrf', this.csrfToken);
    for (const [name, value] of Object.entries(fields)) for (const one of [value].flat()) form.append(name, one);
    for (const file of files)
      form.append(
        file.field ?? 'attachments',
        new Blob([file.data], { type: file.type ?? 'application/octet-stream' }),
        file.name,
      );
    const encoded = new Request('http://localhost/', { method: 'POST', body: form });
    // Like the page's form: the token rides in the action URL, so it is checked before any file is read.
    const token = typeof fields._csrf === 'string' ? fields._csrf : this.csrfToken;
    return this.remember(
      await this.app.inject({
        method: 'POST',
        url: token ? `${url}${url.includes('?') ? '&' : '?'}_csrf=${encodeURIComponent(token)}` : url,
        payload: Buffer.from(await encoded.arrayBuffer()),
        headers: { 'content-type': encoded.headers.get('content-type')!, cookie: this.cookieHeader(), ...headers },
      }),
    );
  }

  /** The real authorization code flow: app → identity provider's login page → app callback's answer. */
  /** `level`: the level chosen on the provider's page, or one per visit to it (a step-up visits twice). */
  async login(
    email: string,
    issuer: string,
    appBase: string,
    level?: string | string[],
  ): Promise<LightMyRequestResponse> {
    const levels = [level ?? []].flat();
    this.providerVisits = 0;
    const start = await this.get('/login');
    if (start.statusCode !== 302) throw new Error(`/login answered ${start.statusCode}`);
    const idpCookies = new Map<string, string>();
    let url = start.headers.location as string;
    let method = 'GET';
    let body: string | undefined;
    for (let hop = 0; hop < 15; hop++) {
      if (url.startsWith(appBase)) {
        const answer = await this.get(url.slice(appBase.length));
        // A step-up sends the browser back to the provider; anything else is the login's outcome.
        const next = answer.statusCode === 302 ? String(answer.headers.location ?? '') : '';
        if (!next.startsWith(issuer)) return answer;
        url = next;
        continue;
      }
      const response = await fetch(url, {
        method,
        redirect: 'manual',
        body,
        headers: {
          cookie: [...idpCookies].map(([k, v]) => `${k}=${v}`).join('; '),
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
      });
      for (const header of response.headers.getSetCookie()) {
        const [pair = ''] = header.split(';');
        const index = pair.indexOf('=');
        idpCookies.set(pair.slice(0, index), pair.slice(index + 1));
      }
      if (response.status >= 300 && response.status < 400) {
        url = new URL(response.headers.get('location')!, url).href;
        method = 'GET';
        body = undefined;
        continue;
      }
      const html = await response.text();
      const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1];
      if (response.status !== 200 || !action)
        throw new Error(`identity provider answered ${response.status}: ${html.slice(0, 300)}`);
      url = new URL(action, issuer).href;
      method = 'POST';
      const chosen = levels[Math.min(this.providerVisits++, levels.length - 1)];
      body = new URLSearchParams({ email, ...(chosen ? { level: chosen } : {}) }).toString();
    }
    throw new Error('too many redirects while logging in');
  }
}

/** The case numbers a list page shows, one per row (the number's own link; the title links there too). */
export const caseNumbersIn = (body: string): string[] =>
  [...body.matchAll(/href="\/cases\/(\d{4}-\d{6})">\1</g)].map((m) => m[1]!);

export function text(html: string): string {
  return html.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ');
}

export interface Mailbox {
  url: string;
  received: ParsedMail[];
  /** Resolves with the first mail that matches, or rejects after the timeout. */
  waitFor(predicate: (mail: ParsedMail) => boolean, timeoutMs?: number): Promise<ParsedMail>;
  close(): Promise<void>;
}

/** A real SMTP server on loopback that parses what it receives. */
export interface MailboxOptions {
  /**
   * Holds each message after its data arrived and before the server answers 250 until this resolves;
   * `held` is told when one is waiting. A message whose sender hung up meanwhile is discarded, as a
   * real mail server does with a transaction it never confirmed.
   */
  hold?: { until: Promise<void>; held: () => void };
  /** Told when a client connection closes. */
  onClose?: () => void;
}

export async function mailbox(t: Test, port = 0, options: MailboxOptions = {}): Promise<Mailbox> {
  const received: ParsedMail[] = [];
  const waiters = new Set<() => void>();
  const closed = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onClose(session) {
      closed.add(session.id);
      options.onClose?.();
    },
    onData(stream, session, callback) {
      simpleParser(stream)
        .then(async (mail) => {
          if (options.hold) {
            options.hold.held();
            await options.hold.until;
          }
          if (closed.has(session.id)) return callback(new Error('the client went away before the answer'));
          // The envelope sender, which the parsed message does not carry: the bounce address.
          received.push(
            Object.assign(mail, { envelopeFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '' }),
          );
          for (const wake of waiters) wake();
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const actualPort = (server.server.address() as { port: number }).port;
  const close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  t.teardown(close);
  return {
    url: `smtp://127.0.0.1:${actualPort}`,
    received,
    close,
    waitFor: (predicate, timeoutMs = 10_000) =>
      new Promise((resolve, reject) => {
        const check = () => {
          const found = received.find(predicate);
          if (!found) return false;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(found);
          return true;
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`no matching mail within ${timeoutMs} ms (received ${received.length})`));
        }, timeoutMs);
        if (!check()) waiters.add(check);
      }),
  };
}

/** Adds `count` members "Bruker 1" … to an agency, with e-mail `<prefix>1@demoetaten.no` …; returns the agency's id. */
export async function addNumberedMembers(db: Db, orgNumber: string, count: number, emailPrefix: string) {
  const agency = await db
    .selectFrom('agencies')
    .select('id')
    .where('org_number', '=', orgNumber)
    .executeTakeFirstOrThrow();
  const users = await db
    .insertInto('users')
    .values(
      Array.from({ length: count }, (_, i) => ({
        name: `Bruker ${i + 1}`,
        email: `${emailPrefix}${i + 1}@demoetaten.no`,
      })),
    )
    .returning('id')
    .execute();
  await db
    .insertInto('agency_members')
    .values(users.map((u) => ({ agency_id: agency.id, user_id: u.id })))
    .execute();
  return agency.id;
}
