// Exports every case (a caseworker sees them all) into a byte-counting sink and reports the peak
// resident memory of this process. Run by bench/run.ts against its database.
import { streamCases } from '../src/cases/list/queries.js';
import { listChoices } from '../src/cases/list/choices.js';
import { parseListQuery, listColumns } from '../src/cases/list/filter.js';
import { Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { createDb } from '../src/db/index.js';
import { loadViewer } from '../src/auth/viewer.js';
import { writeCasesWorkbook } from '../src/cases/list/export.js';
import { translator } from '../src/web/i18n.js';

const db = createDb(process.env.DATABASE_URL!);
const user = await db
  .selectFrom('users')
  .select('id')
  .where('email', '=', 'siri@kundesenter.no')
  .executeTakeFirstOrThrow();
const session = await db.insertInto('sessions').values({ user_id: user.id }).returning('id').executeTakeFirstOrThrow();
const viewer = (await loadViewer(db, session.id))!;
const { filter } = parseListQuery({ queue: 'all' }, viewer, await listChoices(db));

let peak = process.memoryUsage().rss;
const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
let bytes = 0;
const sink = new Writable({
  highWaterMark: 1024 * 1024,
  write(chunk: Buffer, _encoding, done) {
    bytes += chunk.length;
    done();
  },
});
const started = performance.now();
const rows = await writeCasesWorkbook(
  sink,
  streamCases(db, viewer, filter),
  listColumns,
  translator('nb'),
  'nb',
  'Saker',
);
await new Promise((resolve) => sink.end(resolve));
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peak = Math.max(peak, process.memoryUsage().rss);
await db.destroy();
console.log(JSON.stringify({ rows, bytes, seconds, peakRssMb: Math.round(peak / 1024 / 1024) }));
