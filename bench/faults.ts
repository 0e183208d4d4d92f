// The production-depth figures of `npm run bench` (section "faults"), each measured on the real server
// in a process of its own, as the fault tests run it:
// - restart_ready_ms / restart_ready_dist_ms: spawn → first 200 from /readyz on an existing data folder
//   (development start with its embedded PostgreSQL), through tsx and from the compiled dist/;
// - upload_rss_delta_mb: the server's peak RSS increase while three anonymous 100 MB uploads arrive;
// - db_recovery_ms: PostgreSQL started again → first 200 for a page, without restarting the app;
// - outbox_dupes_per_kill: duplicate mails per SIGKILL of a worker in the middle of a burst.
import { buildOnce } from './measure.js';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Test } from 'tap';
import { ensureDatabase } from '../src/db/connect.js';
import { startEmbeddedPostgres, type EmbeddedServer } from '../src/db/embedded.js';
import { createDb } from '../src/db/index.js';
import { mailbox } from '../test/helpers.js';
import { freePort } from '../test/net.js';
import { getPage, outboxKillLoop, peakRssDelta, serverEnv, sleep, startServer, until } from '../test/processes.js';
import { streamUpload } from '../test/uploading.js';

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function stop(server: Awaited<ReturnType<typeof startServer>>) {
  server.child.kill('SIGTERM');
  await server.exited;
}

export async function faultFigures(report: (metric: string, value: number, note?: string) => void): Promise<void> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'ks-bench-faults-'));
  // As root the embedded PostgreSQL runs as "postgres", which must pass through this folder.
  chmodSync(tmp, 0o711);
  const cleanups: (() => Promise<unknown>)[] = [];
  try {
    // Restarts on an existing data folder: the first start creates the cluster and is not counted.
    const env = await serverEnv(path.join(tmp, 'dev'));
    await stop(await startServer(env));
    const tsxTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const server = await startServer(env);
      tsxTimes.push(server.readyMs);
      await stop(server);
    }
    report('restart_ready_ms', median(tsxTimes), `(tsx, median of ${tsxTimes.join(', ')}; goal ≤ 3000)`);
    buildOnce();
    const distTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const server = await startServer(env, { dist: true });
      distTimes.push(server.readyMs);
      if (i < 2) await stop(server);
      else {
        // The last one stays up for the upload figure.
        const uploads = await peakRssDelta(server.child.pid!, () =>
          Promise.all([1, 2, 3].map(() => streamUpload(new URL('/cases', server.base), {}, 100 * 1024 * 1024))),
        );
        if (uploads.result.some((answer) => answer.status !== 401))
          throw new Error('an anonymous upload was not refused');
        report('upload_rss_delta_mb', uploads.deltaMb, '(3 anonymous 100 MB uploads; goal ≤ 64)');
        await stop(server);
      }
    }
    report('restart_ready_dist_ms', median(distTimes), `(dist/, median of ${distTimes.join(', ')}; goal ≤ 2000)`);

    // A database outage: the server on a PostgreSQL of its own, stopped and started three times.
    const pgDir = path.join(tmp, 'pg');
    const pgPort = await freePort();
    let database: EmbeddedServer | undefined = await startEmbeddedPostgres({
      dataDir: pgDir,
      port: pgPort,
      fast: true,
    });
    cleanups.push(async () => database?.stop());
    await ensureDatabase(database.url('postgres'), 'kundesenter');
    const url = database.url('kundesenter');
    const outageEnv = await serverEnv(path.join(tmp, 'app'), {
      DATABASE_URL: url,
      DATABASE_CONNECT_TIMEOUT_MS: '1000',
    });
    const server = await startServer(outageEnv, { dist: true });
    cleanups.push(async () => server.child.kill('SIGKILL'));
    const recoveries: number[] = [];
    for (let round = 0; round < 3; round++) {
      await database.stop();
      database = undefined;
      await until('a 503 while the database is away', 20_000, async () =>
        (await getPage(server.base, '/')).status === 503 ? true : undefined,
      );
      await sleep(2000);
      database = await startEmbeddedPostgres({ dataDir: pgDir, port: pgPort, fast: true });
      const backAt = performance.now();
      for (;;) {
        if ((await getPage(server.base, '/')).status === 200) break;
        await sleep(10);
      }
      recoveries.push(Math.round(performance.now() - backAt));
    }
    report('db_recovery_ms', median(recoveries), `(median of ${recoveries.join(', ')}; database back → first 200)`);
    await stop(server);

    // The outbox kill loop on the same database, against a real SMTP server.
    const db = createDb(url, { max: 4 });
    cleanups.push(() => db.destroy());
    const inbox = await mailbox({ teardown: (fn: () => Promise<void>) => cleanups.push(fn) } as unknown as Test);
    const kills = 6;
    const outbox = await outboxKillLoop(db, url, inbox, { mails: 60, kills });
    if (outbox.distinct !== 60 || outbox.unsent !== 0)
      throw new Error(`the outbox lost mail: ${JSON.stringify(outbox)}`);
    report(
      'outbox_dupes_per_kill',
      Math.round((outbox.duplicates / kills) * 100) / 100,
      `(${outbox.duplicates} duplicates over ${kills} kills; goal ≤ 1)`,
    );
  } finally {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    rmSync(tmp, { recursive: true, force: true });
  }
}
