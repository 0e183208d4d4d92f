// `generate <rows> <file>`: writes a variable-pay CSV of that many rows (streamed, never whole in memory)
// and prints the sum of its amounts. `check <file> <rows> <sum>`: checks it and reports rows per second
// and the peak resident memory of this process. Run by bench/run.ts, each step in a process of its own,
// against the compiled code in dist/ (`npm run build`), as production runs it: the peak is the check's
// and Node's own, not a TypeScript loader's.
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { variablePayLayout } from '../dist/src/demo/reporting.js';
import { checkFile } from '../dist/src/reporting/read.js';

const [mode, ...args] = process.argv.slice(2);

if (mode === 'generate') {
  const [rows, file] = [Number(args[0]), args[1]];
  const codes = ['1100', '1110', '1200', '1210', '2010', '5010'];
  const out = createWriteStream(file);
  out.write(`${variablePayLayout.columns.map((c) => c.name).join(';')}\r\n`);
  let sum = 0;
  for (let i = 0; i < rows; i++) {
    const ore = 10_000 + ((i * 7919) % 500_000);
    sum += ore;
    const amount = `${Math.floor(ore / 100)},${String(ore % 100).padStart(2, '0')}`;
    const comment = i % 10 === 0 ? 'Overtid i helg' : '';
    const line = `${100000 + i};01010012356;${codes[i % codes.length]};${amount};2026-03;${comment}\r\n`;
    if (!out.write(line)) await once(out, 'drain');
  }
  out.end();
  await once(out, 'close');
  console.log(JSON.stringify({ sum }));
} else {
  const [file, rows, sum] = [args[0], Number(args[1]), Number(args[2])];
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const started = performance.now();
  const outcome = await checkFile({ path: file, filename: 'variabel-lonn.csv' }, variablePayLayout, '2026-03', {
    declared: { count: rows, sums: { Beløp: sum } },
  });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
  if (outcome.errorCount > 0) throw new Error(`the generated file did not pass: ${JSON.stringify(outcome.errors[0])}`);
  console.log(JSON.stringify({ rows: outcome.rows, seconds, peakRssMb: Math.round(peak / 1024 / 1024) }));
}
