// Reads and validates the environment once. Every setting a deployment may change is named here.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { isLoginLevel, type LoginLevel, type LoginLevelSettings } from './auth/strength.js';
import { defaultTimeouts, type DatabaseTimeouts } from './db/index.js';

export interface Config {
  readonly production: boolean;
  /** Webhooks over plain HTTP to loopback addresses (development and tests); production refuses it. */
  readonly webhooksAllowLoopback: boolean;
  readonly port: number;
  readonly host: string;
  readonly publicUrl: URL;
  readonly dataDir: string;
  /** Absent in development: an embedded PostgreSQL is started under `dataDir`. */
  readonly databaseUrl: string | undefined;
  readonly embeddedPgPort: number;
  /** Connecting, one statement, and a transaction left idle: each ends with an error rather than a hang. */
  readonly databaseTimeouts: DatabaseTimeouts;
  /** Absent in development: the built-in identity provider is started on `devIdpPort`. */
  readonly oidc: { readonly issuer: string; readonly clientId: string; readonly clientSecret: string } | undefined;
  readonly devIdpPort: number;
  readonly sessionSecret: string;
  /** The key of the audit trail's hash chain; without it the chain can be neither written nor verified. */
  readonly auditKey: string;
  /** Sessions end after this much inactivity, and at most this long after login. */
  readonly sessionLimits: { readonly idleMinutes: number; readonly maxHours: number };
  /** How strongly staff and customers must log in (`acr`); a weaker login is sent back for a step-up. */
  readonly loginLevels: LoginLevelSettings;
  /** Absent in development: mail is kept for the dev mail page instead of being sent. */
  readonly smtpUrl: string | undefined;
  readonly mailFrom: string;
  readonly inboundSmtpPort: number;
  /** Where the SMTP listener binds: loopback unless the centre's mail gateway needs to reach it. */
  readonly inboundSmtpHost: string;
  /** Proxies whose X-Forwarded-For is believed: none, a hop count, or their addresses and CIDR ranges. */
  readonly trustProxy: boolean | number | string[];
  /** How the sender of incoming mail is verified (docs/email.md, "Who sent it"). */
  readonly senderCheck: SenderCheckSettings;
  /**
   * Keys of the reply tokens in our Reply-To addresses and of the mark in our Message-IDs: the first
   * makes new ones, every one is accepted on receipt, so a key can be rotated without losing replies.
   */
  readonly mailTokenKeys: readonly string[];
  /** A mailbox to poll for incoming mail as well, when the centre's mail system needs it. */
  readonly inboundImap: ImapSettings | undefined;
  readonly workers: boolean;
  readonly logLevel: string;
  /** After SIGTERM, how long /readyz answers 503 while requests are still served. */
  readonly shutdownDrainSeconds: number;
  /** Uploads one process reads at once; beyond it, 503 with Retry-After. */
  readonly uploadsMaxConcurrent: number;
  /** Case list exports one process streams at once (each holds a database connection); beyond it, 503. */
  readonly exportsMaxConcurrent: number;
  /** Caseworkers get a notice when a running deadline is this many working hours away; 0: never. */
  readonly noticeDeadlineHours: number;
  /** Largest single attachment and largest total per case, in bytes. */
  readonly attachmentLimits: { readonly fileBytes: number; readonly caseBytes: number };
  /** Largest periodic report file, in bytes. */
  readonly reportingFileBytes: number;
}

export interface SenderCheckSettings {
  /** `mailauth`: the app checks SPF, DKIM, DMARC and ARC; `gateway`: it believes the gateway's result. */
  readonly mode: 'mailauth' | 'gateway' | 'off';
  /** The gateway's authserv-id: only an Authentication-Results header with this id is read. */
  readonly authservId: string;
  /** Addresses and CIDR ranges the gateway connects from; its header is believed only from them. */
  readonly trustedRelays: readonly string[];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env): Config {
  const problems: string[] = [];
  const production = env.NODE_ENV === 'production';
  const get = (name: string): string | undefined => {
    const value = env[name]?.trim();
    return value === '' ? undefined : value;
  };
  const port = (name: string, fallback: number): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 0 || value > 65535) {
      problems.push(`${name} must be a port number (0-65535), got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const megabytes = (name: string, fallback: number): number => {
    const raw = get(name);
    if (raw === undefined) return fallback * 1024 * 1024;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0 || value > 1024) {
      problems.push(`${name} must be a number of megabytes between 0 and 1024, got "${raw}"`);
      return fallback * 1024 * 1024;
    }
    return Math.floor(value * 1024 * 1024);
  };
  const whole = (name: string, fallback: number, min: number, max: number): number => {
    const raw = get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      problems.push(`${name} must be a whole number between ${min} and ${max}, got "${raw}"`);
      return fallback;
    }
    return value;
  };
  const url = (name: string, fallback: string): URL => {
    const raw = get(name) ?? fallback;
    try {
      const parsed = new URL(raw);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
      return parsed;
    } catch {
      problems.push(`${name} must be an http(s) URL, got "${raw}"`);
      return new URL(fallback);
    }
  };

  const dataDir = path.resolve(get('DATA_DIR') ?? './data');
  const publicUrl = url('PUBLIC_URL', 'http://localhost:3000');
  publicUrl.pathname = publicUrl.pathname.replace(/\/+$/, '');

  const issuer = get('OIDC_ISSUER');
  let oidc: Config['oidc'];
  if (issuer) {
    const clientId = get('OIDC_CLIENT_ID');
    const clientSecret = get('OIDC_CLIENT_SECRET');
    if (!clientId) problems.push('OIDC_CLIENT_ID must be set when OIDC_ISSUER is set');
    if (!clientSecret) problems.push('OIDC_CLIENT_SECRET must be set when OIDC_ISSUER is set');
    try {
      new URL(issuer);
    } catch {
      problems.push(`OIDC_ISSUER must be a URL, got "${issuer}"`);
    }
    oidc = { issuer, clientId: clientId ?? '', clientSecret: clientSecret ?? '' };
  } else if (production) {
    problems.push(
      'OIDC_ISSUER (with OIDC_CLIENT_ID and OIDC_CLIENT_SECRET) must be set in production: the development ' +
        'identity provider is refused',
    );
  }

  let sessionSecret = get('SESSION_SECRET');
  if (sessionSecret !== undefined && Buffer.byteLength(sessionSecret) < 32) {
    problems.push('SESSION_SECRET must be at least 32 bytes long');
  }
  if (sessionSecret === undefined) {
    if (production)
      problems.push('SESSION_SECRET (at least 32 bytes) must be set in production: a generated secret is refused');
    else sessionSecret = generatedSecret(dataDir);
  }

  let auditKey = get('AUDIT_KEY');
  if (auditKey !== undefined && Buffer.byteLength(auditKey) < 32)
    problems.push('AUDIT_KEY must be at least 32 bytes long');
  if (auditKey === undefined) {
    if (production)
      problems.push(
        'AUDIT_KEY (at least 32 bytes, kept apart from the database) must be set in production: a generated ' +
          'key is refused',
      );
    else auditKey = generatedSecret(dataDir, 'audit-key');
  }

  const smtpUrl = get('SMTP_URL');
  if (!smtpUrl && production) problems.push('SMTP_URL must be set in production: the development mail page is refused');
  const databaseUrl = get('DATABASE_URL');
  if (!databaseUrl && production)
    problems.push('DATABASE_URL must be set in production: the embedded PostgreSQL is for development only');

  const level = (name: string, fallback: LoginLevel): LoginLevel | null => {
    const raw = get(name) ?? fallback;
    if (raw === 'none') return null;
    if (isLoginLevel(raw)) return raw;
    problems.push(`${name} must be idporten-loa-substantial, idporten-loa-high or none, got "${raw}"`);
    return fallback;
  };

  const senderCheck = senderCheckSettings(get, production, problems);
  let mailTokenKey = get('MAIL_TOKEN_KEY');
  if (mailTokenKey !== undefined && Buffer.byteLength(mailTokenKey) < 32)
    problems.push('MAIL_TOKEN_KEY must be at least 32 bytes long');
  if (mailTokenKey === undefined) {
    if (production)
      problems.push('MAIL_TOKEN_KEY (at least 32 bytes) must be set in production: a generated key is refused');
    else mailTokenKey = generatedSecret(dataDir, 'mail-token-key');
  }
  const previousMailTokenKey = get('MAIL_TOKEN_KEY_PREVIOUS');

  const loopbackHooks = get('WEBHOOKS_ALLOW_LOOPBACK') ?? (production ? '0' : '1');
  if (loopbackHooks !== '0' && loopbackHooks !== '1')
    problems.push(`WEBHOOKS_ALLOW_LOOPBACK must be 0 or 1, got "${loopbackHooks}"`);
  else if (loopbackHooks === '1' && production)
    problems.push(
      'WEBHOOKS_ALLOW_LOOPBACK=1 is for development only: production sends webhooks over HTTPS to public addresses',
    );

  const workers = get('WORKERS');
  if (workers !== undefined && workers !== '0' && workers !== '1')
    problems.push(`WORKERS must be 0 or 1, got "${workers}"`);

  const config: Config = {
    production,
    port: port('PORT', 3000),
    host: get('HOST') ?? '127.0.0.1',
    publicUrl,
    dataDir,
    databaseUrl,
    embeddedPgPort: port('EMBEDDED_PG_PORT', 54329),
    databaseTimeouts: {
      connectMs: whole('DATABASE_CONNECT_TIMEOUT_MS', defaultTimeouts.connectMs, 100, 120_000),
      statementMs: whole('DATABASE_STATEMENT_TIMEOUT_MS', defaultTimeouts.statementMs, 100, 3_600_000),
      idleInTransactionMs: whole(
        'DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS',
        defaultTimeouts.idleInTransactionMs,
        100,
        3_600_000,
      ),
      streamMs: whole('DATABASE_STREAM_TIMEOUT_MS', defaultTimeouts.streamMs, 100, 86_400_000),
    },
    oidc,
    devIdpPort: port('DEV_OIDC_PORT', 3001),
    sessionSecret: sessionSecret ?? '',
    auditKey: auditKey ?? '',
    sessionLimits: {
      idleMinutes: whole('SESSION_IDLE_MINUTES', 120, 5, 24 * 60),
      maxHours: whole('SESSION_MAX_HOURS', 12, 1, 24 * 30),
    },
    loginLevels: {
      staff: level('LOGIN_LEVEL_STAFF', 'idporten-loa-high'),
      customer: level('LOGIN_LEVEL_CUSTOMER', 'idporten-loa-substantial'),
      reporting: level('LOGIN_LEVEL_REPORTING', 'idporten-loa-high'),
    },
    smtpUrl,
    mailFrom: get('MAIL_FROM') ?? 'Kundesenter <noreply@kundesenter.no>',
    inboundSmtpPort: port('INBOUND_SMTP_PORT', 2525),
    inboundSmtpHost: get('INBOUND_SMTP_HOST') ?? '127.0.0.1',
    trustProxy: trustProxy(get('TRUST_PROXY'), problems),
    senderCheck,
    mailTokenKeys: [mailTokenKey ?? '', ...(previousMailTokenKey ? [previousMailTokenKey] : [])],
    inboundImap: imapSettings(get, problems),
    workers: workers !== '0',
    logLevel: get('LOG_LEVEL') ?? 'info',
    shutdownDrainSeconds: whole('SHUTDOWN_DRAIN_SECONDS', production ? 5 : 0, 0, 120),
    uploadsMaxConcurrent: whole('UPLOADS_MAX_CONCURRENT', 4, 1, 100),
    exportsMaxConcurrent: whole('EXPORTS_MAX_CONCURRENT', 3, 1, 100),
    noticeDeadlineHours: whole('NOTICE_DEADLINE_HOURS', 4, 0, 240),
    attachmentLimits: {
      fileBytes: megabytes('ATTACHMENT_MAX_FILE_MB', 25),
      caseBytes: megabytes('ATTACHMENT_MAX_CASE_MB', 100),
    },
    reportingFileBytes: megabytes('REPORTING_MAX_FILE_MB', 50),
    webhooksAllowLoopback: loopbackHooks === '1',
  };
  if (config.attachmentLimits.fileBytes > config.attachmentLimits.caseBytes)
    problems.push('ATTACHMENT_MAX_FILE_MB must not be larger than ATTACHMENT_MAX_CASE_MB');
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/**
 * TRUST_PROXY: unset or "off", believe no proxy (the connecting address is the client); a number, that
 * many hops; otherwise a comma-separated list of addresses and CIDR ranges of the proxies in front.
 */
export function trustProxy(raw: string | undefined, problems: string[]): boolean | number | string[] {
  if (raw === undefined || raw === 'off' || raw === 'false') return false;
  if (/^\d{1,2}$/.test(raw)) return Number(raw);
  const entries = addressList(raw);
  if (!entries)
    problems.push(`TRUST_PROXY must be off, a number of hops, or addresses/CIDRs of the proxies, got "${raw}"`);
  return entries ?? false;
}

/** A comma-separated list of IP addresses and CIDR ranges; undefined when it is empty or one is not. */
function addressList(raw: string): string[] | undefined {
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const bad = entries.filter((entry) => {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    if (family === 0 || extra !== undefined) return true;
    if (bits === undefined) return false;
    const width = Number(bits);
    return !/^\d{1,3}$/.test(bits) || width > (family === 4 ? 32 : 128);
  });
  return entries.length === 0 || bad.length > 0 ? undefined : entries;
}

/**
 * INBOUND_SENDER_CHECK and its companions. Development acts as its own gateway (authserv-id
 * mx.kundesenter.test from 127.0.0.1), so a developer or a test can play the gateway; production
 * refuses `off`, and with `gateway` wants the gateway named explicitly.
 */
function senderCheckSettings(
  get: (name: string) => string | undefined,
  production: boolean,
  problems: string[],
): SenderCheckSettings {
  const mode = get('INBOUND_SENDER_CHECK') ?? (production ? 'mailauth' : 'gateway');
  if (mode !== 'mailauth' && mode !== 'gateway' && mode !== 'off') {
    problems.push(`INBOUND_SENDER_CHECK must be mailauth, gateway or off, got "${mode}"`);
    return { mode: 'off', authservId: '', trustedRelays: [] };
  }
  if (mode === 'off' && production)
    problems.push('INBOUND_SENDER_CHECK=off is for development only: production must verify who sent a mail');
  const authservId = get('INBOUND_AUTHSERV_ID') ?? (production ? '' : 'mx.kundesenter.test');
  const relays = get('INBOUND_TRUSTED_RELAYS') ?? (production ? '' : '127.0.0.1');
  const trustedRelays = relays === '' ? [] : addressList(relays);
  if (!trustedRelays) problems.push(`INBOUND_TRUSTED_RELAYS must be addresses/CIDRs, got "${relays}"`);
  if (mode === 'gateway' && (authservId === '' || trustedRelays?.length === 0))
    problems.push('INBOUND_SENDER_CHECK=gateway needs INBOUND_AUTHSERV_ID and INBOUND_TRUSTED_RELAYS');
  return { mode, authservId: authservId.toLowerCase(), trustedRelays: trustedRelays ?? [] };
}

/** Development only: a secret kept under DATA_DIR so sessions survive restarts. */
function generatedSecret(dataDir: string, name = 'session-secret'): string {
  const file = path.join(dataDir, name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

export interface ImapSettings {
  /** `imap://user:password@host:143/INBOX` or `imaps://…:993/INBOX`; the path is the mailbox to read. */
  url: URL;
  /** The receiving address this mailbox serves, when a mail's headers name none of ours. */
  address: string | undefined;
  /** Where processed mail is moved to. */
  doneMailbox: string;
  pollSeconds: number;
}

/** Reads and checks the IMAP settings; problems are returned as messages for the configuration error. */
export function imapSettings(get: (name: string) => string | undefined, problems: string[]): ImapSettings | undefined {
  const raw = get('INBOUND_IMAP_URL');
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    problems.push('INBOUND_IMAP_URL must be a URL such as imaps://user:password@imap.example.no:993/INBOX');
    return undefined;
  }
  if (url.protocol !== 'imap:' && url.protocol !== 'imaps:')
    problems.push(`INBOUND_IMAP_URL must start with imap:// or imaps://, got "${url.protocol}"`);
  if (!url.username) problems.push('INBOUND_IMAP_URL must name the user (imaps://user:password@host/INBOX)');
  const seconds = Number(get('INBOUND_IMAP_POLL_SECONDS') ?? 60);
  if (!Number.isInteger(seconds) || seconds < 5 || seconds > 3600)
    problems.push(
      `INBOUND_IMAP_POLL_SECONDS must be a whole number of seconds between 5 and 3600, got "${get('INBOUND_IMAP_POLL_SECONDS')}"`,
    );
  const address = get('INBOUND_IMAP_ADDRESS')?.toLowerCase();
  if (address !== undefined && !/^[^@\s]+@[^@\s]+$/.test(address))
    problems.push(`INBOUND_IMAP_ADDRESS must be an e-mail address, got "${address}"`);
  return { url, address, doneMailbox: get('INBOUND_IMAP_DONE_MAILBOX') ?? 'Behandlet', pollSeconds: seconds };
}
