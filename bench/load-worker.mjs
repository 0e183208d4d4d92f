// A closed-loop load generator in a thread of its own, so sending requests never takes the event loop
// of the server being measured: `concurrency` clients each send a request, read the whole answer, and
// send the next, over keep-alive connections, for `durationMs`. Plain JavaScript: a worker thread does
// not inherit tsx. Answers other than 200 are counted as errors.
//
// It uses node:http, not fetch: on these two shared cores every millisecond the client spends is one
// the server does not get, and fetch's web streams cost about three times as much per answer, more
// the larger the page, which would make a larger page look slower than it is to serve.
import http from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { urls, headers, concurrency, durationMs } = workerData;
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const latencies = [];
let errors = 0;
const statuses = {};
let next = 0;
// Said first, so the server's side can read its CPU time from the load's start.
parentPort.postMessage('started');
const started = performance.now();
const end = started + durationMs;

/** One GET, its whole answer read; resolves with the status (0 when the connection failed). */
const get = (url) =>
  new Promise((resolve) => {
    const request = http.get(url, { agent, headers }, (response) => {
      response.on('data', () => {});
      response.on('end', () => resolve(response.statusCode));
      response.on('error', () => resolve(0));
    });
    request.on('error', () => resolve(0));
  });

await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const url = urls[next++ % urls.length];
      const start = performance.now();
      const status = await get(url);
      if (status !== 200) {
        errors++;
        statuses[status] = (statuses[status] ?? 0) + 1;
      }
      latencies.push(performance.now() - start);
    }
  }),
);
agent.destroy();
parentPort.postMessage({ latencies, errors, statuses, seconds: (performance.now() - started) / 1000 });
