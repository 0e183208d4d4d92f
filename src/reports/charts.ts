// Chart geometry for server-drawn SVG: numbers in, rectangles, lines and labels out. The template
// (views/reports/_chart.eta) draws them with a title, a description and the table beside them.

export interface Chart {
  width: number;
  height: number;
  rects: { x: number; y: number; width: number; height: number; series: string; label: string }[];
  lines: { x1: number; y1: number; x2: number; y2: number }[];
  labels: { x: number; y: number; text: string; anchor: 'start' | 'middle' | 'end' }[];
}

/** The smallest of 1, 2 or 5 times a power of ten that is at least `value` (and at least 1). */
export function niceMax(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((candidate) => candidate >= value) ?? 10 * power;
}

const round = (n: number) => Math.round(n * 10) / 10;

/**
 * Columns stacked by series, one per bucket (incoming cases per day or week by channel). Every
 * `labelEvery`-th bucket is named under the axis so the names never overlap.
 */
export function stackedColumns(
  buckets: { label: string; values: { series: string; value: number; label: string }[] }[],
): Chart {
  const width = 540;
  const height = 220;
  const left = 40;
  const bottom = 28;
  const top = 10;
  const plotWidth = width - left - 8;
  const plotHeight = height - top - bottom;
  const max = niceMax(Math.max(0, ...buckets.map((b) => b.values.reduce((sum, v) => sum + v.value, 0))));
  const slot = plotWidth / Math.max(1, buckets.length);
  const labelEvery = Math.max(1, Math.ceil(buckets.length / 12));
  const chart: Chart = { width, height, rects: [], lines: [], labels: [] };
  // Grid lines at whole numbers only: a scale up to 1 has no half.
  for (const tick of [...new Set([0, max / 2, max])].filter(Number.isInteger)) {
    const y = round(top + plotHeight * (1 - tick / max));
    chart.lines.push({ x1: left, y1: y, x2: width - 8, y2: y });
    chart.labels.push({ x: left - 6, y: y + 4, text: String(tick), anchor: 'end' });
  }
  buckets.forEach((bucket, i) => {
    const x = left + i * slot + slot * 0.1;
    let y = top + plotHeight;
    for (const value of bucket.values) {
      if (value.value === 0) continue;
      const h = (value.value / max) * plotHeight;
      y -= h;
      chart.rects.push({
        x: round(x),
        y: round(y),
        width: round(slot * 0.8),
        height: round(h),
        series: value.series,
        label: value.label,
      });
    }
    if (i % labelEvery === 0)
      chart.labels.push({ x: round(x + slot * 0.4), y: height - 8, text: bucket.label, anchor: 'middle' });
  });
  return chart;
}

/** One horizontal bar per row (open cases by status), the value written after the bar. */
export function horizontalBars(rows: { label: string; value: number; series: string }[]): Chart {
  const width = 480;
  const left = 130;
  const rowHeight = 28;
  const height = rows.length * rowHeight + 8;
  const plotWidth = width - left - 50;
  const max = niceMax(Math.max(0, ...rows.map((r) => r.value)));
  const chart: Chart = { width, height, rects: [], lines: [], labels: [] };
  rows.forEach((row, i) => {
    const y = 4 + i * rowHeight;
    const w = (row.value / max) * plotWidth;
    chart.labels.push({ x: left - 8, y: y + 17, text: row.label, anchor: 'end' });
    if (row.value > 0)
      chart.rects.push({
        x: left,
        y: y + 4,
        width: round(w),
        height: rowHeight - 10,
        series: row.series,
        label: `${row.label}: ${row.value}`,
      });
    chart.labels.push({ x: round(left + w + 6), y: y + 17, text: String(row.value), anchor: 'start' });
  });
  chart.lines.push({ x1: left, y1: 0, x2: left, y2: height });
  return chart;
}
