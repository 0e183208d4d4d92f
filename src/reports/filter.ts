// A report's filters, read from its URL: the period, how incoming cases are bucketed, and the area,
// caseworker group and agency. Anything a form could not have produced is a problem for the user.
import { type Problems, isIsoDate } from '../web/input.js';
import type { Db } from '../db/index.js';
import type { Viewer } from '../auth/viewer.js';
import { caseworkerAreaIds, hasRole } from '../auth/viewer.js';
import { agencyReportAreas } from '../auth/guards.js';
import { addDays, osloDay } from '../sla/calendar.js';

/** The centre's dashboard, or an agency's own report. */
export type ReportKind = 'centre' | 'agency';

export interface ReportFilter {
  /** First and last day of the period, Oslo dates, both included. */
  from: string;
  to: string;
  by: 'day' | 'week';
  area: number | null;
  group: number | null;
  agency: number | null;
}

/** What the filter form offers a viewer, and so what their URL may ask for. */
export interface ReportChoices {
  areas: { id: number; code: string; name_nb: string; name_en: string }[];
  groups: { id: number; area_id: number; name_nb: string; name_en: string }[];
  agencies: { id: number; name: string }[];
}

export const reportParams = ['from', 'to', 'by', 'area', 'group', 'agency'] as const;
/** Longer periods ask for a yearly report rather than a dashboard, and would be slow to draw. */
export const maxPeriodDays = 366;
export const defaultPeriodDays = 30;
/** Up to this many days, incoming cases are counted per day; beyond it per week. */
const dailyUpToDays = 62;

export type ReportQuery = Record<string, string | string[] | undefined>;

/**
 * The areas, groups and agencies a viewer may filter on: for the dashboard, those of the areas they
 * work in (all for admins) and every agency; for an agency report, the areas their role covers.
 */
export async function reportChoices(db: Db, viewer: Viewer, kind: ReportKind): Promise<ReportChoices> {
  const allAreas = hasRole(viewer, 'admin');
  const areaIds = kind === 'centre' ? (allAreas ? null : caseworkerAreaIds(viewer)) : (agencyReportAreas(viewer) ?? []);
  const areaQuery = db
    .selectFrom('areas')
    .select(['id', 'code', 'name_nb', 'name_en'])
    .where('active', '=', true)
    .orderBy('sort_order')
    .orderBy('id');
  const [areas, groups, agencies] = await Promise.all([
    (areaIds === null ? areaQuery : areaQuery.where('id', 'in', areaIds.length > 0 ? areaIds : [0])).execute(),
    kind === 'centre'
      ? db
          .selectFrom('groups')
          .select(['id', 'area_id', 'name_nb', 'name_en'])
          .where('active', '=', true)
          .$if(areaIds !== null, (q) =>
            q.where('area_id', 'in', areaIds !== null && areaIds.length > 0 ? areaIds : [0]),
          )
          .orderBy('name_nb')
          .execute()
      : Promise.resolve([]),
    kind === 'centre'
      ? db.selectFrom('agencies').select(['id', 'name']).orderBy('name').execute()
      : Promise.resolve([]),
  ]);
  return { areas, groups, agencies };
}

const one = (value: string | string[] | undefined): string =>
  (Array.isArray(value) ? (value.length === 1 ? value[0]! : '\u0000') : (value ?? '')).trim();

/** Days from one ISO date to another, counting both. */
function daysIn(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000) + 1;
}

export function parseReportQuery(
  query: ReportQuery,
  choices: ReportChoices,
  now = new Date(),
): { filter: ReportFilter; problems: Problems } {
  const problems: Problems = {};
  const unknown = Object.keys(query).filter((name) => !(reportParams as readonly string[]).includes(name));
  if (unknown.length > 0)
    problems.unknown = {
      key: 'reports.errors.unknown',
      params: { names: unknown.slice(0, 5).join(', ').slice(0, 200) },
    };

  const today = osloDay(now);
  let from = one(query.from);
  let to = one(query.to);
  if (to === '') to = today;
  else if (!isIsoDate(to)) {
    problems.to = { key: 'reports.errors.date' };
    to = today;
  }
  if (from === '') from = addDays(to, -(defaultPeriodDays - 1));
  else if (!isIsoDate(from)) {
    problems.from = { key: 'reports.errors.date' };
    from = addDays(to, -(defaultPeriodDays - 1));
  }
  if (!problems.from && !problems.to) {
    if (from > to) problems.to = { key: 'reports.errors.order' };
    else if (daysIn(from, to) > maxPeriodDays)
      problems.to = { key: 'reports.errors.tooLong', params: { days: maxPeriodDays } };
  }

  const byRaw = one(query.by);
  let by: ReportFilter['by'] = daysIn(from, to) <= dailyUpToDays ? 'day' : 'week';
  if (byRaw === 'day' || byRaw === 'week') by = byRaw;
  else if (byRaw !== '') problems.by = { key: 'reports.errors.by' };

  const pick = <T extends { id: number }>(
    name: 'area' | 'group' | 'agency',
    known: T[],
    match: (item: T, raw: string) => boolean,
  ): number | null => {
    const raw = one(query[name]);
    if (raw === '') return null;
    const found = known.find((item) => match(item, raw));
    if (!found) problems[name] = { key: `reports.errors.${name}` };
    return found?.id ?? null;
  };
  const area = pick('area', choices.areas, (a, raw) => a.code === raw);
  const group = pick('group', choices.groups, (g, raw) => String(g.id) === raw);
  const agency = pick('agency', choices.agencies, (a, raw) => String(a.id) === raw);
  return { filter: { from, to, by, area, group, agency }, problems };
}

/** The URL query of a filter, for links, the export and subscriptions. */
export function reportQueryString(filter: ReportFilter, choices: ReportChoices): string {
  const params = new URLSearchParams({ from: filter.from, to: filter.to, by: filter.by });
  const area = choices.areas.find((a) => a.id === filter.area);
  if (area) params.set('area', area.code);
  if (filter.group !== null) params.set('group', String(filter.group));
  if (filter.agency !== null) params.set('agency', String(filter.agency));
  return params.toString();
}
