// A few seconds' memory for what every page reads and almost never changes (areas, forms, categories,
// closed days, who works where): per database, so test databases never mix, and per key. A failed read
// is not kept. `forget` drops it at once in this process after a change; other processes see the
// change when their copy runs out, within the given time.
import type { Db } from './index.js';

export interface ShortCache<K, T> {
  get(db: Db, key: K): Promise<T>;
  forget(db: Db): void;
}

export function shortCache<K, T>(ttlMs: number, load: (db: Db, key: K) => Promise<T>): ShortCache<K, T> {
  const stored = new WeakMap<Db, Map<string, { at: number; value: Promise<T> }>>();
  return {
    get(db, key) {
      let entries = stored.get(db);
      if (!entries) {
        entries = new Map();
        stored.set(db, entries);
      }
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
