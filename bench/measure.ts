// Timing helpers the bench's sections share.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

const ticksPerSecond = 100;

/**
 * CPU time the process's main thread has used, in milliseconds (Linux: its task's user and system
 * ticks; elsewhere undefined). Unlike throughput it does not count the time the thread waited for a
 * core, so it moves much less with what else these shared cores are doing.
 */
export function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command's closing parenthesis: state is the first, utime the 12th, stime the 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/** Milliseconds per call: three warm-up calls, then `count` measured ones. */
export async function timings(measure: () => Promise<unknown>, count: number): Promise<number[]> {
  for (let i = 0; i < 3; i++) await measure();
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const start = performance.now();
    await measure();
    times.push(performance.now() - start);
  }
  return times;
}

export function p95(times: number[]): number {
  const sorted = [...times].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(0.95 * sorted.length))]! * 100) / 100;
}

let built = false;

/** Compiles the app into dist/ (as production runs it), once per bench run whichever sections need it. */
export function buildOnce(): void {
  if (built) return;
  const build = spawnSync('npm', ['run', 'build', '--silent'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build failed: ${build.stdout}${build.stderr}`);
  built = true;
}
