// The figures behind every report, computed in SQL over the cases the report may count: open cases now,
// cases received in the period, how fast they were answered and resolved, and what the knowledge base
// spared the centre. Nothing here loads cases: each query returns a handful of aggregate rows.
import { queueCondition } from '../cases/list/queue-conditions.js';
import { channels } from '../cases/list/filter.js';
import { sql, type ExpressionBuilder, type SelectQueryBuilder } from 'kysely';
import type { Db } from '../db/index.js';
import type { DB } from '../db/schema.js';
import type { Viewer } from '../auth/viewer.js';
import { agencyReportCases, visibleCases } from '../cases/visibility.js';
import { statuses, type CaseStatus } from '../cases/queries.js';
import { addDays, endOfOsloDay, startOfOsloDay, workingDayMs } from '../sla/calendar.js';
import type { ReportFilter, ReportKind } from './filter.js';

export type Channel = (typeof channels)[number];

export interface Breakdown {
  /** The status code, or the id of the area, group or agency; null for cases without a group. */
  key: string | number | null;
  open: number;
  breached: number;
  atRisk: number;
}

export interface Bucket {
  /** First and last day the bucket covers, within the period. */
  from: string;
  to: string;
  byChannel: Record<Channel, number>;
  total: number;
}

export interface Timing {
  received: number;
  answered: number;
  answeredInTime: number;
  /** Share of the answered cases answered within target, 0–1; null when none were answered. */
  inTimeShare: number | null;
  /** Working days, one decimal; null when there is nothing to measure. */
  firstAnswerMedian: number | null;
  firstAnswer90: number | null;
  resolved: number;
  resolutionMedian: number | null;
  resolution90: number | null;
}

export interface Figures {
  kind: ReportKind;
  open: {
    total: number;
    breached: number;
    atRisk: number;
    byStatus: Breakdown[];
    byArea: Breakdown[];
    byGroup: Breakdown[];
    byAgency: Breakdown[];
  };
  incoming: { buckets: Bucket[]; byChannel: Record<Channel, number>; total: number };
  timing: Timing;
  /** The period's cases by category ("which kinds of cases") and, for the centre, by caseworker ("who solves them"). */
  work: { byCategory: WorkRow[]; byCaseworker: WorkRow[] | null };
  /** Centre only: the knowledge base in the period (anonymous, so not by agency or group). */
  knowledge: { deflected: number; convertedAnyway: number; helpful: number; notHelpful: number } | null;
}

export interface WorkRow {
  key: number | null;
  name: { nb: string; en: string } | null;
  received: number;
  resolved: number;
  firstAnswerMedian: number | null;
  resolutionMedian: number | null;
}

/** The viewer's report: its kind decides which cases count. */
export interface ReportScope {
  kind: ReportKind;
  viewer: Viewer;
}

type CaseQuery = SelectQueryBuilder<DB, 'cases', object>;

function countedCases(db: Db, scope: ReportScope, filter: ReportFilter): CaseQuery {
  let query: CaseQuery = scope.kind === 'centre' ? visibleCases(db, scope.viewer) : agencyReportCases(db, scope.viewer);
  if (filter.area !== null) query = query.where('cases.area_id', '=', filter.area);
  if (scope.kind === 'centre' && filter.group !== null) query = query.where('cases.group_id', '=', filter.group);
  if (scope.kind === 'centre' && filter.agency !== null) query = query.where('cases.agency_id', '=', filter.agency);
  return query;
}

const toNumber = (value: unknown): number => Number(value ?? 0);
const workingDays = (ms: unknown): number | null =>
  ms === null || ms === undefined ? null : Math.round((Number(ms) / workingDayMs) * 10) / 10;

/** Open cases now, by status, area, group and agency, with how many are past or near their deadline. */
async function openCases(db: Db, scope: ReportScope, filter: ReportFilter): Promise<Figures['open']> {
  const centre = scope.kind === 'centre';
  const sets = centre
    ? sql`grouping sets ((), (cases.status), (cases.area_id), (cases.group_id), (cases.agency_id))`
    : sql`grouping sets ((), (cases.status), (cases.area_id))`;
  const rows = await countedCases(db, scope, filter)
    .where('cases.status', '<>', 'closed')
    .select((eb) => {
      const cases = eb as unknown as ExpressionBuilder<DB, 'cases'>;
      return [
        'cases.status',
        'cases.area_id',
        centre ? sql<number | null>`cases.group_id`.as('group_id') : sql<null>`null::bigint`.as('group_id'),
        centre ? sql<number | null>`cases.agency_id`.as('agency_id') : sql<null>`null::bigint`.as('agency_id'),
        sql<string>`grouping(cases.status)::text || grouping(cases.area_id)::text ${centre ? sql`|| grouping(cases.group_id)::text || grouping(cases.agency_id)::text` : sql`|| '11'`}`.as(
          'set',
        ),
        eb.fn.countAll<number>().as('open'),
        eb.fn
          .countAll<number>()
          .filterWhere(queueCondition(cases, 'overdue', scope.viewer))
          .as('breached'),
        eb.fn
          .countAll<number>()
          .filterWhere(queueCondition(cases, 'at_risk', scope.viewer))
          .as('at_risk'),
      ];
    })
    .groupBy(sets)
    .execute();
  const of = (set: string, key: (row: (typeof rows)[number]) => string | number | null): Breakdown[] =>
    rows
      .filter((row) => row.set === set)
      .map((row) => ({
        key: key(row),
        open: toNumber(row.open),
        breached: toNumber(row.breached),
        atRisk: toNumber(row.at_risk),
      }))
      .sort((a, b) => b.open - a.open);
  const total = rows.find((row) => row.set === '1111');
  const byStatus = of('0111', (row) => row.status);
  // Statuses in the order a case lives through them, each shown even when none are open.
  const statusOrder = statuses.filter((s) => s !== 'closed');
  return {
    total: toNumber(total?.open),
    breached: toNumber(total?.breached),
    atRisk: toNumber(total?.at_risk),
    byStatus: statusOrder.map(
      (status) => byStatus.find((b) => b.key === status) ?? { key: status, open: 0, breached: 0, atRisk: 0 },
    ),
    byArea: of('1011', (row) => row.area_id),
    byGroup: of('1101', (row) => row.group_id),
    byAgency: of('1110', (row) => row.agency_id),
  };
}

/** The first day of each bucket of the period: every day, or every ISO week (Monday) it touches. */
export function bucketStarts(filter: ReportFilter): { from: string; to: string }[] {
  const buckets: { from: string; to: string }[] = [];
  let day = filter.from;
  if (filter.by === 'week') {
    const weekday = (new Date(`${day}T12:00:00Z`).getUTCDay() + 6) % 7;
    day = addDays(day, -weekday);
  }
  const step = filter.by === 'week' ? 7 : 1;
  while (day <= filter.to) {
    const end = addDays(day, step - 1);
    buckets.push({ from: day < filter.from ? filter.from : day, to: end > filter.to ? filter.to : end });
    day = addDays(day, step);
  }
  return buckets;
}

function inPeriod(query: CaseQuery, filter: ReportFilter): CaseQuery {
  return query
    .where('cases.created_at', '>=', startOfOsloDay(filter.from))
    .where('cases.created_at', '<', endOfOsloDay(filter.to));
}

/** Cases received in the period, per day or week and channel. */
async function incoming(db: Db, scope: ReportScope, filter: ReportFilter): Promise<Figures['incoming']> {
  const empty = (): Record<Channel, number> =>
    Object.fromEntries(channels.map((c) => [c, 0])) as Record<Channel, number>;
  const buckets: Bucket[] = bucketStarts(filter).map((b) => ({ ...b, byChannel: empty(), total: 0 }));
  // Each case finds its bucket by binary search over the buckets' first instants, computed once here:
  // cheaper than converting every row's time to Oslo's calendar.
  const starts = buckets.map((b) => startOfOsloDay(b.from).toISOString());
  const bucket = sql<number>`width_bucket(cases.created_at, ${starts}::timestamptz[])`;
  const rows = await inPeriod(countedCases(db, scope, filter), filter)
    .select((eb) => [bucket.as('bucket'), 'cases.channel', eb.fn.countAll<number>().as('n')])
    // By the output's name: the expression's array is a parameter, and a second copy would be another one.
    .groupBy([sql`bucket`, 'cases.channel'])
    .execute();
  const byChannel = empty();
  for (const row of rows) {
    const target = buckets[Number(row.bucket) - 1];
    const channel = row.channel as Channel;
    const n = toNumber(row.n);
    if (target) {
      target.byChannel[channel] += n;
      target.total += n;
    }
    byChannel[channel] += n;
  }
  return { buckets, byChannel, total: channels.reduce((sum, c) => sum + byChannel[c], 0) };
}

/** How fast the cases received in the period were answered and resolved, in working days. */
async function timing(db: Db, scope: ReportScope, filter: ReportFilter): Promise<Timing> {
  const row = await inPeriod(countedCases(db, scope, filter), filter)
    .select((eb) => [
      eb.fn.countAll<number>().as('received'),
      eb.fn.count<number>('cases.first_answered_at').as('answered'),
      eb.fn.countAll<number>().filterWhere('cases.answered_in_time', '=', true).as('in_time'),
      sql<number | null>`percentile_cont(0.5) WITHIN GROUP (ORDER BY cases.first_answer_ms)`.as('first_median'),
      sql<number | null>`percentile_cont(0.9) WITHIN GROUP (ORDER BY cases.first_answer_ms)`.as('first_90'),
      eb.fn.count<number>('cases.closed_at').as('resolved'),
      sql<number | null>`percentile_cont(0.5) WITHIN GROUP (ORDER BY cases.resolution_ms)`.as('resolution_median'),
      sql<number | null>`percentile_cont(0.9) WITHIN GROUP (ORDER BY cases.resolution_ms)`.as('resolution_90'),
    ])
    .executeTakeFirstOrThrow();
  const answered = toNumber(row.answered);
  const inTime = toNumber(row.in_time);
  return {
    received: toNumber(row.received),
    answered,
    answeredInTime: inTime,
    inTimeShare: answered > 0 ? inTime / answered : null,
    firstAnswerMedian: workingDays(row.first_median),
    firstAnswer90: workingDays(row.first_90),
    resolved: toNumber(row.resolved),
    resolutionMedian: workingDays(row.resolution_median),
    resolution90: workingDays(row.resolution_90),
  };
}

/** Suggestions that spared a case, and page feedback, in the period; of the area's articles when one is chosen. */
async function knowledge(db: Db, filter: ReportFilter): Promise<NonNullable<Figures['knowledge']>> {
  const from = startOfOsloDay(filter.from);
  const until = endOfOsloDay(filter.to);
  const [deflections, feedback] = await Promise.all([
    db
      .selectFrom('deflections')
      .innerJoin('articles', 'articles.id', 'deflections.article_id')
      .select((eb) => [
        eb.fn.countAll<number>().filterWhere('deflections.converted', '=', false).as('yes'),
        eb.fn.countAll<number>().filterWhere('deflections.converted', '=', true).as('no'),
      ])
      .where('deflections.created_at', '>=', from)
      .where('deflections.created_at', '<', until)
      .$if(filter.area !== null, (q) => q.where('articles.area_id', '=', filter.area!))
      .executeTakeFirstOrThrow(),
    db
      .selectFrom('page_feedback')
      .leftJoin('articles', 'articles.id', 'page_feedback.article_id')
      .select((eb) => [
        eb.fn.countAll<number>().filterWhere('page_feedback.helpful', '=', true).as('yes'),
        eb.fn.countAll<number>().filterWhere('page_feedback.helpful', '=', false).as('no'),
      ])
      .where('page_feedback.created_at', '>=', from)
      .where('page_feedback.created_at', '<', until)
      .$if(filter.area !== null, (q) => q.where('articles.area_id', '=', filter.area!))
      .executeTakeFirstOrThrow(),
  ]);
  return {
    deflected: toNumber(deflections.yes),
    convertedAnyway: toNumber(deflections.no),
    helpful: toNumber(feedback.yes),
    notHelpful: toNumber(feedback.no),
  };
}

/** The period's cases by category, and for the centre by caseworker, with how fast they were answered and resolved. */
async function work(db: Db, scope: ReportScope, filter: ReportFilter): Promise<Figures['work']> {
  const centre = scope.kind === 'centre';
  const rows = await inPeriod(countedCases(db, scope, filter), filter)
    .leftJoin('categories', 'categories.id', 'cases.category_id')
    .leftJoin('users as caseworker', 'caseworker.id', 'cases.assignee_id')
    .select((eb) => [
      // An agency's report groups by category alone; the centre's also by caseworker.
      ...(centre
        ? [
            sql<string>`CASE WHEN grouping(cases.category_id) = 0 THEN 'category' ELSE 'caseworker' END`.as('set'),
            sql<
              number | null
            >`CASE WHEN grouping(cases.category_id) = 0 THEN cases.category_id ELSE cases.assignee_id END`.as('key'),
            sql<
              string | null
            >`CASE WHEN grouping(cases.category_id) = 0 THEN categories.name_nb ELSE caseworker.name END`.as('name_nb'),
            sql<
              string | null
            >`CASE WHEN grouping(cases.category_id) = 0 THEN categories.name_en ELSE caseworker.name END`.as('name_en'),
          ]
        : [
            sql<string>`'category'`.as('set'),
            sql<number | null>`cases.category_id`.as('key'),
            sql<string | null>`categories.name_nb`.as('name_nb'),
            sql<string | null>`categories.name_en`.as('name_en'),
          ]),
      eb.fn.countAll<number>().as('received'),
      eb.fn.count<number>('cases.closed_at').as('resolved'),
      sql<number | null>`percentile_cont(0.5) WITHIN GROUP (ORDER BY cases.first_answer_ms)`.as('first_median'),
      sql<number | null>`percentile_cont(0.5) WITHIN GROUP (ORDER BY cases.resolution_ms)`.as('resolution_median'),
    ])
    .groupBy(
      centre
        ? sql`grouping sets ((cases.category_id, categories.name_nb, categories.name_en), (cases.assignee_id, caseworker.name))`
        : sql`grouping sets ((cases.category_id, categories.name_nb, categories.name_en))`,
    )
    .execute();
  const of = (set: string): WorkRow[] =>
    rows
      .filter((row) => row.set === set)
      .map((row) => ({
        key: row.key === null ? null : Number(row.key),
        name: row.name_nb === null ? null : { nb: row.name_nb, en: row.name_en ?? row.name_nb },
        received: toNumber(row.received),
        resolved: toNumber(row.resolved),
        firstAnswerMedian: workingDays(row.first_median),
        resolutionMedian: workingDays(row.resolution_median),
      }))
      .sort((a, b) => b.received - a.received);
  return { byCategory: of('category'), byCaseworker: centre ? of('caseworker') : null };
}

/** Every figure of a report, its queries run side by side. */
export async function reportFigures(db: Db, scope: ReportScope, filter: ReportFilter): Promise<Figures> {
  const [open, received, times, kb, cohorts] = await Promise.all([
    openCases(db, scope, filter),
    incoming(db, scope, filter),
    timing(db, scope, filter),
    scope.kind === 'centre' ? knowledge(db, filter) : Promise.resolve(null),
    work(db, scope, filter),
  ]);
  return { kind: scope.kind, open, incoming: received, timing: times, knowledge: kb, work: cohorts };
}

export const openStatuses: readonly CaseStatus[] = statuses.filter((s) => s !== 'closed');
