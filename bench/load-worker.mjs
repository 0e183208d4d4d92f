// A closed-loop load generator in a thread of its own, so sending requests never takes the event loop
// of the server being measured: `concurrency` clients each send a request, read the whole answer, and
// send the next, over keep-alive connections, for `durationMs`. Plain JavaScript: a worker thread does
// not inherit tsx. Answers other than 200 are counted as errors.
import { parentPort, workerData } from 'node:worker_threads';

const { urls, headers, concurrency, durationMs } = workerData;
const latencies = [];
let errors = 0;
const statuses = {};
let next = 0;
const started = performance.now();
const end = started + durationMs;
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (performance.now() < end) {
      const url = urls[next++ % urls.length];
      const start = performance.now();
      try {
        const response = await fetch(url, { headers, redirect: 'manual' });
        await response.arrayBuffer();
        if (response.status !== 200) {
          errors++;
          statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        }
      } catch {
        errors++;
      }
      latencies.push(performance.now() - start);
    }
  }),
);
parentPort.postMessage({ latencies, errors, statuses, seconds: (performance.now() - started) / 1000 });
