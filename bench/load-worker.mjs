// A closed-loop load generator in a thread of its own, so sending requests never takes the event loop
// of the server being measured. One thread serves a whole bench: each message `{ urls, headers,
// concurrency, durationMs }` is a round in which `concurrency` clients each send a request, read the
// whole answer and send the next, for `durationMs`; answers other than 200 are counted as errors.
//
// It lives for the whole bench, not a round: a thread's start (a new isolate, about 50 ms of CPU) and
// its code's first runs (interpreted until V8 has compiled it, on the same cores) used to fall inside
// every measured second, and a fresh keep-alive connection was opened per client per round.
//
// Plain JavaScript, started with no `execArgv` (a worker inherits the parent's `--import tsx`
// otherwise). It uses node:http, not fetch: on these two shared cores every millisecond the client
// spends is one the server does not get, and fetch's web streams cost about three times as much per
// answer, more the larger the page, which would make a larger page look slower than it is to serve.
import http from 'node:http';
import { parentPort } from 'node:worker_threads';

// Keep-alive connections are kept between rounds, at most 64 to a server (the largest round uses 20).
const agent = new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 });

/** One GET, its whole answer read; resolves with the status (0 when the connection failed). */
const get = (url, headers) =>
  new Promise((resolve) => {
    const request = http.get(url, { agent, headers }, (response) => {
      response.on('data', () => {});
      response.on('end', () => resolve(response.statusCode));
      response.on('error', () => resolve(0));
    });
    request.on('error', () => resolve(0));
  });

async function round({ urls, headers, concurrency, durationMs }) {
  const latencies = [];
  let errors = 0;
  const statuses = {};
  let next = 0;
  // Said first, so the server's side can read its CPU time from the round's start.
  parentPort.postMessage('started');
  const started = performance.now();
  const end = started + durationMs;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const url = urls[next++ % urls.length];
        const start = performance.now();
        const status = await get(url, headers);
        if (status !== 200) {
          errors++;
          statuses[status] = (statuses[status] ?? 0) + 1;
        }
        latencies.push(performance.now() - start);
      }
    }),
  );
  return { latencies, errors, statuses, seconds: (performance.now() - started) / 1000 };
}

// Rounds come one at a time (the bench awaits each); 'close' ends the thread with its connections.
parentPort.on('message', async (message) => {
  if (message === 'close') {
    agent.destroy();
    parentPort.close();
    return;
  }
  parentPort.postMessage(await round(message));
});
