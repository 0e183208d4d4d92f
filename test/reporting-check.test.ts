// The checker against a corpus of files written here: valid files in both encodings, every delimiter,
// CSV and XLSX; and every kind of broken file, each with the message a user reads.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import ExcelJS from 'exceljs';
import t from 'tap';
import { reconciliationLayout, variablePayLayout } from '../src/demo/reporting.js';
import type { LineError } from '../src/reporting/check.js';
import { KeySet } from '../src/reporting/check.js';
import type { Layout } from '../src/reporting/layout.js';
import { checkFile } from '../src/reporting/read.js';
import { errorMessage } from '../src/reporting/workbooks.js';
import { translator } from '../src/web/i18n.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'ks-reporting-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));
const nb = translator('nb');
const header = 'Ansattnummer;Fødselsnummer;Lønnsart;Beløp;Periode;Kommentar';
const good = ['10023;01010012356;1100;2450,00;2026-03;', '10023;01010012356;5010;-350,00;2026-03;Mars'];

let counter = 0;
function file(content: string | Buffer, name = 'fil.csv'): { path: string; filename: string } {
  const target = path.join(dir, `${counter++}-${name}`);
  writeFileSync(target, content);
  return { path: target, filename: name };
}

async function messages(
  content: string | Buffer,
  options: { name?: string; layout?: Layout; declared?: { count?: number; sums?: Record<string, number> } } = {},
) {
  const outcome = await checkFile(file(content, options.name), options.layout ?? variablePayLayout, '2026-03', {
    declared: options.declared,
  });
  return { outcome, messages: outcome.errors.map((e) => errorMessage(nb, e)) };
}

async function xlsx(rows: unknown[][], name = 'fil.xlsx'): Promise<{ path: string; filename: string }> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Ark1');
  for (const row of rows) sheet.addRow(row);
  return file(Buffer.from(await workbook.xlsx.writeBuffer()), name);
}

t.test('valid files pass: UTF-8 and Windows-1252, semicolon, comma and tab, CSV and XLSX', async (t) => {
  const utf8 = await messages([header, ...good].join('\n'));
  t.same(utf8.messages, []);
  t.equal(utf8.outcome.rows, 2);
  t.same(utf8.outcome.sums, { Beløp: 210000 }, 'amounts are summed in øre');

  const latin = Buffer.from(
    [header.replaceAll(';', ','), ...good.map((l) => l.replace(/(-?\d+,\d\d)/, '"$1"').replaceAll(';', ','))].join(
      '\r\n',
    ),
    'latin1',
  );
  const windows = await messages(latin);
  t.same(windows.messages, [], 'Windows-1252 with commas and quoted decimal commas');

  const bomTab = await messages(`\uFEFF${[header, ...good].join('\n').replaceAll(';', '\t')}\n`);
  t.same(bomTab.messages, [], 'UTF-8 with a byte order mark and tabs');

  const workbook = await xlsx([
    header.split(';'),
    [10023, '01010012356', 1100, 2450, '2026-03', null],
    ['10023', '01010012356', '5010', -350.5, '2026-03', 'Mars'],
  ]);
  const fromXlsx = await checkFile(workbook, variablePayLayout, '2026-03');
  t.same(fromXlsx.errors, [], 'numbers typed as numbers in Excel pass');
  t.same(fromXlsx.sums, { Beløp: 209950 });

  const dates = await xlsx([
    reconciliationLayout.columns.map((c) => c.name),
    ['974760673', '1920', 1000, 1000, new Date(Date.UTC(2026, 3, 3)), ''],
  ]);
  t.same((await checkFile(dates, reconciliationLayout, '2026-03')).errors, [], 'an Excel date is a date');
});

t.test('every cell error names its line and column, and nothing passes', async (t) => {
  const { outcome, messages: found } = await messages(
    [
      header,
      '10023;01010012356;1100;12,3,4;2026-03;',
      '10024;01010012357;1100;100;2026-03;',
      '10025;01010012356;9999;100;2026-04;',
      ';01010012356;1100;=SUM(D2:D3);2026-03;',
      '10023;01010012356;1100;100;2026-03;',
      '10026;01010012356;1100;2000000;2026-03;',
      '10027;01010012356;1100;100;2026-03;ok;ekstra',
      header,
      `10028;01010012356;1100;100;2026-03;${'x'.repeat(201)}`,
    ].join('\n'),
  );
  t.same(found, [
    'Linje 2, kolonne Beløp: «12,3,4» er ikke et beløp (skriv kroner og øre som 1234,50)',
    'Linje 3, kolonne Fødselsnummer: er ikke et gyldig fødselsnummer eller d-nummer (11 siffer med riktige kontrollsifre)',
    'Linje 4, kolonne Lønnsart: «9999» er ikke en av kodene i listen',
    'Linje 4, kolonne Periode: «2026-04» er ikke perioden du leverer for (2026-03)',
    'Linje 5, kolonne Ansattnummer: må fylles ut',
    'Linje 5, kolonne Beløp: cellen inneholder en formel der det skal stå et tall; skriv tallet i stedet',
    'Linje 6: samme Ansattnummer, Lønnsart som linje 2',
    'Linje 7, kolonne Beløp: «2000000» er større enn 1000000',
    'Linje 8: har 7 kolonner, men overskriftsraden har 6',
    'Linje 9: overskriftsraden står her en gang til',
    'Linje 10, kolonne Kommentar: teksten er lengre enn 200 tegn',
  ]);
  t.equal(outcome.errorCount, 11);
  t.notMatch(found.join('\n'), '01010012357', 'an identity number that fails is not repeated back');
});

t.test('dates only in the documented formats', async (t) => {
  const names = reconciliationLayout.columns.map((c) => c.name).join(';');
  const { messages: found } = await messages(
    [names, '974760673;1920;1;1;3/4/2026;', '974760673;1921;1;1;2026-02-30;', '974760678;1922;1;1;03.04.2026;'].join(
      '\n',
    ),
    { layout: reconciliationLayout },
  );
  t.same(found, [
    'Linje 2, kolonne Avstemt dato: «3/4/2026» er ikke en dato i formatet ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ',
    'Linje 3, kolonne Avstemt dato: «2026-02-30» er ikke en dato i formatet ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ',
    'Linje 4, kolonne Organisasjonsnummer: «974760678» er ikke et gyldig organisasjonsnummer',
  ]);
});

t.test('the header: missing, extra and repeated columns by name; another delimiter', async (t) => {
  t.same((await messages(['Ansattnummer;Fødselsnummer;Lønnsart;Beløp;Periode;Merknad', good[0]].join('\n'))).messages, [
    'Linje 1: Disse kolonnene mangler: Kommentar.',
    'Linje 1: Disse kolonnene hører ikke til oppsettet: Merknad.',
  ]);
  t.same((await messages([`${header};Beløp`, good[0]].join('\n'))).messages, [
    'Linje 1: Disse kolonnene står flere ganger: Beløp.',
  ]);
  t.same((await messages([header.replaceAll(';', '|'), good[0]!.replaceAll(';', '|')].join('\n'))).messages, [
    'Linje 1: Fant ikke overskriftsraden. Første linje skal være kolonnenavnene skilt med semikolon: Ansattnummer;Fødselsnummer;Lønnsart;Beløp;Periode;Kommentar',
  ]);
  t.same(
    (await messages([header.toUpperCase().replaceAll('Ø', 'Ø'), ...good].join('\n'))).messages,
    [],
    'names compare without case',
  );
});

t.test('files that cannot be read at all say why', async (t) => {
  const cases: [string, string | Buffer, string][] = [
    ['empty.csv', '', 'Filen er tom (0 byte).'],
    ['blank.csv', '\n\n \n', 'Filen har ingen linjer.'],
    ['header.csv', `${header}\n`, 'Filen har overskriftsrad, men ingen rader med data.'],
    ['unicode.csv', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(header, 'utf16le')]), 'UTF-16'],
    ['old.xls', Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]), 'Det gamle Excel-formatet (.xls)'],
    ['image.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]), 'verken CSV eller Excel'],
    ['broken.xlsx', Buffer.concat([Buffer.from('PK\u0003\u0004'), Buffer.alloc(200, 7)]), 'Excel-filen kan ikke leses'],
    [
      'quote.csv',
      [header, '10023;01010012356;1100;"2450,00;2026-03;', ...good].join('\n'),
      'anførselstegn (") blir aldri avsluttet',
    ],
  ];
  for (const [name, content, expected] of cases) {
    const { messages: found, outcome } = await messages(content, { name });
    t.equal(found.length, 1, name);
    t.match(found[0], expected, name);
    t.equal(outcome.rows, 0, `${name}: nothing counted`);
  }
});

t.test('macro-enabled workbooks are refused, by name and by content', async (t) => {
  const plain = await xlsx([header.split(';'), good[0]!.split(';')], 'rapport.xlsm');
  t.match((await checkFile(plain, variablePayLayout, '2026-03')).errors, [{ key: 'macros' }]);
  // A workbook with a VBA project inside, named .xlsx.
  const require = createRequire(import.meta.url);
  const JSZip = require('jszip') as {
    loadAsync(
      data: Buffer,
    ): Promise<{ file(name: string, data: string): void; generateAsync(o: object): Promise<Buffer> }>;
  };
  const zip = await JSZip.loadAsync((await import('node:fs')).readFileSync(plain.path));
  zip.file('xl/vbaProject.bin', 'Attribute VB_Name = "Module1"');
  const hidden = file(await zip.generateAsync({ type: 'nodebuffer' }), 'rapport.xlsx');
  t.match((await checkFile(hidden, variablePayLayout, '2026-03')).errors, [{ key: 'macros' }]);
});

t.test('formulas in XLSX cells: refused where a number is due, and as text', async (t) => {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Ark1');
  sheet.addRow(header.split(';'));
  sheet.addRow([
    '10023',
    '01010012356',
    '1100',
    { formula: '1000+1450', result: 2450 },
    '2026-03',
    { formula: 'A1', result: 'x' },
  ]);
  const found = await checkFile(
    file(Buffer.from(await workbook.xlsx.writeBuffer()), 'f.xlsx'),
    variablePayLayout,
    '2026-03',
  );
  t.same(
    found.errors.map((e) => errorMessage(nb, e)),
    [
      'Linje 2, kolonne Beløp: cellen inneholder en formel der det skal stå et tall; skriv tallet i stedet',
      'Linje 2, kolonne Kommentar: cellen inneholder en formel; skriv verdien i stedet',
    ],
  );
});

t.test('control rules: the stated count and sum must match the file', async (t) => {
  const content = [header, ...good].join('\n');
  t.same((await messages(content, { declared: { count: 2, sums: { Beløp: 210000 } } })).messages, []);
  t.same((await messages(content, { declared: { count: 3, sums: { Beløp: 210050 } } })).messages, [
    'Filen har 2 rader, men du oppga 3.',
    'Summen av Beløp i filen er 2100,00, men du oppga 2100,50.',
  ]);
});

t.test('a file full of errors keeps the first 200 for the page and hands every one to the report', async (t) => {
  const lines = [header, ...Array.from({ length: 1500 }, (_, i) => `${i};01010012356;1100;feil;2026-03;`)];
  const all: LineError[] = [];
  const outcome = await checkFile(file(lines.join('\n')), variablePayLayout, '2026-03', {
    onError: (e) => all.push(e),
  });
  t.equal(outcome.errorCount, 1500);
  t.equal(outcome.errors.length, 200);
  t.equal(all.length, 1500);
  t.equal(all.at(-1)!.line, 1501);
});

t.test('the key set finds repeats among many keys and grows as needed', async (t) => {
  const keys = new KeySet();
  let repeats = 0;
  for (let i = 1; i <= 200_000; i++) if (keys.add(`k${i}`, i) !== undefined) repeats++;
  t.equal(repeats, 0, 'no false repeats among 200,000 different keys');
  t.equal(keys.add('k77', 300_000), 77);
  t.equal(keys.add('k200001', 300_001), undefined);
});
