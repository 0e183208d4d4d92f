// Files generated from a layout and from checks: the XLSX and CSV templates (from the same definition the
// check reads, so they cannot drift), the error report of a refused delivery (streamed, every error), and
// the agency's overview as a workbook.
import { PassThrough, type Readable } from 'node:stream';
import { neutraliseFormula } from '../cases/list/export.js';
import { localText, type Language, type Translate } from '../web/i18n.js';
import { printable } from '../web/workbook.js';
import type { LineError } from './check.js';
import { headerOf, type Layout, type LayoutColumn } from './layout.js';

const excel = async () => (await import('exceljs')).default;

/** Rows a template's formats and drop-downs reach: enough for any monthly file typed by hand. */
const templateRows = 5000;

function columnLetter(index: number): string {
  let n = index + 1;
  let letters = '';
  while (n > 0) {
    const rest = (n - 1) % 26;
    letters = String.fromCharCode(65 + rest) + letters;
    n = Math.floor((n - 1) / 26);
  }
  return letters;
}

/** The cell format a column's values are typed in: text for numbers that must keep leading zeros. */
function numberFormat(column: LayoutColumn): string {
  switch (column.type) {
    case 'amount':
      return '#,##0.00';
    case 'decimal':
      return '0.########';
    case 'integer':
      return '0';
    case 'date':
      return 'yyyy-mm-dd';
    default:
      return '@';
  }
}

/** The template as XLSX: a header row, column formats, drop-downs for code lists, the header frozen. */
export async function templateWorkbook(layout: Layout, sheetTitle: string, t: Translate, language: Language) {
  const workbook = new (await excel()).Workbook();
  workbook.creator = 'Kundesenter';
  const sheet = workbook.addWorksheet(sheetTitle.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31) || 'Rapport', {
    views: [{ state: 'frozen', ySplit: 1 }],
  });
  sheet.addRow(headerOf(layout)).font = { bold: true };
  layout.columns.forEach((column, i) => {
    const sheetColumn = sheet.getColumn(i + 1);
    sheetColumn.width = Math.max(14, column.name.length + 4);
    sheetColumn.numFmt = numberFormat(column);
    const header = sheet.getCell(1, i + 1);
    header.note = localText(column.help, language);
    const range = `${columnLetter(i)}2:${columnLetter(i)}${templateRows + 1}`;
    if (column.type === 'code' && column.codes?.length) {
      // Typed in exceljs' code but missing from its declarations.
      (sheet as unknown as { dataValidations: { add(range: string, rule: object): void } }).dataValidations.add(range, {
        type: 'list',
        allowBlank: !column.required,
        formulae: [`"${column.codes.map((c) => c.code).join(',')}"`],
        showErrorMessage: true,
        errorTitle: column.name,
        error: t('reporting.layout.chooseCode'),
      });
    }
  });
  // A second sheet explains the columns; only the first sheet is read when a file is delivered.
  const help = workbook.addWorksheet(t('reporting.layout.helpSheet'));
  help.addRow([
    t('reporting.layout.column'),
    t('reporting.layout.type'),
    t('reporting.layout.required'),
    t('reporting.layout.help'),
  ]).font = { bold: true };
  for (const column of layout.columns)
    help.addRow([
      column.name,
      t(`reporting.types.${column.type}`),
      column.required ? t('reporting.layout.yes') : t('reporting.layout.no'),
      localText(column.help, language),
    ]);
  help.columns.forEach((c, i) => {
    c.width = i === 3 ? 70 : 22;
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** The template as CSV: semicolons, UTF-8 with a byte order mark so Excel opens æ, ø and å right. */
export function templateCsv(layout: Layout): string {
  const quote = (value: string) => (/[;"\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value);
  return `\uFEFF${headerOf(layout).map(quote).join(';')}\r\n`;
}

/** A line error as one sentence: «Linje 17, kolonne Beløp: «12,3,4» er ikke et beløp». */
export function errorMessage(t: Translate, error: LineError): string {
  const what = t(`reporting.errors.${error.key}`, { ...error.params, column: error.column ?? '' });
  if (error.line === 0) return what;
  return error.column
    ? t('reporting.errors.atCell', { line: error.line, column: error.column, what })
    : t('reporting.errors.atLine', { line: error.line, what });
}

/**
 * The error report of a refused delivery, streamed as it is written: one row per error, every one of
 * them (up to Excel's row limit), produced by `produce` calling `add` for each.
 */
export async function errorReport(
  t: Translate,
  produce: (add: (error: LineError) => void) => Promise<void>,
): Promise<Readable> {
  const stream = new PassThrough();
  const workbook = new (await excel()).stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(t('reporting.errorReport.sheet'), {
    views: [{ state: 'frozen', ySplit: 1 }],
    ...printable(t('reporting.errorReport.title'), t),
  });
  sheet.columns = [
    { header: t('reporting.errorReport.line'), width: 10 },
    { header: t('reporting.errorReport.column'), width: 24 },
    { header: t('reporting.errorReport.message'), width: 90 },
  ];
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  let rows = 0;
  const excelRowLimit = 1_048_575;
  void produce((error) => {
    if (rows++ >= excelRowLimit - 1) return;
    sheet
      .addRow([error.line || '', neutraliseFormula(error.column ?? ''), neutraliseFormula(errorMessage(t, error))])
      .commit();
  })
    .then(async () => {
      sheet.commit();
      await workbook.commit();
    })
    .catch((error: unknown) => stream.destroy(error as Error));
  return stream;
}

export interface OverviewSheetRow {
  type: string;
  period: string;
  deadline: string;
  status: string;
  receipt: string;
  deliveredAt: Date | null;
}

/** The agency's overview for a year, as on the page. */
export async function overviewWorkbook(title: string, headers: string[], rows: OverviewSheetRow[], t: Translate) {
  const workbook = new (await excel()).Workbook();
  workbook.creator = 'Kundesenter';
  const sheet = workbook.addWorksheet(title.replace(/[[\]:*?/\\]/g, ' ').slice(0, 31), {
    views: [{ state: 'frozen', ySplit: 1 }],
    ...printable(title, t),
  });
  sheet.addRow(headers).font = { bold: true };
  for (const row of rows)
    sheet.addRow([
      neutraliseFormula(row.type),
      row.period,
      row.deadline,
      row.status,
      row.receipt,
      row.deliveredAt ?? '',
    ]);
  sheet.getColumn(6).numFmt = 'yyyy-mm-dd hh:mm';
  sheet.columns.forEach((c, i) => {
    c.width = i === 0 ? 32 : 18;
  });
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
