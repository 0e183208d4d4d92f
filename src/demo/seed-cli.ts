// `npm run seed -- --cases N`: demo agencies and users, plus N synthetic cases with events.
import { parseArgs } from 'node:util';
import { withDatabase } from '../cli.js';
import { seedDemoData } from './data.js';
import { seedCases } from './seed.js';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '0' } } });
const total = Number(values.cases);
if (!Number.isSafeInteger(total) || total < 0) {
  console.error(`--cases must be a whole number, got "${values.cases}"`);
  process.exit(2);
}

await withDatabase(async (db) => {
  await seedDemoData(db);
  const started = Date.now();
  await seedCases(db, total, { onProgress: (done) => process.stdout.write(`\rSeeded ${done} of ${total} cases`) });
  if (total > 0) console.log(`\nDone in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
  else console.log('Demo data is in place.');
});
