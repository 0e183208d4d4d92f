// Counts kept for a short while per viewer: a long list's count cost about as much as its page (a
// second plan and walk of the cases), and the queue tabs' counts a third of a workspace request, while a
// caseworker paging, re-sorting or moving between queues asks for the same counts again and again.
// The whole viewer is part of each key (a grant taken away makes another key). A kept count is dropped
// as soon as this process writes to the cases, and is never older than `keptCountMs`: writes by another
// process, and the clock's queues (overdue, due today), show within that time.
import { type Viewer, viewerKey } from '../../auth/viewer.js';
import { settleMs } from '../../db/cache.js';
import { lastWriteTo, writesTo } from '../../db/writes.js';
import { osloDay } from '../../sla/calendar.js';
import type { ListFilter } from './filter.js';

export const keptCountMs = 30_000;

// A count begun within `settleMs` of a write is not kept: the write's transaction may not have committed
// when the count read the cases (a case is registered, routed and audited in one transaction, well
// within this time), and a count kept without it would stand until the next write or `keptCountMs`.
export { settleMs };

interface Kept<T> {
  value: T;
  /** The process's writes to the cases when the count began. */
  writes: number;
  /** When the count began. */
  at: number;
}

/** Counts kept by key, the most recently used `size` of them. */
export class KeptCounts<T> {
  readonly #kept = new Map<string, Kept<T>>();

  constructor(readonly size: number) {}

  /** What is kept for `key` that no write has made out of date, with when it was counted. */
  get(key: string, now = Date.now()): { value: T; at: number } | undefined {
    const found = this.#kept.get(key);
    if (!found) return undefined;
    if (found.writes !== writesTo('cases') || now - found.at >= keptCountMs || found.at > now) {
      this.#kept.delete(key);
      return undefined;
    }
    return found;
  }

  /** Keeps `value`, counted from `at` by a statement that began when the cases had seen `writes` writes. */
  keep(key: string, value: T, writes: number, at: number): T {
    // A write that began or ended while the count ran may or may not be in it, and one just before it may
    // not have committed yet: such a count is answered, not kept.
    if (writes !== writesTo('cases') || at - lastWriteTo('cases') < settleMs) return value;
    this.#kept.delete(key);
    this.#kept.set(key, { value, writes, at });
    if (this.#kept.size > this.size) this.#kept.delete(this.#kept.keys().next().value!);
    return value;
  }
}

/** What a count does not depend on: the list's order and page. */
const notCounted: ReadonlySet<string> = new Set<keyof ListFilter>(['sort', 'dir', 'after', 'before']);

/** The key of a list's count: the viewer and the filter, without its order and page ("due today": the day). */
export function countKey(viewer: Viewer, filter: ListFilter): string {
  const counted: unknown[] = [];
  for (const [name, value] of Object.entries(filter)) if (!notCounted.has(name)) counted.push(name, value);
  // JSON has no raw line breaks, so the parts cannot run into each other.
  return `${viewerKey(viewer)}\n${JSON.stringify(counted)}\n${filter.queue === 'due_today' ? osloDay(new Date()) : ''}`;
}
