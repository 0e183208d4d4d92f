// Starts everything in order (database, identity provider, app), and drains in reverse on shutdown.
import pino from 'pino';
import { ConfigError, loadConfig, type Config } from './config.js';
import { databaseTarget } from './db/connect.js';
import { createDb } from './db/index.js';
import { ChangedMigrationError } from './db/migrate.js';
import { prepareDatabase } from './database.js';
import { seedDemoData } from './demo/data.js';
import { StaleServerError } from './db/embedded.js';
import { OidcClient } from './auth/oidc.js';
import { buildApp, type Lifecycle } from './app.js';
import { mailSettings, startOutboxWorker } from './mail/worker.js';
import { returnPathOf, startInboundSmtp } from './mail/inbound.js';
import { startReportScheduler } from './reports/scheduler.js';

/** Between answering 503 to late requests and closing the port, for clients to hear it. */
const closingGraceMs = 250;

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Kundesenter cannot start.\n${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const log = pino({ level: config.logLevel });
  const lifecycle: Lifecycle = { draining: false, closing: false };
  const cleanups: (() => Promise<unknown>)[] = [];
  const shutdown = async (code: number) => {
    for (const cleanup of cleanups.reverse())
      await cleanup().catch((error: unknown) => log.error({ err: error }, 'shutdown step failed'));
    process.exit(code);
  };

  try {
    const target = await databaseTarget(config, (message) => log.debug({ source: 'postgres' }, message));
    if (target.embedded) {
      cleanups.push(() => target.embedded!.stop());
      log.info({ dataDir: config.dataDir, port: config.embeddedPgPort }, 'embedded PostgreSQL started');
    }
    const db = createDb(target.url, {
      timeouts: config.databaseTimeouts,
      onConnectionError: (error) => log.warn({ err: { message: error.message } }, 'database connection lost'),
    });
    cleanups.push(() => db.destroy());
    const applied = await prepareDatabase(db);
    if (applied.length > 0) log.info({ migrations: applied }, 'migrations applied');

    let oidcSettings = config.oidc;
    if (!oidcSettings) {
      await seedDemoData(db);
      const { startDevIdentityProvider } = await import('./auth/dev-idp.js');
      const idp = await startDevIdentityProvider({
        host: config.host,
        port: config.devIdpPort,
        publicUrl: config.publicUrl,
      });
      cleanups.push(() => idp.close());
      oidcSettings = idp;
      log.info({ issuer: idp.issuer }, 'development identity provider started (demo users, no passwords)');
    }
    const base = config.publicUrl.href.replace(/\/$/, '');
    const oidc = new OidcClient({
      ...oidcSettings,
      redirectUri: `${base}/auth/callback`,
      postLogoutRedirectUri: `${base}/`,
    });
    const app = await buildApp({ config, db, oidc, lifecycle });
    if (config.workers) {
      const worker = startOutboxWorker(db, mailSettings(config), {
        log: (message, details) => log.warn(details ?? {}, message),
      });
      cleanups.push(() => worker.stop());
      const reports = startReportScheduler(db, {
        publicUrl: config.publicUrl,
        log: (message, details) => log.warn(details ?? {}, message),
      });
      cleanups.push(() => reports.stop());
      const inboundSettings = {
        port: config.inboundSmtpPort,
        host: config.inboundSmtpHost,
        publicUrl: config.publicUrl,
        limits: config.attachmentLimits,
        returnPath: returnPathOf(config.mailFrom),
        log: (message: string, details?: object) => log.warn(details ?? {}, message),
      };
      const inbound = await startInboundSmtp(db, inboundSettings);
      cleanups.push(() => inbound.close());
      log.info({ port: inbound.port }, "receiving mail for the centre's addresses");
      if (config.inboundImap) {
        const { startImapPoller } = await import('./mail/imap.js');
        const poller = startImapPoller(db, inboundSettings, config.inboundImap);
        cleanups.push(() => poller.close());
        void poller.poll().catch((error: unknown) => log.warn({ error: String(error) }, 'IMAP polling failed'));
        log.info(
          { host: config.inboundImap.url.hostname, every: config.inboundImap.pollSeconds },
          'polling an IMAP mailbox for mail',
        );
      }
    }
    // Registered last so it runs first: stop accepting and finish requests, then the workers stop after
    // their current item, then the pool, the identity provider and the embedded database.
    cleanups.push(async () => {
      // A moment in which a late request gets our 503 page (with Connection: close) before the port shuts.
      lifecycle.closing = true;
      await new Promise((resolve) => setTimeout(resolve, closingGraceMs));
      await app.close();
    });
    await app.listen({ port: config.port, host: config.host });
    log.info(`Kundesenter is ready at ${config.publicUrl.href}`);
  } catch (error) {
    if (error instanceof StaleServerError || error instanceof ChangedMigrationError) log.error(error.message);
    else log.error({ err: error }, 'start failed');
    await shutdown(1);
  }

  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      lifecycle.draining = true;
      log.info({ signal, drainSeconds: config.shutdownDrainSeconds }, 'shutting down');
      setTimeout(() => void shutdown(0), config.shutdownDrainSeconds * 1000);
    });
  }
}

await main();
