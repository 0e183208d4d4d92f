// "Last ned skjema for fullmakt": the signed form an agency sends when nobody in it can appoint an
// authorised orderer (seed 001). An XLSX with the agency's name and organisation number filled in, the
// people to appoint, and a place for the signature of whoever holds the budget authority. It is printed,
// signed and sent as an attachment to a case.
import type { Translate } from '../web/i18n.js';
import { printable } from '../web/workbook.js';

const excel = async () => (await import('exceljs')).default;

/** Rows for the people to appoint: enough for a normal order, each a line to fill in. */
export const appointeeRows = 6;

export async function powerOfAttorneyWorkbook(
  agency: { name: string; org_number: string },
  t: Translate,
): Promise<Buffer> {
  const workbook = new (await excel()).Workbook();
  workbook.creator = t('app.name');
  const title = t('attorney.title');
  const sheet = workbook.addWorksheet(t('attorney.sheet'), printable(title, t, '1:1'));
  sheet.pageSetup.orientation = 'portrait';
  sheet.columns = [{ width: 30 }, { width: 30 }, { width: 22 }, { width: 28 }, { width: 16 }];
  const bold = { bold: true };
  const row = (values: (string | number)[], font?: { bold?: boolean; size?: number }) => {
    const added = sheet.addRow(values);
    if (font) added.font = font;
    added.alignment = { wrapText: true, vertical: 'top' };
    return added;
  };
  row([title], { bold: true, size: 14 });
  row([t('attorney.intro')]);
  sheet.mergeCells(`A2:E2`);
  sheet.getRow(2).height = 48;
  row([]);
  row([t('attorney.agency'), agency.name], bold);
  row([t('attorney.orgNumber'), agency.org_number], bold);
  row([]);
  row([t('attorney.appointHeading')], bold);
  const header = row(
    [t('attorney.name'), t('attorney.email'), t('attorney.area'), t('attorney.role'), t('attorney.from')],
    bold,
  );
  header.eachCell((cell) => {
    cell.border = { bottom: { style: 'thin' } };
  });
  const areas = [t('attorney.areas.lonn'), t('attorney.areas.regnskap'), t('attorney.areas.both')];
  const roles = [t('attorney.roles.orderer'), t('attorney.roles.attorney')];
  for (let i = 0; i < appointeeRows; i++) {
    const line = row(['', '', '', '', '']);
    line.height = 22;
    line.eachCell({ includeEmpty: true }, (cell) => {
      cell.border = { bottom: { style: 'thin' } };
    });
    // The choices as lists, so the form is filled in the same words the centre registers.
    line.getCell(3).dataValidation = { type: 'list', allowBlank: true, formulae: [`"${areas.join(',')}"`] };
    line.getCell(4).dataValidation = { type: 'list', allowBlank: true, formulae: [`"${roles.join(',')}"`] };
    line.getCell(5).numFmt = 'dd.mm.yyyy';
  }
  row([]);
  row([t('attorney.signHeading')], bold);
  row([t('attorney.signIntro')]);
  sheet.mergeCells(`A${sheet.rowCount}:E${sheet.rowCount}`);
  sheet.getRow(sheet.rowCount).height = 32;
  for (const label of [
    t('attorney.signerName'),
    t('attorney.signerTitle'),
    t('attorney.date'),
    t('attorney.signature'),
  ]) {
    const line = row([label, ''], bold);
    line.height = label === t('attorney.signature') ? 40 : 22;
    line.getCell(2).border = { bottom: { style: 'thin' } };
    sheet.mergeCells(`B${line.number}:D${line.number}`);
  }
  row([]);
  row([t('attorney.send')]);
  sheet.mergeCells(`A${sheet.rowCount}:E${sheet.rowCount}`);
  sheet.getRow(sheet.rowCount).height = 32;
  return Buffer.from(await workbook.xlsx.writeBuffer());
}
