import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { ConfigError, loadConfig } from '../src/config.js';

t.test('production refuses every development default and names the missing setting', async (t) => {
  const error = t.throws(() => loadConfig({ NODE_ENV: 'production' })) as ConfigError;
  t.ok(error instanceof ConfigError);
  const message = error.message;
  for (const setting of ['OIDC_ISSUER', 'SESSION_SECRET', 'AUDIT_KEY', 'SMTP_URL', 'DATABASE_URL'])
    t.match(message, setting);
});

/** A complete production configuration. */
const productionEnv: Record<string, string | undefined> = {
  NODE_ENV: 'production',
  OIDC_ISSUER: 'https://login.example.no',
  OIDC_CLIENT_ID: 'kundesenter',
  OIDC_CLIENT_SECRET: 'secret',
  SESSION_SECRET: 'x'.repeat(32),
  AUDIT_KEY: 'y'.repeat(32),
  MAIL_TOKEN_KEY: 'z'.repeat(32),
  SMTP_URL: 'smtp://mail.example.no:587',
  DATABASE_URL: 'postgres://db.example.no/kundesenter',
  PUBLIC_URL: 'https://kundesenter.example.no/',
};

t.test('production starts from a complete configuration', async (t) => {
  const config = loadConfig(productionEnv);
  t.equal(config.production, true);
  t.equal(config.senderCheck.mode, 'mailauth', 'production checks senders itself unless told of a gateway');
  t.equal(config.publicUrl.href, 'https://kundesenter.example.no/');
  t.ok(Object.isFrozen(config));
});

t.test('bad values are explained', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ks-config-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const error = t.throws(() =>
    loadConfig({
      DATA_DIR: dataDir,
      PORT: 'eighty',
      PUBLIC_URL: 'ftp://x',
      SESSION_SECRET: 'short',
      OIDC_ISSUER: 'https://idp.example',
      LOGIN_LEVEL_STAFF: 'Level9',
    }),
  ) as ConfigError;
  t.match(error.message, 'PORT must be a port number');
  t.match(error.message, 'PUBLIC_URL must be an http(s) URL');
  t.match(error.message, 'SESSION_SECRET must be at least 32 bytes');
  t.match(error.message, 'OIDC_CLIENT_ID must be set');
  t.match(error.message, 'LOGIN_LEVEL_STAFF must be idporten-loa-substantial, idporten-loa-high or none, got "Level9"');
});

t.test(
  'login levels default to high for staff and reporters and substantial for customers; "none" turns the check off',
  async (t) => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ks-config-'));
    t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
    t.same(loadConfig({ DATA_DIR: dataDir }).loginLevels, {
      staff: 'idporten-loa-high',
      customer: 'idporten-loa-substantial',
      reporting: 'idporten-loa-high',
    });
    t.same(loadConfig({ DATA_DIR: dataDir, LOGIN_LEVEL_CUSTOMER: 'none' }).loginLevels.customer, null);
  },
);

t.test('development generates a session secret once and keeps it', async (t) => {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ks-config-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const first = loadConfig({ DATA_DIR: dataDir }).sessionSecret;
  t.ok(Buffer.byteLength(first) >= 32);
  t.equal(loadConfig({ DATA_DIR: dataDir }).sessionSecret, first);
});

t.test('the server process refuses to start in production without settings', async (t) => {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { PATH: process.env.PATH, NODE_ENV: 'production' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  t.equal(result.status, 1);
  t.match(result.stderr, 'Kundesenter cannot start');
  t.match(result.stderr, 'OIDC_ISSUER');
});

t.test('TRUST_PROXY is off unless set, and takes a hop count or the proxies addresses', async (t) => {
  const base = { DATA_DIR: '/tmp/ks-config-test', SESSION_SECRET: 'x'.repeat(44) };
  t.equal(loadConfig(base).trustProxy, false, 'off by default: the connecting address is the client');
  t.equal(loadConfig({ ...base, TRUST_PROXY: '1' }).trustProxy, 1);
  t.same(loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' }).trustProxy, ['10.0.0.0/8', '127.0.0.1']);
  t.throws(() => loadConfig({ ...base, TRUST_PROXY: 'yes please' }), /TRUST_PROXY must be off/);
  t.throws(() => loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/99' }), /TRUST_PROXY/);
  t.equal(loadConfig(base).inboundSmtpHost, '127.0.0.1', 'the SMTP listener binds to loopback by default');
});

t.test('sender checks: production refuses off and an unnamed gateway; development plays the gateway', async (t) => {
  const production = { ...productionEnv, PUBLIC_URL: undefined };
  t.throws(
    () => loadConfig({ ...production, INBOUND_SENDER_CHECK: 'off' }),
    /INBOUND_SENDER_CHECK=off is for development only/,
  );
  t.throws(
    () => loadConfig({ ...production, INBOUND_SENDER_CHECK: 'gateway' }),
    /needs INBOUND_AUTHSERV_ID and INBOUND_TRUSTED_RELAYS/,
  );
  t.throws(() => loadConfig({ ...production, MAIL_TOKEN_KEY: undefined }), /MAIL_TOKEN_KEY/);
  const gateway = loadConfig({
    ...production,
    INBOUND_SENDER_CHECK: 'gateway',
    INBOUND_AUTHSERV_ID: 'MX.Centre.no',
    INBOUND_TRUSTED_RELAYS: '10.0.0.0/8, 192.0.2.7',
  });
  t.same(gateway.senderCheck, {
    mode: 'gateway',
    authservId: 'mx.centre.no',
    trustedRelays: ['10.0.0.0/8', '192.0.2.7'],
  });
  t.throws(() => loadConfig({ ...production, INBOUND_SENDER_CHECK: 'maybe' }), /must be mailauth, gateway or off/);
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'ks-config-'));
  t.teardown(() => rmSync(dataDir, { recursive: true, force: true }));
  const development = loadConfig({ DATA_DIR: dataDir });
  t.same(development.senderCheck, { mode: 'gateway', authservId: 'mx.kundesenter.test', trustedRelays: ['127.0.0.1'] });
  t.equal(development.mailTokenKeys.length, 1, 'a generated key, kept under DATA_DIR');
  t.same(loadConfig({ DATA_DIR: dataDir, MAIL_TOKEN_KEY_PREVIOUS: 'old'.repeat(11) }).mailTokenKeys.length, 2);
});
