// Starts everything (database, identity provider, app) and drains in reverse on shutdown. The slow parts
// of a start run side by side: an embedded PostgreSQL starts in its own process while the app's modules
// load and the development identity provider makes its key, so a restart waits for the slowest alone.
import pino from 'pino';
import { ConfigError, loadConfig, type Config } from './config.js';
import { databaseTarget } from './db/connect.js';
import { loadEmbeddedPostgres, StaleServerError } from './db/embedded.js';
import type { Lifecycle } from './app.js';

/** Between answering 503 to late requests and closing the port, for clients to hear it. */
const closingGraceMs = 250;

/** The modules behind the app and its workers, loaded while the database starts. */
async function appModules() {
  const [app, db, database, demo, oidc, worker, inbound, scheduler, migrate] = await Promise.all([
    import('./app.js'),
    import('./db/index.js'),
    import('./database.js'),
    import('./demo/data.js'),
    import('./auth/oidc.js'),
    import('./mail/worker.js'),
    import('./mail/inbound.js'),
    import('./reports/scheduler.js'),
    import('./db/migrate.js'),
  ]);
  return { app, db, database, demo, oidc, worker, inbound, scheduler, migrate };
}

/** Resolves when every promise has settled; rejects with the first failure (the others' cleanups are in place). */
async function allStarted<T extends readonly unknown[]>(promises: { [K in keyof T]: Promise<T[K]> }): Promise<T> {
  const settled = await Promise.allSettled(promises);
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw (failed as PromiseRejectedResult).reason;
  return settled.map((result) => (result as PromiseFulfilledResult<unknown>).value) as unknown as T;
}

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

  let modules: Awaited<ReturnType<typeof appModules>> | undefined;
  try {
    // Loaded before anything else, so that PostgreSQL's process is spawned before the app's modules
    // queue up in the module loader.
    if (!config.databaseUrl) await loadEmbeddedPostgres();
    const database = databaseTarget(config, (message) => log.debug({ source: 'postgres' }, message)).then((target) => {
      if (target.embedded) {
        cleanups.push(() => target.embedded!.stop());
        log.info({ dataDir: config.dataDir, port: config.embeddedPgPort }, 'embedded PostgreSQL started');
      }
      return target;
    });
    const devIdp = config.oidc
      ? Promise.resolve(undefined)
      : import('./auth/dev-idp.js')
          .then(({ startDevIdentityProvider }) =>
            startDevIdentityProvider({ host: config.host, port: config.devIdpPort, publicUrl: config.publicUrl }),
          )
          .then((idp) => {
            cleanups.push(() => idp.close());
            log.info({ issuer: idp.issuer }, 'development identity provider started (demo users, no passwords)');
            return idp;
          });
    const loading = appModules().then((loaded) => (modules = loaded));
    const [target, idp] = await allStarted([database, devIdp, loading] as const);
    const { app: appModule, db: dbModule, database: prepare, demo, oidc: oidcModule, worker: workerModule } = modules!;
    const { inbound: inboundModule, scheduler } = modules!;

    // pg's pool.end() resolves while its idle connections are still closing; the embedded database
    // stopping right after ends them from its side. That is our own shutdown, not a lost connection.
    let poolEnding = false;
    const db = dbModule.createDb(target.url, {
      timeouts: config.databaseTimeouts,
      onConnectionError: (error) => {
        if (!poolEnding) log.warn({ err: { message: error.message } }, 'database connection lost');
      },
    });
    cleanups.push(() => {
      poolEnding = true;
      return db.destroy();
    });
    const applied = await prepare.prepareDatabase(db);
    if (applied.length > 0) log.info({ migrations: applied }, 'migrations applied');
    if (idp && (await demo.seedDemoDataIfEmpty(db))) log.info('demo data seeded into the empty database');
    const oidcSettings = config.oidc ?? idp!;

    const base = config.publicUrl.href.replace(/\/$/, '');
    const oidc = new oidcModule.OidcClient({
      ...oidcSettings,
      redirectUri: `${base}/auth/callback`,
      postLogoutRedirectUri: `${base}/`,
    });
    const app = await appModule.buildApp({ config, db, oidc, lifecycle });
    if (config.workers) {
      const worker = workerModule.startOutboxWorker(db, workerModule.mailSettings(config), {
        log: (message, details) => log.warn(details ?? {}, message),
      });
      cleanups.push(() => worker.stop());
      const reports = scheduler.startReportScheduler(db, {
        publicUrl: config.publicUrl,
        log: (message, details) => log.warn(details ?? {}, message),
      });
      cleanups.push(() => reports.stop());
      const { startDeadlineNotices } = await import('./notices/deadlines.js');
      const deadlines = startDeadlineNotices(db, {
        hours: config.noticeDeadlineHours,
        publicUrl: config.publicUrl,
        log: (message, details) => log.warn(details ?? {}, message),
      });
      cleanups.push(() => deadlines.stop());
      const { startWebhookWorker } = await import('./webhooks/worker.js');
      const webhooks = startWebhookWorker(db, {
        publicUrl: config.publicUrl,
        allowLoopback: config.webhooksAllowLoopback,
        log: (message, details) => log.warn(details ?? {}, message),
      });
      cleanups.push(() => webhooks.stop());
      const { startReminders } = await import('./reporting/reminders.js');
      const reminders = startReminders(db, {
        publicUrl: config.publicUrl,
        log: (message, details) => log.warn(details ?? {}, message),
      });
      cleanups.push(() => reminders.stop());
      const inboundSettings = inboundModule.inboundSettings(config, {
        log: (message: string, details?: object) => log.warn(details ?? {}, message),
      });
      const inbound = await inboundModule.startInboundSmtp(db, inboundSettings);
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
    if (error instanceof StaleServerError || (modules && error instanceof modules.migrate.ChangedMigrationError))
      log.error(error.message);
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
