// The forms and categories every installation starts with, from the seed documents: a general enquiry
// per area, "bilag til utbetaling" for lønn, and the access order used by authorised orderers.
import type { Form } from '../forms/queries.js';

/** A form as seeded: named by its area's code, before it has ids. */
type DemoForm = Omit<Form, 'id' | 'areaId' | 'areaCode'> & { area: string; sort_order: number };

const generalEnquiry = (area: string, sort: number): DemoForm => ({
  area,
  code: 'henvendelse',
  purpose: 'case',
  name_nb: 'Generell henvendelse',
  name_en: 'General enquiry',
  description_nb: 'Spørsmål, feil eller ønsker som ikke passer i et annet skjema.',
  description_en: 'Questions, faults or requests that do not fit another form.',
  sort_order: sort,
  fields: [
    {
      key: 'kind',
      type: 'select',
      label: { nb: 'Hva gjelder det?', en: 'What is it about?' },
      required: true,
      options: [
        { value: 'question', label: { nb: 'Spørsmål', en: 'Question' } },
        { value: 'fault', label: { nb: 'Feil eller avvik', en: 'Fault or error' } },
        { value: 'change', label: { nb: 'Endringsønske', en: 'Change request' } },
      ],
    },
    {
      key: 'system',
      type: 'text',
      label: { nb: 'Hvilket system eller hvilken rapport?', en: 'Which system or report?' },
      help: {
        nb: 'For eksempel lønnssystemet, selvbetjeningsportalen eller en rapport.',
        en: 'For example the payroll system, the self-service portal or a report.',
      },
      maxLength: 200,
      showIf: { field: 'kind', equals: ['fault'] },
    },
    {
      key: 'documents',
      type: 'file',
      label: { nb: 'Dokumentasjon', en: 'Documentation' },
      help: {
        nb: 'Skjermbilder eller filer som viser det du beskriver.',
        en: 'Screenshots or files that show what you describe.',
      },
    },
  ],
});

export const demoForms: DemoForm[] = [
  generalEnquiry('lonn', 10),
  {
    area: 'lonn',
    code: 'bilag',
    purpose: 'case',
    name_nb: 'Bilag til utbetaling',
    name_en: 'Payment voucher',
    description_nb: 'Send lønnsbilag som skal registreres før registreringsfristen.',
    description_en: 'Send payroll vouchers to be registered before the registration deadline.',
    sort_order: 20,
    fields: [
      {
        key: 'voucher_type',
        type: 'select',
        label: { nb: 'Type bilag', en: 'Voucher type' },
        required: true,
        options: [
          {
            value: 'variable_pay',
            label: { nb: 'Variabel lønn (overtid, tillegg)', en: 'Variable pay (overtime, allowances)' },
          },
          { value: 'travel', label: { nb: 'Reiseregning', en: 'Travel expenses' } },
          { value: 'deduction', label: { nb: 'Trekk', en: 'Deduction' } },
          { value: 'other', label: { nb: 'Annet', en: 'Other' } },
        ],
      },
      {
        key: 'pay_period',
        type: 'date',
        label: { nb: 'Lønnsperiode (utbetalingsdato)', en: 'Pay period (payment date)' },
        required: true,
      },
      {
        key: 'voucher_count',
        type: 'number',
        label: { nb: 'Antall bilag', en: 'Number of vouchers' },
        required: true,
        min: 1,
        max: 10000,
      },
      {
        key: 'total_amount',
        type: 'number',
        label: { nb: 'Sum beløp (kr)', en: 'Total amount (NOK)' },
        help: { nb: 'Brukes til kontroll mot bilagene.', en: 'Used to check against the vouchers.' },
        min: 0,
      },
      {
        key: 'urgent',
        type: 'boolean',
        label: { nb: 'Haster utbetalingen?', en: 'Is the payment urgent?' },
        required: true,
      },
      {
        key: 'urgent_reason',
        type: 'textarea',
        label: { nb: 'Hvorfor haster det?', en: 'Why is it urgent?' },
        required: true,
        maxLength: 1000,
        showIf: { field: 'urgent', equals: ['yes'] },
      },
      {
        key: 'vouchers',
        type: 'file',
        label: { nb: 'Bilag', en: 'Vouchers' },
        help: {
          nb: 'Skannede bilag eller et regneark med bilagslinjene.',
          en: 'Scanned vouchers or a spreadsheet with the voucher lines.',
        },
        required: true,
      },
    ],
  },
  {
    area: 'lonn',
    code: 'tilgang',
    purpose: 'access_order',
    name_nb: 'Bestilling av tilgang',
    name_en: 'Access order',
    description_nb:
      'Bestill eller endre tilgangsroller i lønnssystemet. Bare autoriserte bestillere kan bruke skjemaet.',
    description_en: 'Order or change access roles in the payroll system. Only authorised orderers can use this form.',
    sort_order: 30,
    fields: [
      {
        key: 'system',
        type: 'select',
        label: { nb: 'System', en: 'System' },
        required: true,
        options: [
          { value: 'sap', label: { nb: 'SAP', en: 'SAP' } },
          { value: 'godkjenner', label: { nb: 'Godkjenner', en: 'Godkjenner' } },
          { value: 'unit4', label: { nb: 'Unit4', en: 'Unit4' } },
          { value: 'basware', label: { nb: 'Basware', en: 'Basware' } },
        ],
      },
      {
        key: 'change',
        type: 'select',
        label: { nb: 'Hva skal gjøres?', en: 'What should be done?' },
        required: true,
        options: [
          { value: 'new', label: { nb: 'Ny tilgang', en: 'New access' } },
          { value: 'change', label: { nb: 'Endre tilgang', en: 'Change access' } },
          { value: 'remove', label: { nb: 'Fjerne tilgang', en: 'Remove access' } },
        ],
      },
      {
        key: 'person_name',
        type: 'text',
        label: { nb: 'Navn på personen', en: 'Name of the person' },
        required: true,
        maxLength: 200,
      },
      {
        key: 'employee_number',
        type: 'text',
        label: { nb: 'Ansattnummer', en: 'Employee number' },
        required: true,
        maxLength: 20,
      },
      {
        key: 'user_id',
        type: 'text',
        label: { nb: 'Brukerident', en: 'User ID' },
        help: {
          nb: 'Brukeridenten i systemet, hvis personen har en fra før.',
          en: 'The user ID in the system, if the person already has one.',
        },
        maxLength: 50,
      },
      {
        key: 'org_unit',
        type: 'text',
        label: { nb: 'Organisasjonsenhet', en: 'Organisational unit' },
        required: true,
        maxLength: 200,
      },
      {
        key: 'roles',
        type: 'textarea',
        label: { nb: 'Roller', en: 'Roles' },
        help: {
          nb: 'Skriv rollene slik de heter i tilgangskatalogen.',
          en: 'Write the roles as named in the access catalogue.',
        },
        required: true,
        maxLength: 2000,
        showIf: { field: 'change', equals: ['new', 'change'] },
      },
      { key: 'valid_from', type: 'date', label: { nb: 'Gjelder fra', en: 'Valid from' }, required: true },
    ],
  },
  generalEnquiry('regnskap', 10),
];

export const demoCategories = [
  { area: 'lonn', code: 'lonnskjoring', name_nb: 'Lønnskjøring', name_en: 'Payroll run' },
  { area: 'lonn', code: 'refusjon', name_nb: 'NAV-refusjon', name_en: 'NAV refund' },
  { area: 'lonn', code: 'reise', name_nb: 'Reise og utlegg', name_en: 'Travel and expenses' },
  { area: 'lonn', code: 'tilgang', name_nb: 'Tilganger', name_en: 'Access' },
  {
    area: 'lonn',
    code: 'organisasjonsendring',
    name_nb: 'Større organisasjonsendring',
    name_en: 'Major organisational change',
  },
  { area: 'lonn', code: 'sap-tid', name_nb: 'SAP-oppsett: tid', name_en: 'SAP setup: time' },
  { area: 'lonn', code: 'sap-oppsett', name_nb: 'Annet SAP-oppsett', name_en: 'Other SAP setup' },
  { area: 'regnskap', code: 'bilag', name_nb: 'Bilag og faktura', name_en: 'Vouchers and invoices' },
  { area: 'regnskap', code: 'periodeavslutning', name_nb: 'Periodeavslutning', name_en: 'Period close' },
  { area: 'regnskap', code: 'rapport', name_nb: 'Rapporter', name_en: 'Reports' },
];

/** Caseworker groups per area, who is in them, and where new cases go. */
export const demoGroups = [
  { area: 'lonn', code: 'lonn', name_nb: 'Lønn', name_en: 'Payroll', members: ['siri@kundesenter.no'] },
  { area: 'lonn', code: 'lonn-bilag', name_nb: 'Lønnsbilag', name_en: 'Payroll vouchers', members: [] as string[] },
  { area: 'regnskap', code: 'regnskap', name_nb: 'Regnskap', name_en: 'Accounting', members: ['siri@kundesenter.no'] },
];

export const demoRouting = [
  { area: 'lonn', form: null, group: 'lonn' },
  { area: 'lonn', form: 'bilag', group: 'lonn-bilag' },
  { area: 'regnskap', form: null, group: 'regnskap' },
];

export const demoTemplates = [
  {
    kind: 'answer' as const,
    name: 'Dokumentasjon mottatt',
    area: null,
    body:
      'Hei {kunde}.\n\nVi har mottatt dokumentasjonen i sak {saksnummer} og svarer deg senest ' +
      '{frist}.\n\nVennlig hilsen Kundesenteret',
  },
  {
    kind: 'answer' as const,
    name: 'Trenger mer informasjon',
    area: null,
    body:
      'Hei {kunde}.\n\nFor å komme videre med sak {saksnummer} trenger vi mer informasjon. Svar på denne ' +
      'saken i portalen.\n\nVennlig hilsen Kundesenteret',
  },
  {
    kind: 'case' as const,
    name: 'Telefon: tilgang til lønnssystemet',
    area: 'lonn',
    form: 'henvendelse',
    category: 'tilgang',
    channel: 'phone' as const,
    title: 'Tilgang til lønnssystemet',
    body: 'Kunden ringte og får ikke logget inn i lønnssystemet.',
  },
];

/** Working days per area, form or classification; the default is two. */
export const demoTargets = [
  { area: null, form: null, classification: 'change_request' as const, working_days: 20, calendar: null },
  // Payroll vouchers are registered by the payroll calendar's deadline (DFØ: "innen registreringsfristen").
  { area: 'lonn', form: 'bilag', classification: null, working_days: 5, calendar: 'payroll' as const },
  // The seed's targets by kind of case: NAV refunds within a week, larger organisation changes up to
  // three weeks, new functionality in SAP within a month for time, a week for other setup.
  ...(
    [
      ['refusjon', 5],
      ['organisasjonsendring', 15],
      ['sap-tid', 20],
      ['sap-oppsett', 5],
    ] as const
  ).map(([category, working_days]) => ({
    area: 'lonn',
    form: null,
    category,
    classification: null,
    working_days,
    calendar: null,
  })),
];

/** Knowledge-base articles in Norwegian for the questions the centre hears most. */
export const demoArticles = [
  {
    area: 'lonn',
    faq: true,
    audience: 'public' as const,
    title: 'Når utbetales feriepenger?',
    body:
      'Feriepenger utbetales i **juni** for ansatte i staten. Beløpet beregnes av lønnen året før.\n\n## ' +
      'Hvis feriepengene mangler\n\n- Sjekk lønnsslippen for juni.\n- Kontroller at opptjeningen er ' +
      'registrert.\n- Send en sak i området Lønn hvis beløpet er feil.',
  },
  {
    area: 'lonn',
    faq: true,
    audience: 'public' as const,
    title: 'Refusjon av sykepenger fra NAV',
    body:
      'Vi registrerer sykemeldinger fortløpende og senest innen en uke. Refusjonskravet sendes til NAV når ' +
      'sykemeldingen er registrert.\n\nSe også [NAV sine sider om refusjon](https://www.nav.no).',
  },
  {
    area: 'lonn',
    faq: false,
    audience: 'public' as const,
    title: 'Endre kontonummer for lønn',
    body:
      'Den ansatte endrer kontonummeret selv i selvbetjeningsportalen. Endringen gjelder fra neste ' +
      'lønnskjøring hvis den er gjort før registreringsfristen.',
  },
  {
    area: 'regnskap',
    faq: true,
    audience: 'public' as const,
    title: 'Frister for bilag før periodeavslutning',
    body:
      'Regnskapsbilag registreres før aktuell periodeavslutning. Bilag som kommer etter fristen, føres i ' +
      'neste periode.',
  },
  {
    area: 'lonn',
    faq: false,
    audience: 'internal' as const,
    title: 'Rutine: korrigering av feriepenger i etterkant',
    body:
      'Intern rutine for saksbehandlere: korriger feriepengegrunnlaget før ny beregning, og dokumenter ' +
      'endringen i saken.',
  },
];

export const demoNews = [
  {
    area: 'lonn',
    severity: 'warning' as const,
    title: 'Forsinket lønnskjøring i desember',
    body: 'Lønnskjøringen for desember kan bli forsinket med én dag. Vi beklager ulempen.',
  },
];

/** Receiving addresses (CONTRACT.md): mail to them becomes a case in the area. */
export const demoMailboxes = [
  { address: 'lonn@kundesenter.no', area: 'lonn' },
  { address: 'regnskap@kundesenter.no', area: 'regnskap' },
];
