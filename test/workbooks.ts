// What every exported sheet must do on paper, read back from the file as Excel would read it.
import type { Test } from 'tap';
import type { Worksheet } from 'exceljs';

export function assertPrintable(t: Test, sheet: Worksheet, title: string, repeatRows = '1:1') {
  const setup = sheet.pageSetup;
  t.equal(setup.orientation, 'landscape', `${sheet.name}: printed landscape`);
  t.equal(setup.fitToPage, true, `${sheet.name}: fitted to the page`);
  t.equal(setup.fitToWidth, 1, `${sheet.name}: every column on one page's width`);
  t.equal(setup.fitToHeight, 0, `${sheet.name}: as many pages down as it takes`);
  t.equal(setup.printTitlesRow, repeatRows, `${sheet.name}: the header row repeated on every page`);
  t.equal(
    sheet.headerFooter.oddHeader,
    `&L&"-,Bold"${title.replace(/&/g, '&&')}&R&D`,
    `${sheet.name}: the title in the page header`,
  );
  t.match(sheet.headerFooter.oddFooter ?? '', /&P .* &N|&P.*&N/, `${sheet.name}: page numbers in the footer`);
}
