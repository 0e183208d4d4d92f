// A few seconds' memory for what every page reads and almost never changes (areas, forms, categories,
// closed days, who works where): per database, so test databases never mix, and per key. A failed read
// is not kept. `forget` drops it at once in this process after a change; other processes see the
// change when their copy runs out, within the given time.
import type { Db } from './index.js';
import { lastWriteTo, watchedTables, writesTo } from './writes.js';

export interface ShortCache<K, T> {
  get(db: Db, key: K): Promise<T>;
  forget(db: Db): void;
}

/** What is kept for one database: per database, so test databases never mix. */
function entriesFor<E>(stored: WeakMap<Db, Map<string, E>>, db: Db): Map<string, E> {
  let entries = stored.get(db);
  if (!entries) {
    entries = new Map();
    stored.set(db, entries);
  }
  return entries;
}

export function shortCache<K, T>(ttlMs: number, load: (db: Db, key: K) => Promise<T>): ShortCache<K, T> {
  const stored = new WeakMap<Db, Map<string, { at: number; value: Promise<T> }>>();
  return {
    get(db, key) {
      const entries = entriesFor(stored, db);
      const id = JSON.stringify(key);
      const hit = entries.get(id);
      if (hit && Date.now() - hit.at < ttlMs) return hit.value;
      // Keys are few (a handful of area sets); a map grown past that is emptied rather than kept.
      if (entries.size > 100) entries.clear();
      const value = load(db, key);
      entries.set(id, { at: Date.now(), value });
      value.catch(() => entries.delete(id));
      return value;
    },
    forget(db) {
      stored.delete(db);
    },
  };
}

/**
 * A read begun this soon after a write to its tables is answered, not kept: the write's transaction may
 * not have committed when the read ran.
 */
export const settleMs = 1_000;

const writesToAll = (tables: readonly string[]) => tables.reduce((sum, table) => sum + writesTo(table), 0);
const lastWriteToAny = (tables: readonly string[]) => Math.max(...tables.map(lastWriteTo));

/**
 * Like shortCache, and dropped as soon as this process writes to one of `tables` (counted by
 * src/db/writes.ts, which must watch them): a change made here shows at once with no call to forget, one
 * made by another process within `ttlMs`. A read that ran across a write, or began within `settleMs` of
 * one, is answered but not kept.
 */
export function keptUntilWritten<K, T>(
  ttlMs: number,
  tables: readonly string[],
  load: (db: Db, key: K) => Promise<T>,
): ShortCache<K, T> {
  // A table nobody counts would never drop what is kept from it.
  const unwatched = tables.filter((table) => !(watchedTables as readonly string[]).includes(table));
  if (unwatched.length > 0) throw new Error(`writes to ${unwatched.join(', ')} are not counted (watchedTables)`);
  const stored = new WeakMap<Db, Map<string, { at: number; writes: number; value: Promise<T> }>>();
  return {
    get(db, key) {
      const entries = entriesFor(stored, db);
      const id = JSON.stringify(key);
      const writes = writesToAll(tables);
      const at = Date.now();
      const hit = entries.get(id);
      if (hit && hit.writes === writes && at - hit.at < ttlMs && hit.at <= at) return hit.value;
      entries.delete(id);
      const value = load(db, key);
      if (at - lastWriteToAny(tables) < settleMs) return value;
      if (entries.size > 100) entries.clear();
      const entry = { at, writes, value };
      entries.set(id, entry);
      const drop = () => {
        if (entries.get(id) === entry) entries.delete(id);
      };
      value.then(() => {
        if (writesToAll(tables) !== writes) drop();
      }, drop);
      return value;
    },
    forget(db) {
      stored.delete(db);
    },
  };
}
