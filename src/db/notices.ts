// A connection of its own that listens on one channel (LISTEN) and says when it hears something, when it
// starts listening and when it stops: what is kept in memory on the strength of the notices is only as
// good as the connection, so whoever keeps must drop everything when it is lost, and may keep again only
// once it listens anew. A lost connection is tried again with a growing pause, never more than 30 s.
import pg from 'pg';

export interface NoticeHandlers {
  /** A notice on the channel (its payload). */
  notice(payload: string): void;
  /** Listening now: notices of every commit from here on will arrive. */
  listening(): void;
  /** Not listening any more (lost, or never reached): notices may have been missed. */
  deaf(): void;
}

export interface Listener {
  close(): Promise<void>;
}

const firstPauseMs = 250;
const longestPauseMs = 30_000;

export function listenForNotices(connectionString: string, channel: string, handlers: NoticeHandlers): Listener {
  if (!/^[a-z_]+$/.test(channel)) throw new Error(`not a channel name: ${channel}`);
  let client: pg.Client | undefined;
  let closed = false;
  let pauseMs = firstPauseMs;
  let retry: NodeJS.Timeout | undefined;

  const lost = (current: pg.Client) => {
    if (client !== current) return;
    client = undefined;
    handlers.deaf();
    current.removeAllListeners('notification');
    current.end().catch(() => undefined);
    if (closed) return;
    retry = setTimeout(connect, pauseMs);
    // Waiting to reconnect never keeps the process alive on its own.
    retry.unref();
    pauseMs = Math.min(longestPauseMs, pauseMs * 2);
  };

  const connect = () => {
    retry = undefined;
    if (closed) return;
    // A connection that cannot be opened gives up in 5 s and is tried again; one that dies silently (a
    // network gone, not closed) is found in time by TCP keepalive. Until then notices may be missed,
    // which is why nothing kept on their strength lives longer than a minute (src/auth/kept-viewers.ts).
    const current = new pg.Client({
      connectionString,
      application_name: 'kundesenter-listen',
      connectionTimeoutMillis: 5_000,
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
    });
    client = current;
    // Without a listener an error on the connection would end the process.
    current.on('error', () => lost(current));
    current.on('end', () => lost(current));
    current.on('notification', (message) => {
      if (message.channel === channel) handlers.notice(message.payload ?? '');
    });
    current
      .connect()
      .then(() => current.query(`LISTEN ${channel}`))
      .then(() => {
        if (client !== current || closed) return;
        pauseMs = firstPauseMs;
        handlers.listening();
      })
      .catch(() => lost(current));
  };

  connect();
  return {
    async close() {
      closed = true;
      if (retry) clearTimeout(retry);
      const current = client;
      client = undefined;
      handlers.deaf();
      if (current) {
        current.removeAllListeners('notification');
        await current.end().catch(() => undefined);
      }
    },
  };
}
