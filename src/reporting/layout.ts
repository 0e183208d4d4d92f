// A report type's published layout: ordered columns with their type and limits, key columns that must be
// unique, and control rules. The same definition drives the layout page, the templates, the web form and
// the check of every delivered line, so documentation and checks cannot drift apart.
import { validateNorwegianIdNumber } from 'norwegian-national-id-validator';
import type { LocalText } from '../web/i18n.js';

export const columnTypes = [
  'text',
  'integer',
  'decimal',
  'amount',
  'date',
  'national_id',
  'org_number',
  'employee_number',
  'code',
] as const;
export type ColumnType = (typeof columnTypes)[number];

export interface LayoutColumn {
  readonly name: string;
  readonly help: LocalText;
  readonly type: ColumnType;
  readonly required: boolean;
  /** Longest text, in characters. */
  readonly maxLength?: number;
  /** Smallest and largest value, for numbers and amounts (in kroner). */
  readonly min?: number;
  readonly max?: number;
  /** A regular expression the whole value must match (text and employee numbers). */
  readonly pattern?: string;
  /** The allowed codes, for `code` columns. */
  readonly codes?: readonly { readonly code: string; readonly label: LocalText }[];
}

/**
 * Control rules: `count` and `sum` are figures the deliverer states with a file and that the file must
 * match; `period` says a column must hold the period being delivered.
 */
export type Control =
  | { readonly kind: 'count' }
  | { readonly kind: 'sum'; readonly column: string }
  | { readonly kind: 'period'; readonly column: string };

export interface Layout {
  readonly columns: readonly LayoutColumn[];
  /** Columns whose values together must be unique in a delivery. */
  readonly keys: readonly string[];
  readonly controls: readonly Control[];
  /** Example rows for the layout page and the templates, as they would be typed. */
  readonly example: readonly (readonly string[])[];
}

/** A value that did not pass: a catalogue key under `reporting.values` and what the message needs. */
export interface ValueProblem {
  readonly key: string;
  readonly params?: Record<string, string | number>;
}

/** A checked value: what it is worth for sums (øre for amounts), or the problem. */
export type Checked = { readonly ok: true; readonly value: string; readonly ore?: number } | ValueProblem;

/** A cell as read from a file: text, or a formula an XLSX file kept in it. */
export type Cell = string | { readonly formula: string };

const numericTypes: ReadonlySet<ColumnType> = new Set(['integer', 'decimal', 'amount']);
// Spaces (also the no-break and narrow no-break spaces Excel writes) may group thousands.
const groupSpaces = /[\s\u00a0\u202f]/g;
const integerPattern = /^-?\d+$/;
const decimalPattern = /^-?\d+([.,]\d+)?$/;
const amountPattern = /^-?\d+([.,]\d{1,2})?$/;
const isoDate = /^(\d{4})-(\d{2})-(\d{2})$/;
const norwegianDate = /^(\d{2})\.(\d{2})\.(\d{4})$/;

/** Dates are written YYYY-MM-DD or DD.MM.YYYY (the published layout says so); anything else is refused. */
export function parseDate(value: string): string | undefined {
  const iso = isoDate.exec(value);
  const nb = norwegianDate.exec(value);
  const [year, month, day] = iso ? [iso[1], iso[2], iso[3]] : nb ? [nb[3], nb[2], nb[1]] : [];
  if (!year) return undefined;
  const date = new Date(`${year}-${month}-${day}T12:00:00Z`);
  if (Number.isNaN(date.getTime()) || date.getUTCDate() !== Number(day)) return undefined;
  return `${year}-${month}-${day}`;
}

/** Norwegian organisation numbers: nine digits with a modulus-11 check digit. */
export function isOrganisationNumber(value: string): boolean {
  if (!/^\d{9}$/.test(value)) return false;
  const weights = [3, 2, 7, 6, 5, 4, 3, 2];
  const sum = weights.reduce((total, weight, i) => total + weight * Number(value[i]), 0);
  const check = 11 - (sum % 11);
  return (check === 11 ? 0 : check) === Number(value[8]);
}

/** Kroner and øre as a whole number of øre, so sums never meet floating-point error. */
function toOre(value: string): number {
  const negative = value.startsWith('-');
  const [kroner, ore = ''] = value.replace('-', '').split(/[.,]/);
  const total = Number(kroner) * 100 + Number(ore.padEnd(2, '0'));
  return negative ? -total : total;
}

function pattern(column: LayoutColumn): RegExp | undefined {
  if (!column.pattern) return undefined;
  let compiled = compiledPatterns.get(column.pattern);
  if (!compiled) {
    compiled = new RegExp(`^(?:${column.pattern})$`, 'u');
    compiledPatterns.set(column.pattern, compiled);
  }
  return compiled;
}
const compiledPatterns = new Map<string, RegExp>();

/** Checks one cell against its column. Empty cells are checked by the caller (required or not). */
export function checkValue(column: LayoutColumn, cell: Cell): Checked {
  if (typeof cell !== 'string') {
    // A formula is text to us: refused where a number is due, and nowhere worth trusting its result.
    return { key: numericTypes.has(column.type) ? 'formulaNumber' : 'formula' };
  }
  const value = cell.trim();
  // A formula typed into a CSV file is text, and never a number.
  if (numericTypes.has(column.type) && value.startsWith('=')) return { key: 'formulaNumber' };
  switch (column.type) {
    case 'text': {
      if (column.maxLength !== undefined && value.length > column.maxLength)
        return { key: 'tooLong', params: { max: column.maxLength } };
      if (column.pattern && !pattern(column)!.test(value)) return { key: 'pattern' };
      return { ok: true, value };
    }
    case 'integer':
    case 'decimal':
    case 'amount': {
      const compact = value.replace(groupSpaces, '');
      const shape =
        column.type === 'integer' ? integerPattern : column.type === 'decimal' ? decimalPattern : amountPattern;
      if (!shape.test(compact)) return { key: column.type };
      const number = Number(compact.replace(',', '.'));
      if (column.min !== undefined && number < column.min) return { key: 'belowMin', params: { min: column.min } };
      if (column.max !== undefined && number > column.max) return { key: 'aboveMax', params: { max: column.max } };
      return column.type === 'amount'
        ? { ok: true, value: compact, ore: toOre(compact) }
        : { ok: true, value: compact };
    }
    case 'date': {
      const date = parseDate(value);
      return date ? { ok: true, value: date } : { key: 'date' };
    }
    case 'national_id': {
      const digits = value.replace(/[ .-]/g, '');
      return /^\d{11}$/.test(digits) && validateNorwegianIdNumber(digits)
        ? { ok: true, value: digits }
        : { key: 'nationalId' };
    }
    case 'org_number': {
      const digits = value.replace(groupSpaces, '');
      return isOrganisationNumber(digits) ? { ok: true, value: digits } : { key: 'orgNumber' };
    }
    case 'employee_number': {
      if (column.pattern ? !pattern(column)!.test(value) : !/^\d{1,12}$/.test(value)) return { key: 'employeeNumber' };
      return { ok: true, value };
    }
    case 'code': {
      const codes = column.codes ?? [];
      return codes.some((c) => c.code === value) ? { ok: true, value } : { key: 'code' };
    }
  }
}

/** The layout's column names as a header row, in order. */
export function headerOf(layout: Layout): string[] {
  return layout.columns.map((c) => c.name);
}
