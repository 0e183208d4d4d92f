// Reads a delivered file as rows, streaming: CSV (UTF-8 or Windows-1252, semicolon, comma or tab, found
// from the file itself) through csv-parse, XLSX through exceljs' streaming reader (its first sheet).
// What makes a file unreadable as a whole is said before any row is read: empty, macro-enabled, the old
// binary Excel format, UTF-16, not text at all.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline, Transform } from 'node:stream';
import type ExcelJS from 'exceljs';
import { CsvError, parse } from 'csv-parse';
import type { Cell, Layout } from './layout.js';
import { checkRows, UnreadableRows, type CheckOptions, type CheckOutcome, type LineError, type Row } from './check.js';

export type FileKind = 'csv' | 'xlsx';
export type Encoding = 'utf-8' | 'windows-1252';
export const delimiters = [';', ',', '\t'] as const;

export interface OpenedFile {
  readonly kind: FileKind;
  readonly encoding?: Encoding;
  readonly delimiter?: string;
  readonly rows: AsyncIterable<Row>;
}

const zipMagic = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const oleMagic = Buffer.from([0xd0, 0xcf, 0x11, 0xe0]);
const utf8Bom = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * Opens a file for reading rows, or says why it cannot be read. `columns` are the layout's column names,
 * used to tell the delimiter from the header line.
 */
export async function openRows(
  path: string,
  filename: string,
  columns: readonly string[],
): Promise<OpenedFile | LineError> {
  const head = await readHead(path, 64 * 1024);
  if (head.length === 0) return { line: 0, key: 'emptyFile' };
  if (head.subarray(0, 4).equals(zipMagic)) {
    if (/\.(xlsm|xltm|xlam)$/i.test(filename) || (await contains(path, 'vbaProject')))
      return { line: 0, key: 'macros' };
    return { kind: 'xlsx', rows: xlsxRows(path) };
  }
  if (head.subarray(0, 4).equals(oleMagic)) return { line: 0, key: 'oldExcel' };
  if ((head[0] === 0xff && head[1] === 0xfe) || (head[0] === 0xfe && head[1] === 0xff))
    return { line: 0, key: 'utf16' };
  if (head.includes(0)) return { line: 0, key: 'notText' };
  const encoding: Encoding = head.subarray(0, 3).equals(utf8Bom) || (await isUtf8(path)) ? 'utf-8' : 'windows-1252';
  const firstLine =
    new TextDecoder(encoding)
      .decode(head)
      .replace(/^\uFEFF/, '')
      .split(/\r?\n/)[0] ?? '';
  const delimiter = guessDelimiter(firstLine, columns);
  return { kind: 'csv', encoding, delimiter, rows: csvRows(path, encoding, delimiter) };
}

async function readHead(path: string, bytes: number): Promise<Buffer> {
  const file = await open(path);
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await file.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** Whether the bytes appear anywhere in the file (zip entry names are stored as they are). */
async function contains(path: string, text: string): Promise<boolean> {
  const needle = Buffer.from(text);
  let tail = Buffer.alloc(0);
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    const window = Buffer.concat([tail, chunk]);
    if (window.includes(needle)) return true;
    tail = window.subarray(Math.max(0, window.length - needle.length + 1));
  }
  return false;
}

/** Whether the whole file is valid UTF-8 (read once, streaming; a Windows-1252 file fails at its first æ, ø or å). */
async function isUtf8(path: string): Promise<boolean> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) decoder.decode(chunk, { stream: true });
    decoder.decode();
    return true;
  } catch {
    return false;
  }
}

/** The delimiter that splits the header into the most known column names; failing that, the commonest. */
export function guessDelimiter(firstLine: string, columns: readonly string[]): string {
  const known = new Set(columns.map((c) => c.trim().toLowerCase()));
  const scored = delimiters.map((delimiter) => {
    const cells = firstLine.split(delimiter).map((c) => c.replace(/^"|"$/g, '').trim().toLowerCase());
    return { delimiter, known: cells.filter((c) => known.has(c)).length, cells: cells.length };
  });
  scored.sort((a, b) => b.known - a.known || b.cells - a.cells);
  return scored[0]!.delimiter;
}

async function* csvRows(path: string, encoding: Encoding, delimiter: string): AsyncGenerator<Row> {
  const decoder = new TextDecoder(encoding);
  const decode = new Transform({
    readableObjectMode: false,
    transform(chunk: Buffer, _encoding, done) {
      done(null, decoder.decode(chunk, { stream: true }));
    },
    flush(done) {
      done(null, decoder.decode());
    },
  });
  const parser = parse({ delimiter, bom: true, relax_column_count: true, info: true, skip_empty_lines: true });
  const records = pipeline(createReadStream(path), decode, parser, () => {});
  try {
    for await (const { record, info } of records as AsyncIterable<{ record: string[]; info: { lines: number } }>) {
      if (record.every((cell) => cell.trim() === '')) continue;
      yield { line: info.lines, cells: record };
    }
  } catch (error) {
    if (error instanceof CsvError)
      throw new UnreadableRows({
        line: (error as CsvError & { lines?: number }).lines ?? 0,
        key: error.code === 'CSV_QUOTE_NOT_CLOSED' ? 'quoteNotClosed' : 'csvSyntax',
      });
    throw error;
  } finally {
    records.destroy();
  }
}

async function* xlsxRows(path: string): AsyncGenerator<Row> {
  // Loaded when first needed: exceljs costs a few hundred milliseconds at start-up.
  const { default: excel } = await import('exceljs');
  const input = createReadStream(path);
  const reader = new excel.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  try {
    for await (const sheet of reader) {
      for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
        const values = (row.values as unknown[]).slice(1);
        const cells = Array.from(values, cellOf);
        if (cells.every((cell) => typeof cell === 'string' && cell.trim() === '')) continue;
        yield { line: row.number, cells };
      }
      // Only the first sheet is the report; a second one (notes, a pivot) is not read.
      break;
    }
  } catch (error) {
    if (error instanceof UnreadableRows) throw error;
    throw new UnreadableRows({ line: 0, key: 'unreadableXlsx' });
  } finally {
    input.destroy();
  }
}

/** A cell's value as the text a user would have typed, or the formula it holds. */
function cellOf(value: unknown): Cell {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  // Whole numbers as they are; others rounded past floating-point noise (0.1 + 0.2).
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(9)));
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (typeof value === 'object') {
    const v = value as {
      formula?: string;
      sharedFormula?: string;
      richText?: { text: string }[];
      text?: unknown;
      error?: string;
    };
    if (v.formula !== undefined || v.sharedFormula !== undefined)
      return { formula: String(v.formula ?? v.sharedFormula) };
    if (v.richText) return v.richText.map((part) => part.text).join('');
    if (typeof v.text === 'string') return v.text;
    if (v.error) return String(v.error);
  }
  return String(value);
}

/** Checks a delivered file against its layout; errors found are kept (the first `errorsShown`). */
export async function checkFile(
  file: { path: string; filename: string },
  layout: Layout,
  period: string,
  options: { declared?: CheckOptions['declared']; onError?: (error: LineError) => void } = {},
): Promise<CheckOutcome> {
  const opened = await openRows(
    file.path,
    file.filename,
    layout.columns.map((c) => c.name),
  );
  if (!('rows' in opened)) {
    options.onError?.(opened);
    return { rows: 0, errorCount: 1, errors: [opened], sums: {} };
  }
  return checkRows(layout, opened.rows, { period, declared: options.declared, onError: options.onError });
}
