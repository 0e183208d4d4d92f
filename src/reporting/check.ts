// Checks a delivery line by line as it streams in: the header against the layout, every cell against its
// column, key columns for repeats, and the control rules at the end. Memory stays bounded whatever the
// file's length: the first errors are kept for the page, the rest only counted (or handed to a writer for
// the error report), and keys are kept as 64-bit hashes in one typed array.
import { checkValue, type Cell, type Layout, type LayoutColumn } from './layout.js';

/** One line of a file as read: its line number in the file (the header is line 1) and its cells. */
export interface Row {
  readonly line: number;
  readonly cells: readonly Cell[];
}

/** An error with its place: line 0 is the file as a whole. Params go into the translated message. */
export interface LineError {
  readonly line: number;
  readonly column?: string;
  readonly key: string;
  readonly params?: Record<string, string | number>;
}

export interface CheckOptions {
  /** The period being delivered, for `period` controls. */
  readonly period: string;
  /** Figures the deliverer stated (count of rows, sums in øre by column) for `count` and `sum` controls. */
  readonly declared?: { readonly count?: number; readonly sums?: Readonly<Record<string, number>> };
  /** How many errors to keep (the rest are counted). */
  readonly keep?: number;
  /** Every error, as found: for the downloadable error report. */
  readonly onError?: (error: LineError) => void;
}

export interface CheckOutcome {
  readonly rows: number;
  readonly errorCount: number;
  readonly errors: LineError[];
  /** Sums in øre of every amount column. */
  readonly sums: Record<string, number>;
}

/** Raised while rows are read when the file breaks off (a stray quote, a broken XLSX): one error, at its line. */
export class UnreadableRows extends Error {
  constructor(readonly error: LineError) {
    super(error.key);
  }
}

/** Errors shown on the page; the error report has them all. */
export const errorsShown = 200;
const shownValueLength = 40;

export async function checkRows(
  layout: Layout,
  rows: AsyncIterable<Row>,
  options: CheckOptions,
): Promise<CheckOutcome> {
  const keep = options.keep ?? errorsShown;
  const errors: LineError[] = [];
  let errorCount = 0;
  const report = (error: LineError) => {
    errorCount += 1;
    if (errors.length < keep) errors.push(error);
    options.onError?.(error);
  };
  const sums: Record<string, number> = {};
  for (const column of layout.columns) if (column.type === 'amount') sums[column.name] = 0;
  const periodColumns = new Set(layout.controls.flatMap((c) => (c.kind === 'period' ? [c.column] : [])));
  const keys = new KeySet();

  let header:
    | { readonly cells: readonly string[]; readonly columns: readonly (LayoutColumn | undefined)[] }
    | undefined;
  let keyIndexes: number[] = [];
  let count = 0;
  try {
    for await (const row of rows) {
      if (!header) {
        const names = row.cells.map((cell) => (typeof cell === 'string' ? cell.trim() : ''));
        const problems = headerProblems(layout, names);
        if (problems.length > 0) {
          for (const problem of problems) report({ line: row.line, ...problem });
          return { rows: 0, errorCount, errors, sums };
        }
        const columns = names.map((name) => layout.columns.find((c) => sameName(c.name, name)));
        header = { cells: names, columns };
        keyIndexes = layout.keys.map((key) => columns.findIndex((c) => c?.name === key));
        continue;
      }
      count += 1;
      if (row.cells.length > header.cells.length && row.cells.slice(header.cells.length).some((c) => c !== '')) {
        report({
          line: row.line,
          key: 'cellCount',
          params: { found: row.cells.length, expected: header.cells.length },
        });
        continue;
      }
      if (header.cells.every((name, i) => typeof row.cells[i] === 'string' && sameName(name, row.cells[i] as string))) {
        report({ line: row.line, key: 'repeatedHeader' });
        continue;
      }
      let keyComplete = true;
      const keyParts: string[] = [];
      for (let i = 0; i < header.columns.length; i++) {
        const column = header.columns[i]!;
        const cell = row.cells[i] ?? '';
        const empty = typeof cell === 'string' && cell.trim() === '';
        if (empty) {
          if (column.required) report({ line: row.line, column: column.name, key: 'required' });
          if (keyIndexes.includes(i)) keyComplete = false;
          continue;
        }
        const checked = checkValue(column, cell);
        if (!('ok' in checked)) {
          const value = typeof cell === 'string' ? shorten(cell.trim()) : `=${shorten(cell.formula)}`;
          report({ line: row.line, column: column.name, key: checked.key, params: { ...checked.params, value } });
          if (keyIndexes.includes(i)) keyComplete = false;
          continue;
        }
        if (checked.ore !== undefined) sums[column.name]! += checked.ore;
        if (periodColumns.has(column.name) && checked.value !== options.period)
          report({
            line: row.line,
            column: column.name,
            key: 'period',
            params: { value: shorten(checked.value), period: options.period },
          });
        if (keyIndexes.includes(i)) keyParts[keyIndexes.indexOf(i)] = checked.value;
      }
      if (keyIndexes.length > 0 && keyComplete) {
        const first = keys.add(keyParts.join('\u0000'), row.line);
        if (first !== undefined)
          report({ line: row.line, key: 'duplicateKey', params: { first, columns: layout.keys.join(', ') } });
      }
    }
  } catch (error) {
    if (!(error instanceof UnreadableRows)) throw error;
    report(error.error);
    return { rows: count, errorCount, errors, sums };
  }
  if (!header) {
    report({ line: 0, key: 'empty' });
    return { rows: 0, errorCount, errors, sums };
  }
  if (count === 0) report({ line: 0, key: 'noRows' });
  for (const control of layout.controls) {
    if (control.kind === 'count' && options.declared?.count !== undefined && options.declared.count !== count)
      report({ line: 0, key: 'countMismatch', params: { found: count, declared: options.declared.count } });
    if (control.kind === 'sum') {
      const declared = options.declared?.sums?.[control.column];
      const found = sums[control.column] ?? 0;
      if (declared !== undefined && declared !== found)
        report({
          line: 0,
          column: control.column,
          key: 'sumMismatch',
          params: { found: formatOre(found), declared: formatOre(declared) },
        });
    }
  }
  return { rows: count, errorCount, errors, sums };
}

/** Header names compare without case and surrounding spaces. */
function sameName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

function headerProblems(layout: Layout, names: readonly string[]): Omit<LineError, 'line'>[] {
  const problems: Omit<LineError, 'line'>[] = [];
  const missing = layout.columns.filter((c) => !names.some((n) => sameName(n, c.name))).map((c) => c.name);
  const extra = names.filter((n) => n !== '' && !layout.columns.some((c) => sameName(n, c.name)));
  const repeated = names.filter((n, i) => n !== '' && names.findIndex((m) => sameName(m, n)) !== i);
  if (missing.length === layout.columns.length && names.length <= 1)
    problems.push({ key: 'noHeader', params: { expected: layout.columns.map((c) => c.name).join(';') } });
  else {
    if (missing.length > 0) problems.push({ key: 'missingColumns', params: { names: missing.join(', ') } });
    if (extra.length > 0) problems.push({ key: 'extraColumns', params: { names: extra.map(shorten).join(', ') } });
    if (repeated.length > 0) problems.push({ key: 'repeatedColumns', params: { names: repeated.join(', ') } });
    if (names.some((n) => n === '') && missing.length === 0)
      problems.push({ key: 'emptyColumnName', params: { position: names.indexOf('') + 1 } });
  }
  return problems;
}

function shorten(value: string): string {
  return value.length > shownValueLength ? `${value.slice(0, shownValueLength)}…` : value;
}

/** Øre as kroner with two decimals and a decimal comma, as the message shows them. */
export function formatOre(ore: number): string {
  const sign = ore < 0 ? '-' : '';
  const abs = Math.abs(ore);
  return `${sign}${Math.floor(abs / 100)},${String(abs % 100).padStart(2, '0')}`;
}

/**
 * A set of keys kept as two 32-bit hashes each, in open addressing over typed arrays, with the line
 * each was first seen on: a million keys take about 24 MB. Two different keys with the same 64-bit hash
 * would be reported as a repeat; at a million rows the chance is about one in 36 million files.
 */
export class KeySet {
  private high = new Uint32Array(1024);
  private low = new Uint32Array(1024);
  private lines = new Int32Array(1024);
  private size = 0;

  /** Adds a key; answers the line it was first seen on when it is a repeat. */
  add(key: string, line: number): number | undefined {
    if ((this.size + 1) * 2 > this.lines.length) this.grow();
    const [h, l] = hash64(key);
    return this.insert(h, l, line);
  }

  private insert(h: number, l: number, line: number): number | undefined {
    const mask = this.lines.length - 1;
    let slot = (h ^ l) & mask;
    while (this.lines[slot] !== 0) {
      if (this.high[slot] === h && this.low[slot] === l) return this.lines[slot];
      slot = (slot + 1) & mask;
    }
    this.high[slot] = h;
    this.low[slot] = l;
    this.lines[slot] = line;
    this.size += 1;
    return undefined;
  }

  private grow() {
    const { high, low, lines } = this;
    this.high = new Uint32Array(lines.length * 2);
    this.low = new Uint32Array(lines.length * 2);
    this.lines = new Int32Array(lines.length * 2);
    this.size = 0;
    for (let i = 0; i < lines.length; i++) if (lines[i] !== 0) this.insert(high[i]!, low[i]!, lines[i]!);
  }
}

/** FNV-1a and a murmur-style mix over the UTF-16 code units, in one pass. */
function hash64(key: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < key.length; i++) {
    const c = key.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, (b ^ (b >>> 13)) >>> 0];
}
