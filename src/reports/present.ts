// Figures as the tables people read: the same tables feed the page, the Excel export and the mail, so a
// number says the same thing everywhere. On the dashboard each figure links to the case list behind it.
import { channels } from '../cases/list/filter.js';
import type { Language, Translate } from '../web/i18n.js';
import { formatDate } from '../web/i18n.js';
import { horizontalBars, stackedColumns, type Chart } from './charts.js';
import type { ReportChoices, ReportFilter } from './filter.js';
import { openStatuses, type Breakdown, type Figures, type WorkRow } from './queries.js';

export interface Cell {
  /** What a spreadsheet stores: a number where there is one. */
  value: number | string | null;
  text: string;
  href?: string;
  /** A fraction shown as a percentage. */
  share?: true;
  /** `text` as its number and its unit (working days), so a headline can set the unit smaller. */
  amount?: string;
  unit?: string;
}

export interface ReportTable {
  id: 'status' | 'area' | 'group' | 'agency' | 'incoming' | 'timing' | 'category' | 'caseworker' | 'knowledge';
  title: string;
  headers: string[];
  rows: { label: string; cells: Cell[] }[];
  /** The page shows this many rows (the largest first); the export has them all. */
  shown?: number;
}

/** Open cases by agency: the largest on the page, every agency in Excel. */
export const agenciesShown = 15;

export interface Headline {
  id: string;
  label: string;
  cell: Cell;
}

export interface PresentedReport {
  headlines: Headline[];
  tables: ReportTable[];
  charts: {
    id: string;
    title: string;
    description: string;
    chart: Chart;
    legend: { series: string; label: string }[];
  }[];
}

/** Case-list parameters for a figure; the dashboard turns them into a link, other reports into nothing. */
export type LinkParams = Record<string, string | readonly string[]>;
export type Linker = (params: LinkParams) => string | undefined;

export function present(
  figures: Figures,
  filter: ReportFilter,
  choices: ReportChoices,
  t: Translate,
  language: Language,
  link: Linker,
): PresentedReport {
  const numbers = new Intl.NumberFormat(language === 'en' ? 'en-GB' : 'nb-NO', { maximumFractionDigits: 1 });
  const shortDate = new Intl.DateTimeFormat(language === 'en' ? 'en-GB' : 'nb-NO', {
    day: 'numeric',
    month: 'numeric',
    timeZone: 'UTC',
  });
  const percent = new Intl.NumberFormat(language === 'en' ? 'en-GB' : 'nb-NO', {
    style: 'percent',
    maximumFractionDigits: 0,
  });
  const count = (value: number, params?: LinkParams): Cell => ({
    value,
    text: numbers.format(value),
    ...(params ? withHref(link(params)) : {}),
  });
  const days = (value: number | null, params?: LinkParams): Cell =>
    value === null
      ? { value: null, text: t('reports.none') }
      : {
          value,
          ...withUnit(numbers.format(value), t(value === 1 ? 'reports.day' : 'reports.days')),
          ...(params ? withHref(link(params)) : {}),
        };
  const local = (item: { name_nb: string; name_en: string } | undefined) =>
    item ? (language === 'en' ? item.name_en : item.name_nb) : t('reports.unknown');

  // The list behind an open-case figure: the open statuses, the report's own filters, then the row's.
  const open: LinkParams = { queue: 'all', status: openStatuses };
  const areaCode = (id: number | null) => choices.areas.find((a) => a.id === id)?.code;
  const scoped = (params: LinkParams): LinkParams => {
    const base: Record<string, string | readonly string[]> = {};
    const code = areaCode(filter.area);
    if (code) base.area = code;
    if (filter.group !== null) base.group = String(filter.group);
    if (filter.agency !== null) base.agency = String(filter.agency);
    return { ...base, ...params };
  };
  const period = (from: string, to: string): LinkParams => ({ queue: 'all', created_from: from, created_to: to });
  const breakdownRow = (label: string, row: Breakdown, params: LinkParams | undefined) => ({
    label,
    cells: [
      count(row.open, params && scoped({ ...open, ...params })),
      count(row.breached, params && scoped({ ...params, queue: 'overdue' })),
      count(row.atRisk, params && scoped({ ...params, queue: 'at_risk' })),
    ],
  });
  const openHeaders = (first: string) => [first, t('reports.open'), t('reports.breached'), t('reports.atRisk')];

  const tables: ReportTable[] = [
    {
      id: 'status',
      title: t('reports.tables.status'),
      headers: openHeaders(t('cases.fields.status')),
      rows: figures.open.byStatus.map((row) =>
        breakdownRow(t(`status.${String(row.key)}.label`), row, { status: String(row.key) }),
      ),
    },
    {
      id: 'area',
      title: t('reports.tables.area'),
      headers: openHeaders(t('cases.fields.area')),
      rows: figures.open.byArea.map((row) => {
        const code = areaCode(row.key as number);
        return breakdownRow(local(choices.areas.find((a) => a.id === row.key)), row, code ? { area: code } : undefined);
      }),
    },
  ];
  if (figures.kind === 'centre') {
    tables.push(
      {
        id: 'group',
        title: t('reports.tables.group'),
        headers: openHeaders(t('cases.fields.group')),
        rows: figures.open.byGroup.map((row) =>
          row.key === null
            ? breakdownRow(t('reports.noGroup'), row, undefined)
            : breakdownRow(local(choices.groups.find((g) => g.id === row.key)), row, { group: String(row.key) }),
        ),
      },
      {
        id: 'agency',
        title: t('reports.tables.agency'),
        shown: agenciesShown,
        headers: openHeaders(t('cases.fields.agency')),
        rows: figures.open.byAgency.map((row) =>
          row.key === null
            ? breakdownRow(t('reports.noAgency'), row, undefined)
            : breakdownRow(choices.agencies.find((a) => a.id === row.key)?.name ?? t('reports.unknown'), row, {
                agency: String(row.key),
              }),
        ),
      },
    );
  }
  const bucketLabel = (b: { from: string; to: string }) => formatPeriod(language, b.from, b.to);
  tables.push({
    id: 'incoming',
    title: t(filter.by === 'week' ? 'reports.tables.incomingWeek' : 'reports.tables.incomingDay'),
    headers: [t('reports.period'), ...channels.map((c) => t(`channel.${c}`)), t('reports.total')],
    rows: [
      ...figures.incoming.buckets.map((b) => ({
        label: bucketLabel(b),
        cells: [
          ...channels.map((c) => count(b.byChannel[c], scoped({ ...period(b.from, b.to), channel: c }))),
          count(b.total, scoped(period(b.from, b.to))),
        ],
      })),
      {
        label: t('reports.total'),
        cells: [
          ...channels.map((c) =>
            count(figures.incoming.byChannel[c], scoped({ ...period(filter.from, filter.to), channel: c })),
          ),
          count(figures.incoming.total, scoped(period(filter.from, filter.to))),
        ],
      },
    ],
  });
  const timing = figures.timing;
  const cohort = scoped(period(filter.from, filter.to));
  const share: Cell =
    timing.inTimeShare === null
      ? { value: null, text: t('reports.none') }
      : { value: timing.inTimeShare, text: percent.format(timing.inTimeShare), share: true, ...withHref(link(cohort)) };
  tables.push({
    id: 'timing',
    title: t('reports.tables.timing'),
    headers: [t('reports.measure'), t('reports.value')],
    rows: [
      { label: t('reports.received'), cells: [count(timing.received, cohort)] },
      { label: t('reports.answered'), cells: [count(timing.answered, cohort)] },
      { label: t('reports.inTimeShare'), cells: [share] },
      { label: t('reports.firstAnswerMedian'), cells: [days(timing.firstAnswerMedian, cohort)] },
      { label: t('reports.firstAnswer90'), cells: [days(timing.firstAnswer90, cohort)] },
      { label: t('reports.resolved'), cells: [count(timing.resolved, { ...cohort, status: 'closed' })] },
      { label: t('reports.resolutionMedian'), cells: [days(timing.resolutionMedian, { ...cohort, status: 'closed' })] },
      { label: t('reports.resolution90'), cells: [days(timing.resolution90, { ...cohort, status: 'closed' })] },
    ],
  });
  // Which kinds of cases came, and who solved them: each figure leads to the cases behind it.
  const workHeaders = (first: string) => [
    first,
    t('reports.received'),
    t('reports.resolved'),
    t('reports.firstAnswerMedian'),
    t('reports.resolutionMedian'),
  ];
  // Without params (a caseworker: the list has no such filter) the figures stand without a link.
  const workRow = (label: string, row: WorkRow, params: LinkParams | undefined) => {
    const cases = params && scoped({ ...period(filter.from, filter.to), ...params });
    const closed = cases && { ...cases, status: 'closed' };
    return {
      label,
      cells: [
        count(row.received, cases),
        count(row.resolved, closed),
        days(row.firstAnswerMedian, cases),
        days(row.resolutionMedian, closed),
      ],
    };
  };
  tables.push({
    id: 'category',
    title: t('reports.tables.category'),
    headers: workHeaders(t('cases.fields.category')),
    rows: figures.work.byCategory.map((row) =>
      workRow(
        row.name ? local({ name_nb: row.name.nb, name_en: row.name.en }) : t('reports.noCategory'),
        row,
        row.key === null ? {} : { category: String(row.key) },
      ),
    ),
  });
  if (figures.work.byCaseworker)
    tables.push({
      id: 'caseworker',
      title: t('reports.tables.caseworker'),
      headers: workHeaders(t('cases.fields.assignee')),
      rows: figures.work.byCaseworker.map((row) => workRow(row.name?.nb ?? t('reports.noCaseworker'), row, undefined)),
    });
  if (figures.knowledge) {
    const kb = figures.knowledge;
    tables.push({
      id: 'knowledge',
      title: t('reports.tables.knowledge'),
      headers: [t('reports.measure'), t('reports.value')],
      rows: [
        { label: t('reports.deflected'), cells: [count(kb.deflected)] },
        { label: t('reports.convertedAnyway'), cells: [count(kb.convertedAnyway)] },
        { label: t('reports.helpful'), cells: [count(kb.helpful)] },
        { label: t('reports.notHelpful'), cells: [count(kb.notHelpful)] },
      ],
    });
  }

  const headlines: Headline[] = [
    { id: 'open', label: t('reports.open'), cell: count(figures.open.total, scoped(open)) },
    { id: 'breached', label: t('reports.breached'), cell: count(figures.open.breached, scoped({ queue: 'overdue' })) },
    { id: 'atRisk', label: t('reports.atRisk'), cell: count(figures.open.atRisk, scoped({ queue: 'at_risk' })) },
    { id: 'received', label: t('reports.received'), cell: count(timing.received, cohort) },
    { id: 'inTime', label: t('reports.inTimeShare'), cell: share },
    { id: 'firstAnswer', label: t('reports.firstAnswerMedian'), cell: days(timing.firstAnswerMedian, cohort) },
  ];

  const incomingChart = stackedColumns(
    figures.incoming.buckets.map((b) => ({
      label: shortDate.format(new Date(`${b.from}T12:00:00Z`)),
      values: channels.map((c) => ({
        series: c,
        value: b.byChannel[c],
        label: `${bucketLabel(b)}, ${t(`channel.${c}`)}: ${b.byChannel[c]}`,
      })),
    })),
  );
  const statusChart = horizontalBars(
    figures.open.byStatus.map((row) => ({
      label: t(`status.${String(row.key)}.label`),
      value: row.open,
      series: String(row.key),
    })),
  );
  const charts = [
    {
      id: 'incoming',
      title: t(filter.by === 'week' ? 'reports.tables.incomingWeek' : 'reports.tables.incomingDay'),
      description: t('reports.charts.incoming', {
        total: figures.incoming.total,
        from: formatDate(language, filter.from),
        to: formatDate(language, filter.to),
        ...Object.fromEntries(channels.map((c) => [c, figures.incoming.byChannel[c]])),
      }),
      chart: incomingChart,
      legend: channels.map((c) => ({ series: c, label: t(`channel.${c}`) })),
    },
    {
      id: 'status',
      title: t('reports.tables.status'),
      description: t('reports.charts.status', {
        summary: figures.open.byStatus.map((row) => `${t(`status.${String(row.key)}.label`)} ${row.open}`).join(', '),
      }),
      chart: statusChart,
      legend: [],
    },
  ];
  return { headlines, tables, charts };
}

/** A day, or the first and last day of a period, as the user writes dates. */
export function formatPeriod(language: Language, from: string, to: string): string {
  return from === to ? formatDate(language, from) : `${formatDate(language, from)}–${formatDate(language, to)}`;
}

/** The figures a report mail carries: the headlines, then the answer times not already among them. */
export function mailRows(report: PresentedReport): [string, string][] {
  const rows: [string, string][] = report.headlines.map((h) => [h.label, h.cell.text]);
  for (const row of report.tables.find((table) => table.id === 'timing')?.rows ?? []) {
    if (!rows.some(([label]) => label === row.label)) rows.push([row.label, row.cells[0]!.text]);
  }
  return rows;
}

function withUnit(amount: string, unit: string): { text: string; amount: string; unit: string } {
  return { text: `${amount} ${unit}`, amount, unit };
}

function withHref(href: string | undefined): { href?: string } {
  return href ? { href } : {};
}
