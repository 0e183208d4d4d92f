// The demo's report types: variable payroll data (monthly, by the payroll calendar) and the accounting
// period reconciliation (by the accounting close dates), with their first layouts.
import { createHash } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { addDays, osloDay } from '../sla/calendar.js';
import type { Layout } from '../reporting/layout.js';
import type { DeadlineRule, PeriodKind } from '../reporting/periods.js';

export interface DemoReportType {
  code: string;
  area: string;
  name: { nb: string; en: string };
  description: { nb: string; en: string };
  periodKind: PeriodKind;
  deadlineRule: DeadlineRule;
  layout: Layout;
}

export const variablePayLayout: Layout = {
  columns: [
    {
      name: 'Ansattnummer',
      help: { nb: 'Den ansattes nummer i lønnssystemet.', en: "The employee's number in the payroll system." },
      type: 'employee_number',
      required: true,
    },
    {
      name: 'Fødselsnummer',
      help: { nb: 'Elleve siffer, uten mellomrom.', en: 'Eleven digits, no spaces.' },
      type: 'national_id',
      required: true,
    },
    {
      name: 'Lønnsart',
      help: { nb: 'Koden for lønnsarten, fra listen.', en: 'The wage type code, from the list.' },
      type: 'code',
      required: true,
      codes: [
        { code: '1100', label: { nb: 'Overtid 50 %', en: 'Overtime 50%' } },
        { code: '1110', label: { nb: 'Overtid 100 %', en: 'Overtime 100%' } },
        { code: '1200', label: { nb: 'Kveldstillegg', en: 'Evening allowance' } },
        { code: '1210', label: { nb: 'Helgetillegg', en: 'Weekend allowance' } },
        { code: '2010', label: { nb: 'Reisetillegg', en: 'Travel allowance' } },
        { code: '5010', label: { nb: 'Trekk for kantine', en: 'Canteen deduction' } },
      ],
    },
    {
      name: 'Beløp',
      help: {
        nb: 'Kroner og øre med desimalkomma, for eksempel 1234,50. Trekk med minus foran.',
        en: 'Kroner and øre with a decimal comma, for example 1234,50. Deductions with a minus sign.',
      },
      type: 'amount',
      required: true,
      min: -1_000_000,
      max: 1_000_000,
    },
    {
      name: 'Periode',
      help: { nb: 'Måneden det gjelder, som ÅÅÅÅ-MM.', en: 'The month it concerns, as YYYY-MM.' },
      type: 'text',
      required: true,
      maxLength: 7,
      pattern: '[0-9]{4}-(0[1-9]|1[0-2])',
    },
    {
      name: 'Kommentar',
      help: { nb: 'Valgfritt, høyst 200 tegn.', en: 'Optional, at most 200 characters.' },
      type: 'text',
      required: false,
      maxLength: 200,
    },
  ],
  keys: ['Ansattnummer', 'Lønnsart'],
  controls: [{ kind: 'count' }, { kind: 'sum', column: 'Beløp' }, { kind: 'period', column: 'Periode' }],
  example: [
    ['10023', '01010012356', '1100', '2450,00', '2026-03', ''],
    ['10023', '01010012356', '5010', '-350,00', '2026-03', 'Mars'],
  ],
};

export const reconciliationLayout: Layout = {
  columns: [
    {
      name: 'Organisasjonsnummer',
      help: {
        nb: 'Virksomhetens organisasjonsnummer, ni siffer.',
        en: "The agency's organisation number, nine digits.",
      },
      type: 'org_number',
      required: true,
    },
    {
      name: 'Konto',
      help: { nb: 'Kontonummer i standard kontoplan, fire siffer.', en: 'Account number, four digits.' },
      type: 'text',
      required: true,
      maxLength: 4,
      pattern: '[0-9]{4}',
    },
    {
      name: 'Saldo hovedbok',
      help: { nb: 'Saldo i hovedboken ved periodens slutt.', en: 'General ledger balance at the end of the period.' },
      type: 'amount',
      required: true,
    },
    {
      name: 'Saldo spesifikasjon',
      help: { nb: 'Saldo i spesifikasjonen (reskontro, bank).', en: 'Balance in the specification (ledger, bank).' },
      type: 'amount',
      required: true,
    },
    {
      name: 'Avstemt dato',
      help: { nb: 'Datoen kontoen ble avstemt, ÅÅÅÅ-MM-DD eller DD.MM.ÅÅÅÅ.', en: 'The day it was reconciled.' },
      type: 'date',
      required: true,
    },
    {
      name: 'Merknad',
      help: { nb: 'Forklaring av differanse, høyst 500 tegn.', en: 'Explanation of a difference.' },
      type: 'text',
      required: false,
      maxLength: 500,
    },
  ],
  keys: ['Konto'],
  controls: [{ kind: 'count' }],
  example: [
    ['974760673', '1920', '1250000,00', '1250000,00', '2026-04-03', ''],
    ['974760673', '2400', '-310200,50', '-310000,50', '2026-04-03', 'Faktura bokført i april'],
  ],
};

export const demoReportTypes: DemoReportType[] = [
  {
    code: 'variabel-lonn',
    area: 'lonn',
    name: { nb: 'Variable lønnsdata', en: 'Variable payroll data' },
    description: {
      nb: 'Overtid, tillegg og trekk som skal med i månedens lønnskjøring, levert innen registreringsfristen i lønnskalenderen.',
      en: "Overtime, allowances and deductions for the month's payroll run, delivered by the payroll calendar's registration deadline.",
    },
    periodKind: 'monthly',
    deadlineRule: 'payroll',
    layout: variablePayLayout,
  },
  {
    code: 'periodeavstemming',
    area: 'regnskap',
    name: { nb: 'Periodeavstemming', en: 'Period reconciliation' },
    description: {
      nb: 'Avstemming av balansekontoer for hver regnskapsperiode, levert før periodeavslutningen.',
      en: 'Reconciliation of balance sheet accounts for each accounting period, delivered before the period close.',
    },
    periodKind: 'monthly',
    deadlineRule: 'accounting',
    layout: reconciliationLayout,
  },
];

/** A date moved back to the Friday before when it falls on a weekend. */
function weekday(isoDate: string): string {
  let day = isoDate;
  while ([0, 6].includes(new Date(`${day}T12:00:00Z`).getUTCDay())) day = addDays(day, -1);
  return day;
}

const pad = (n: number) => String(n).padStart(2, '0');

/**
 * The centre's calendars for last year, this year and next: the payroll registration deadline on the
 * 8th of each month, the accounting period close on the 8th of the month after.
 */
export function demoCalendar(thisYear: number) {
  const rows: { calendar: 'payroll' | 'accounting'; month: string; deadline: string }[] = [];
  for (let year = thisYear - 1; year <= thisYear + 1; year++)
    for (let month = 1; month <= 12; month++) {
      const key = `${year}-${pad(month)}`;
      const next = month === 12 ? `${year + 1}-01` : `${year}-${pad(month + 1)}`;
      rows.push({ calendar: 'payroll', month: key, deadline: weekday(`${key}-08`) });
      rows.push({ calendar: 'accounting', month: key, deadline: weekday(`${next}-08`) });
    }
  return rows;
}

/** The example rows as a CSV file for a period: what the demo's delivered history consists of. */
export function exampleFile(layout: Layout, period: string): Buffer {
  const lines = [
    layout.columns.map((c) => c.name),
    ...layout.example.map((row) => row.map((cell) => (/^\d{4}-\d{2}$/.test(cell) ? period : cell))),
  ];
  return Buffer.from(`${lines.map((line) => line.join(';')).join('\r\n')}\r\n`, 'utf8');
}

/**
 * Periodic reporting in the demo: the calendars, the two report types with their first layouts, Kari as
 * Demoetaten's innrapportør for payroll with a reporting contact, and the three months before this one
 * delivered (the middle one corrected once).
 */
export async function seedReporting(trx: Db, areas: Map<string, number>, agencies: Map<string, number>) {
  const today = osloDay(new Date());
  await trx
    .insertInto('reporting_calendar')
    .values(demoCalendar(Number(today.slice(0, 4))))
    .onConflict((oc) => oc.doNothing())
    .execute();
  for (const demo of demoReportTypes) {
    const created = await trx
      .insertInto('report_types')
      .values({
        area_id: areas.get(demo.area)!,
        code: demo.code,
        name_nb: demo.name.nb,
        name_en: demo.name.en,
        description_nb: demo.description.nb,
        description_en: demo.description.en,
        period_kind: demo.periodKind,
        deadline_rule: demo.deadlineRule,
        first_period: `${Number(today.slice(0, 4)) - 1}-01`,
      })
      .onConflict((oc) => oc.column('code').doNothing())
      .returning('id')
      .executeTakeFirst();
    if (created)
      await trx
        .insertInto('report_layouts')
        .values({ report_type_id: created.id, version: 1, definition: JSON.stringify(demo.layout) })
        .execute();
  }
  const demoetaten = agencies.get('Demoetaten')!;
  const kari = await trx
    .selectFrom('users')
    .select(['id'])
    .where('email', '=', 'kari@demoetaten.no')
    .executeTakeFirst();
  if (!kari) return;
  await sql`insert into user_roles (user_id, role, agency_id, area_id)
    select ${kari.id}, 'reporter', ${demoetaten}, ${areas.get('lonn')!}
    where not exists (select 1 from user_roles where user_id = ${kari.id} and role = 'reporter' and agency_id = ${demoetaten} and area_id = ${areas.get('lonn')!})`.execute(
    trx,
  );
  await trx
    .insertInto('reporting_contacts')
    .values({
      agency_id: demoetaten,
      name: 'Kari Nordmann',
      email: 'kari@demoetaten.no',
      phone: '+47 22 00 00 01',
      registered_by: kari.id,
    })
    .onConflict((oc) => oc.doNothing())
    .execute();
  const type = await trx
    .selectFrom('report_types')
    .select('id')
    .where('code', '=', 'variabel-lonn')
    .executeTakeFirstOrThrow();
  const layout = await trx
    .selectFrom('report_layouts')
    .select('id')
    .where('report_type_id', '=', type.id)
    .orderBy('version', 'desc')
    .executeTakeFirstOrThrow();
  const any = await trx
    .selectFrom('report_deliveries')
    .select('id')
    .where('agency_id', '=', demoetaten)
    .limit(1)
    .executeTakeFirst();
  if (any) return;
  for (let back = 3; back >= 1; back--) {
    const index = Number(today.slice(0, 4)) * 12 + Number(today.slice(5, 7)) - 1 - back;
    const period = `${Math.floor(index / 12)}-${pad((index % 12) + 1)}`;
    const versions = back === 2 ? 2 : 1;
    for (let version = 1; version <= versions; version++) {
      const data = exampleFile(variablePayLayout, period);
      const file = await trx
        .insertInto('report_files')
        .values({
          filename: `variabel-lonn-${period}${version > 1 ? '-rettet' : ''}.csv`,
          content_type: 'text/csv',
          size_bytes: data.length,
          sha256: createHash('sha256').update(data).digest('hex'),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx.insertInto('report_file_chunks').values({ file_id: file.id, seq: 0, data }).execute();
      const { nextval } = (
        await sql<{ nextval: string }>`select nextval('report_receipt_seq')::text as nextval`.execute(trx)
      ).rows[0]!;
      const at = new Date(`${period}-05T09:${pad(version * 10)}:00+01:00`);
      await trx
        .insertInto('report_deliveries')
        .values({
          receipt: `IR-${period.slice(0, 4)}-${nextval.padStart(6, '0')}`,
          report_type_id: type.id,
          agency_id: demoetaten,
          period,
          version,
          layout_id: layout.id,
          file_id: file.id,
          channel: 'file',
          row_count: variablePayLayout.example.length,
          control_sums: JSON.stringify({ Beløp: 210000 }),
          delivered_by: kari.id,
          delivered_at: at,
          replaced_at: version < versions ? new Date(at.getTime() + 3_600_000) : null,
        })
        .execute();
    }
  }
}
