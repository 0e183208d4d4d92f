// Timing helpers the bench's sections share.
import { performance } from 'node:perf_hooks';

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
