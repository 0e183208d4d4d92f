// Excel export of a report: one sheet per table, with the same filters and numbers as the page.
// Loaded when a workbook is first written: exceljs costs a few hundred milliseconds at start-up.
const excel = async () => (await import('exceljs')).default;
import { neutraliseFormula } from '../cases/list/export.js';
import type { PresentedReport } from './present.js';
import { printable } from '../web/workbook.js';
import type { Translate } from '../web/i18n.js';

/** Sheet names: at most 31 characters and none of the characters Excel refuses. */
function sheetName(title: string, taken: Set<string>): string {
  const base =
    title
      .replace(/[[\]:*?/\\]/g, ' ')
      .slice(0, 31)
      .trim() || 'Rapport';
  let name = base;
  for (let i = 2; taken.has(name.toLowerCase()); i++) name = `${base.slice(0, 28)} ${i}`;
  taken.add(name.toLowerCase());
  return name;
}

export async function reportWorkbook(report: PresentedReport, heading: string, t: Translate): Promise<Buffer> {
  const workbook = new (await excel()).Workbook();
  workbook.creator = 'Kundesenter';
  const taken = new Set<string>();
  for (const table of report.tables) {
    // The title row and the column headings print at the top of every page.
    const sheet = workbook.addWorksheet(
      sheetName(table.title, taken),
      printable(`${heading}: ${table.title}`, t, '1:2'),
    );
    sheet.addRow([neutraliseFormula(`${heading}: ${table.title}`)]).font = { bold: true };
    sheet.addRow(table.headers.map(neutraliseFormula)).font = { bold: true };
    for (const row of table.rows) {
      const added = sheet.addRow([
        neutraliseFormula(row.label),
        ...row.cells.map((cell) => (typeof cell.value === 'string' ? neutraliseFormula(cell.value) : cell.value)),
      ]);
      // Shares are stored as fractions and shown as percentages.
      row.cells.forEach((cell, i) => {
        if (cell.share) added.getCell(i + 2).numFmt = '0%';
      });
    }
    sheet.columns.forEach((column, i) => {
      column.width = i === 0 ? 40 : 18;
    });
  }
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
