// How an exported sheet prints: A4 landscape, every column on one page's width, the header row repeated
// on every page, the export's title and date in the page header and "page n of m" in the footer.
import type { AddWorksheetOptions } from 'exceljs';
import type { Translate } from './i18n.js';

/** Excel's header and footer codes start with `&`; a title's own ampersands are doubled. */
const headerText = (text: string) => text.replace(/&/g, '&&');

/**
 * Worksheet options for a printable export. `repeatRows` are the rows printed at the top of every page
 * (Excel's "Print Titles"), such as `1:1` for a header row.
 */
export function printable(title: string, t: Translate, repeatRows = '1:1'): Partial<AddWorksheetOptions> {
  return {
    pageSetup: {
      paperSize: 9, // A4
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: repeatRows,
      margins: { left: 0.5, right: 0.5, top: 0.75, bottom: 0.75, header: 0.3, footer: 0.3 },
    },
    headerFooter: {
      oddHeader: `&L&"-,Bold"${headerText(title)}&R&D`,
      oddFooter: `&C${headerText(t('workbook.pageOf', { page: '{P}', pages: '{N}' }))
        .replace('{P}', '&P')
        .replace('{N}', '&N')}`,
    },
  };
}
