import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect, sql, type RawBuilder } from 'kysely';
import pg from 'pg';
import Cursor from 'pg-cursor';
import type { DB } from './schema.js';
import { withObjectRows } from './rows.js';
import { timestampParser } from './timestamps.js';
import { watchedTables, watchWrites } from './writes.js';
import { pinnedName } from './pinned.js';

export type Db = Kysely<DB>;

// bigint ids and counts come back as numbers: our ids stay far below 2^53.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));
// A calendar date stays the text PostgreSQL sends (YYYY-MM-DD): a Date would shift it by the time zone.
pg.types.setTypeParser(pg.types.builtins.DATE, (value) => value);
pg.types.setTypeParser(
  pg.types.builtins.TIMESTAMPTZ,
  timestampParser(pg.types.getTypeParser(pg.types.builtins.TIMESTAMPTZ)),
);

/** How long to wait for the database; each ends the attempt with an error instead of hanging. */
export interface DatabaseTimeouts {
  /** Opening a connection (pg's connectionTimeoutMillis). */
  connectMs: number;
  /** One statement (PostgreSQL's statement_timeout). */
  statementMs: number;
  /** A transaction left open without a statement (idle_in_transaction_session_timeout). */
  idleInTransactionMs: number;
  /** One streamed read (an export): a cursor is one statement from its first row to its last. */
  streamMs: number;
}

export const defaultTimeouts: DatabaseTimeouts = {
  connectMs: 5_000,
  statementMs: 30_000,
  idleInTransactionMs: 60_000,
  streamMs: 900_000,
};

export interface DbOptions {
  max?: number;
  timeouts?: Partial<DatabaseTimeouts>;
  /** Told about connections lost; the default says nothing (the query that used it fails on its own). */
  onConnectionError?: (error: Error) => void;
}

const connectionStrings = new WeakMap<Db, string>();
const streamTimeouts = new WeakMap<Db, number>();

/** Where `db` connects, for a connection of its own beside the pool (one that listens for notices). */
export function connectionStringOf(db: Db): string | undefined {
  return connectionStrings.get(db);
}

export function createDb(connectionString: string, options: DbOptions = {}): Db {
  const timeouts = { ...defaultTimeouts, ...options.timeouts };
  const pool = new pg.Pool({
    connectionString,
    max: options.max ?? 10,
    // A connection is replaced after this many uses, which frees the plans of the statements it pinned
    // (a new connection costs a few milliseconds: under full load, one every few minutes).
    maxUses: 10_000,
    application_name: 'kundesenter',
    connectionTimeoutMillis: timeouts.connectMs,
    statement_timeout: timeouts.statementMs,
    idle_in_transaction_session_timeout: timeouts.idleInTransactionMs,
  });
  const lost = options.onConnectionError ?? (() => {});
  // A connection that drops emits 'error' on its client, idle or in use; without a listener Node ends
  // the process. Listening on the pool covers idle clients, on each client the ones in use: the query
  // that was running fails and is answered as unavailable, and the next one connects anew.
  pool.on('error', lost);
  pool.on('connect', (client) => {
    client.on('error', lost);
    wrapQuery(client);
  });
  // The cursor lets exports stream rows instead of holding a whole result in memory; writes to the watched
  // tables are counted, so what is kept from them (a long list's count) is known to be out of date.
  const db = new Kysely<DB>({
    dialect: new PostgresDialect({ pool, cursor: Cursor }),
    plugins: [watchWrites(watchedTables)],
  });
  connectionStrings.set(db, connectionString);
  streamTimeouts.set(db, timeouts.streamMs);
  return db;
}

/**
 * Ends a query's SQL to have each connection prepare it once and run it from then on without parsing
 * or planning it again. Only for queries of one fixed shape whose best plan does not depend on the
 * values (the viewer's session, the queue counts): PostgreSQL may settle on one generic plan for every
 * value, which for a case list can be a thousand times slower than the plan made for the values asked.
 */
export const preparedMark: RawBuilder<unknown> = sql.raw('/* prepared */');
const preparedSuffix = '/* prepared */';
const statementNames = new Map<string, string>();

/** A statement's name on every connection, from its text. */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `k${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
    // Marked shapes are few (one per number of areas and groups); a runaway set is dropped, not kept.
    if (statementNames.size > 1000) statementNames.clear();
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Pinned statements (src/db/pinned.ts) one connection prepares: each keeps its plan in the server's
 * memory for as long as the connection lives, so they are bounded, and connections are renewed.
 */
const pinnedPerConnection = 40;

/**
 * pg's query given its callback when it is made, its rows made objects, as a promise of our own. Without
 * a callback pg makes the query first and sets its callback afterwards, for its own promise; such queries
 * left every result alive through the next minor garbage collection, and the one after promoted them to
 * old space: for a case list about 27 KB a query, copied twice, scavenges of 4–10 ms instead of under one,
 * and old space filling until a full collection (measured with pg alone too; test/rows.test.ts). Kysely
 * adds the caller's stack to a query's error, as pg's promise did.
 */
function queried(query: (...args: unknown[]) => unknown, client: pg.PoolClient, config: pg.QueryArrayConfig) {
  return new Promise((resolve, reject) => {
    query.call(client, config, (error: Error | null, result: unknown) => {
      if (error) reject(error);
      else resolve(withObjectRows(result));
    });
  });
}

/**
 * Turns each marked query on this connection into a named statement, prepared on its first use; the rows
 * of Kysely's statements come as arrays and are made objects by rows.ts.
 */
function wrapQuery(client: pg.PoolClient): void {
  const query = client.query as (...args: unknown[]) => unknown;
  // The pinned statements this connection has prepared: at most pinnedPerConnection, after which a new one
  // runs unnamed (planned each time, as before) until the pool replaces the connection (maxUses).
  const pinnedHere = new Set<string>();
  client.query = function (this: pg.PoolClient, ...args: unknown[]) {
    const [text, values] = args;
    const name = typeof text === 'string' && Array.isArray(values) && values.length === 0 && pinnedName(text);
    if (name) {
      const config = { text: text as string, values: [], rowMode: 'array' as const };
      if (pinnedHere.has(name) || pinnedHere.size < pinnedPerConnection) {
        pinnedHere.add(name);
        return queried(query, this, { ...config, name });
      }
      return queried(query, this, config);
    }
    if (typeof text === 'string' && text.endsWith(preparedSuffix) && (values === undefined || Array.isArray(values))) {
      return queried(query, this, { name: statementName(text), text, values, rowMode: 'array' });
    }
    // Kysely's statements (text and values, awaited), with rows built by rows.ts; a cursor or a callback
    // goes to pg as it came.
    if (typeof text === 'string' && Array.isArray(values) && args.length === 2)
      return queried(query, this, { text, values, rowMode: 'array' });
    return query.apply(this, args);
  } as typeof client.query;
}

/** PostgreSQL error classes and driver errors that mean "the database cannot be reached now", not "this input is wrong". */
const unavailableCodes = new Set([
  '57P01',
  '57P02',
  '57P03',
  '53300',
  '53400',
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
]);
const unavailableSystemCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOTFOUND',
]);
const unavailableMessages = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error',
  'connection timeout',
  'Client was closed and is not queryable',
];

/** Whether an error says the database is unreachable or going away: worth a 503 and a retry, never a 500. */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (unavailableCodes.has(code) || unavailableSystemCodes.has(code))) return true;
  if (error instanceof AggregateError && error.errors.some(isDatabaseUnavailable)) return true;
  if (unavailableMessages.some((message) => error.message.includes(message))) return true;
  return error.cause !== undefined && error.cause !== error && isDatabaseUnavailable(error.cause);
}

/** Runs `work` in the caller's transaction if there is one, else in a new one: verbs compose into larger units. */
export function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}

/**
 * The rows of a long read, streamed through a cursor in a read-only transaction of its own. PostgreSQL
 * counts a cursor's time against statement_timeout from its first row to its last, whatever the client
 * does in between (writing a workbook, waiting for a slow download), so the page-sized limit would cut an
 * export of a few hundred thousand rows; this transaction has the stream's limit instead (streamMs).
 */
export async function* streamed<R>(
  db: Db,
  query: (trx: Db) => { stream(chunkSize: number): AsyncIterableIterator<R> },
  chunkSize = 1000,
): AsyncGenerator<R> {
  const trx = await db.startTransaction().setAccessMode('read only').execute();
  let committed = false;
  try {
    const limit = streamTimeouts.get(db) ?? defaultTimeouts.streamMs;
    await sql`SELECT set_config('statement_timeout', ${String(limit)}, true)`.execute(trx);
    yield* query(trx).stream(chunkSize);
    await trx.commit().execute();
    committed = true;
  } finally {
    // A stream left early (the download closed) or failed: the connection goes back either way.
    if (!committed)
      await trx
        .rollback()
        .execute()
        .catch(() => {});
  }
}

/** Whether the database answers a trivial query within `timeoutMs`: what /readyz reports. */
export async function databaseAnswers(db: Db, timeoutMs = 2000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      sql`select 1`.execute(db),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('database timeout')), timeoutMs);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
