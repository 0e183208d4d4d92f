// Excel export of exactly the filtered, sorted list: every row, the user's columns, real dates.
// Rows stream from a database cursor into a streaming workbook, so memory stays flat however many rows.
import { streamCases, type CaseListRow } from './queries.js';
import type { ListColumn, ListFilter } from './filter.js';
import { PassThrough, type Writable } from 'node:stream';
import type { FastifyReply } from 'fastify';
// Loaded when a workbook is first written: exceljs costs a few hundred milliseconds at start-up.
import { printable } from '../../web/workbook.js';
const excel = async () => (await import('exceljs')).default;
import type { Db } from '../../db/index.js';
import type { Viewer } from '../../auth/viewer.js';
import type { Translate } from '../../web/i18n.js';
import { osloWallClock } from '../../sla/calendar.js';

/** Spreadsheet programs run a cell that starts like a formula; a leading apostrophe keeps it text. */
export function neutraliseFormula(value: string): string {
  return /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
}

type Cell = string | number | Date | null;

function cellFor(column: ListColumn, row: CaseListRow, t: Translate, language: string): Cell {
  const local = (nb: string | null, en: string | null) => (language === 'en' ? en : nb) ?? '';
  switch (column) {
    case 'number':
      return row.number;
    case 'title':
      return neutraliseFormula(row.title);
    case 'area':
      return neutraliseFormula(local(row.area_nb, row.area_en));
    case 'form':
      return neutraliseFormula(local(row.form_nb, row.form_en));
    case 'category':
      return neutraliseFormula(local(row.category_nb, row.category_en));
    case 'status':
      return t(`status.${row.status}.label`);
    case 'requester':
      return neutraliseFormula(row.requester);
    case 'created':
      return osloWallClock(row.created_at);
    case 'updated':
      return osloWallClock(row.updated_at);
    case 'due':
      return osloWallClock(row.due_at);
    case 'channel':
      return t(`channel.${row.channel}`);
    case 'agency':
      return neutraliseFormula(row.agency ?? '');
    case 'group':
      return neutraliseFormula(local(row.group_nb, row.group_en));
    case 'assignee':
      return neutraliseFormula(row.assignee ?? '');
    case 'timeLeft':
      return osloWallClock(row.due_at);
    case 'priority':
      return t(`priority.${row.priority}`);
  }
}

const widths: Record<ListColumn, number> = {
  number: 14,
  title: 60,
  area: 16,
  form: 28,
  category: 22,
  status: 18,
  requester: 28,
  agency: 28,
  group: 20,
  assignee: 24,
  created: 18,
  updated: 18,
  due: 18,
  timeLeft: 18,
  channel: 14,
  priority: 12,
};
const dateColumns = new Set<ListColumn>(['created', 'updated', 'due', 'timeLeft']);

/** Writes the workbook for `rows` into `output`, holding back while the output is full. Returns the row count. */
export async function writeCasesWorkbook(
  output: Writable,
  rows: AsyncIterable<CaseListRow>,
  columns: readonly ListColumn[],
  t: Translate,
  language: string,
  title: string,
): Promise<number> {
  const workbook = new (await excel()).stream.xlsx.WorkbookWriter({
    stream: output,
    useStyles: true,
    useSharedStrings: false,
    zip: { zlib: { level: 1 } },
  });
  workbook.creator = t('app.name');
  const sheet = workbook.addWorksheet(t('cases.export.sheet'), {
    views: [{ state: 'frozen', ySplit: 1 }],
    ...printable(title, t),
  });
  sheet.columns = columns.map((column) => ({
    header: t(`cases.fields.${column}`),
    key: column,
    width: widths[column],
    ...(dateColumns.has(column) ? { style: { numFmt: 'dd.mm.yyyy hh:mm' } } : {}),
  }));
  sheet.getRow(1).font = { bold: true };
  sheet.getRow(1).commit();
  let count = 0;
  for await (const row of rows) {
    // A closed download stops the rows (and gives the cursor's connection back) instead of zipping on.
    if (output.destroyed) return count;
    sheet.addRow(columns.map((column) => cellFor(column, row, t, language))).commit();
    count += 1;
    // Let a slow download hold the database cursor back instead of buffering the whole file.
    if (output.writableNeedDrain && !(await drained(output))) return count;
  }
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: count + 1, column: columns.length } };
  sheet.commit();
  await workbook.commit();
  return count;
}

/** Waits until `output` takes more: true when it drained, false when it closed first (the download ended). */
function drained(output: Writable): Promise<boolean> {
  return new Promise((resolve) => {
    const settle = (more: boolean) => () => {
      output.off('drain', onDrain);
      output.off('close', onClose);
      resolve(more);
    };
    const onDrain = settle(true);
    const onClose = settle(false);
    output.once('drain', onDrain);
    output.once('close', onClose);
  });
}

/** Exports streaming at once in this process, each holding a database connection until its last row. */
export function exportSlots(max: number) {
  let running = 0;
  return {
    /** A slot for one export, or undefined when `max` are running; release it when the export has ended. */
    take(): (() => void) | undefined {
      if (running >= max) return undefined;
      running += 1;
      let released = false;
      return () => {
        if (!released) running -= 1;
        released = true;
      };
    },
  };
}

export async function exportCases(
  reply: FastifyReply,
  db: Db,
  viewer: Viewer,
  filter: ListFilter,
  columns: readonly ListColumn[],
  t: Translate,
  language: string,
  release: () => void,
) {
  const output = new PassThrough();
  const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Oslo' }).format(new Date());
  reply
    .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    .header('content-disposition', `attachment; filename="${t('cases.export.filename')}-${today}.xlsx"`)
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff');
  const title = t(filter.scope === 'agency' ? 'cases.list.captionAgency' : 'cases.list.captionMine');
  writeCasesWorkbook(output, streamCases(db, viewer, filter), columns, t, language, title)
    .catch((error: unknown) => {
      reply.log.error({ err: error }, 'case export failed');
      output.destroy(error instanceof Error ? error : new Error(String(error)));
    })
    .finally(release);
  return reply.send(output);
}
