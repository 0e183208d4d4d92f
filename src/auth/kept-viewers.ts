// The viewers of recent requests, kept in this process so the next request of the same session need not
// read the session, the user and their access from the database again (a round trip of about 1.5 ms at one
// client, and a tenth of a list's cost under load). Kept only while it cannot be out of date:
// - while a connection of ours listens on 'ks_access', where every change to sessions, users, roles,
//   agencies, memberships, groups and mailboxes is announced at its commit, from any process (migration
//   0042): a session ended or moved names its user and drops that user's viewers, anything else drops
//   everything; a lost connection drops everything and keeps nothing until it listens again;
// - while this process has not written to the access tables since it was read (src/db/writes.ts), which
//   covers this process's own changes before their notice arrives; nothing read within `settleMs` of such
//   a write is kept (its transaction may not have committed when the read ran). This process's changes to
//   a session (logout, another agency, sessions ended) call `forgetUser` as they are made;
// - for at most a minute after the session was last stamped as seen: then it is read again, which also
//   stamps it (see loadViewer), and a session past its idle or total lifetime is never answered from here.
import type { Db } from '../db/index.js';
import { connectionStringOf } from '../db/index.js';
import { settleMs } from '../db/cache.js';
import { listenForNotices, type Listener } from '../db/notices.js';
import { accessTables, lastWriteTo, writesTo } from '../db/writes.js';
import type { Viewer } from './viewer.js';

/** A session's "last seen" is stamped at most once a minute; a viewer is kept no longer than that. */
export const seenStampMs = 60_000;
// Bounded: only sessions that logged in can be kept, and a full map is emptied rather than grown.
const mostKept = 10_000;

interface Kept {
  viewer: Viewer;
  /** When the session began and when it was last stamped as seen (epoch ms). */
  createdAt: number;
  seenAt: number;
  writes: number;
}

const writesToAccess = () => accessTables.reduce((sum, table) => sum + writesTo(table), 0);
const lastWriteToAccess = () => Math.max(...accessTables.map(lastWriteTo));

// Every KeptViewers of this process (one per app), so a change made anywhere here reaches them all.
const everyKept = new Set<KeptViewers>();

/**
 * Drops the kept viewers of `userId`'s sessions in this process: called where a session is ended or
 * changed, before the database's notice of it arrives (which does the same in every process).
 */
export function forgetUser(userId: number): void {
  for (const kept of everyKept) kept.dropUser(userId);
}

export class KeptViewers {
  readonly #kept = new Map<string, Kept>();
  #listening = false;
  /** Moved on by every notice and every loss: a read begun before it is not kept. */
  #generation = 0;
  #listener: Listener | undefined;

  /** Starts listening; until it listens, nothing is kept. Without a connection string, never. */
  constructor(db: Db) {
    const connectionString = connectionStringOf(db);
    if (!connectionString) return;
    everyKept.add(this);
    this.#listener = listenForNotices(connectionString, 'ks_access', {
      notice: (payload) => {
        const user = /^user:(\d+)$/.exec(payload);
        if (user) this.dropUser(Number(user[1]));
        else this.#dropAll();
      },
      listening: () => {
        this.#dropAll();
        this.#listening = true;
      },
      deaf: () => {
        this.#listening = false;
        this.#dropAll();
      },
    });
  }

  /** The kept viewer of `sessionId`, if it is still good for a session that lives `maxHours` in all. */
  get(sessionId: string, maxHours: number, now = Date.now()): Viewer | undefined {
    if (!this.#listening) return undefined;
    const kept = this.#kept.get(sessionId);
    if (!kept) return undefined;
    if (
      kept.writes !== writesToAccess() ||
      now - kept.seenAt >= seenStampMs ||
      now < kept.seenAt ||
      now - kept.createdAt >= maxHours * 3_600_000
    ) {
      this.#kept.delete(sessionId);
      return undefined;
    }
    return kept.viewer;
  }

  /** What a read about to begin must show to `keep` its result: nothing changed meanwhile. */
  mark(): { generation: number; writes: number; at: number } {
    return { generation: this.#generation, writes: writesToAccess(), at: Date.now() };
  }

  /** Keeps a viewer read from the database since `mark`, unless anything it depends on moved meanwhile. */
  keep(
    viewer: Viewer,
    session: { createdAt: Date; seenAt: Date },
    mark: { generation: number; writes: number; at: number },
  ): void {
    if (!this.#listening || mark.generation !== this.#generation) return;
    if (mark.writes !== writesToAccess() || mark.at - lastWriteToAccess() < settleMs) return;
    if (this.#kept.size >= mostKept) this.#kept.clear();
    this.#kept.set(viewer.sessionId, {
      viewer: freezeViewer(viewer),
      createdAt: session.createdAt.getTime(),
      seenAt: session.seenAt.getTime(),
      writes: mark.writes,
    });
  }

  /** Drops the viewers of one user's sessions; a read begun before this is not kept. */
  dropUser(userId: number): void {
    this.#generation++;
    for (const [sessionId, kept] of this.#kept) if (kept.viewer.userId === userId) this.#kept.delete(sessionId);
  }

  async close(): Promise<void> {
    everyKept.delete(this);
    await this.#listener?.close();
    this.#dropAll();
  }

  #dropAll(): void {
    this.#generation++;
    this.#kept.clear();
  }
}

/** A kept viewer is shared by every request of its session: nothing may change it in place. */
function freezeViewer(viewer: Viewer): Viewer {
  for (const value of Object.values(viewer)) {
    if (Array.isArray(value)) {
      for (const item of value) if (typeof item === 'object' && item !== null) Object.freeze(item);
      Object.freeze(value);
    }
  }
  return Object.freeze(viewer);
}
