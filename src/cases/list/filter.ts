// The case list's filter as the URL carries it: columns, queues, sorting, filters and the keyset
// cursor. Parsing never fails: what a form could not have produced comes back as a problem.
import { isId, isIsoDate, type Problems } from '../../web/input.js';
import { isCentreStaff } from '../../auth/guards.js';
import { sql, type RawBuilder } from 'kysely';
import type { Viewer } from '../../auth/viewer.js';
import { statuses, type CaseStatus } from '../queries.js';
import { priorities } from '../rules.js';

export const listColumns = [
  'number',
  'title',
  'area',
  'form',
  'category',
  'status',
  'requester',
  'agency',
  'group',
  'assignee',
  'created',
  'updated',
  'due',
  'timeLeft',
  'channel',
  'priority',
] as const;

export type ListColumn = (typeof listColumns)[number];

export const defaultColumns: readonly ListColumn[] = ['number', 'title', 'area', 'status', 'created', 'updated'];

/** Columns only centre staff choose from, and what the workspace shows by default. */
export const staffColumns: readonly ListColumn[] = ['agency', 'group', 'assignee', 'timeLeft', 'priority'];

export const defaultStaffColumns: readonly ListColumn[] = [
  'number',
  'title',
  'agency',
  'status',
  'assignee',
  'timeLeft',
];

/** The workspace's queues: open cases of my groups, mine, and so on. */
export const queues = [
  'unassigned',
  'unlinked',
  'mine',
  'groups',
  'due_today',
  'overdue',
  'at_risk',
  'awaiting',
  'postponed',
  'all',
] as const;

export type Queue = (typeof queues)[number];

export const channels = ['web', 'email', 'phone'] as const;

export const pageSize = 50;

type Direction = 'asc' | 'desc';

/** How each column sorts: the SQL key, its type for the keyset cursor, and the natural first direction. */
export const sortKeys: Record<
  ListColumn,
  { key: () => RawBuilder<unknown>; type: 'text' | 'bigint' | 'smallint' | 'timestamptz'; dir: Direction }
> = {
  number: { key: () => sql`cases.number`, type: 'text', dir: 'desc' },
  title: { key: () => sql`cases.title`, type: 'text', dir: 'asc' },
  area: { key: () => sql`cases.area_id`, type: 'bigint', dir: 'asc' },
  // Forms and categories group in the order admins made them; the key must match an index expression.
  form: { key: () => sql`coalesce(cases.form_id, 0)`, type: 'bigint', dir: 'asc' },
  category: { key: () => sql`coalesce(cases.category_id, 0)`, type: 'bigint', dir: 'asc' },
  status: { key: () => sql`cases.status_rank`, type: 'smallint', dir: 'asc' },
  requester: { key: () => sql`cases.requester_name`, type: 'text', dir: 'asc' },
  created: { key: () => sql`cases.created_at`, type: 'timestamptz', dir: 'desc' },
  updated: { key: () => sql`cases.updated_at`, type: 'timestamptz', dir: 'desc' },
  due: { key: () => sql`cases.due_at`, type: 'timestamptz', dir: 'asc' },
  channel: { key: () => sql`cases.channel`, type: 'text', dir: 'asc' },
  agency: { key: () => sql`cases.agency_id`, type: 'bigint', dir: 'asc' },
  group: { key: () => sql`coalesce(cases.group_id, 0)`, type: 'bigint', dir: 'asc' },
  assignee: { key: () => sql`coalesce(cases.assignee_id, 0)`, type: 'bigint', dir: 'asc' },
  timeLeft: { key: () => sql`cases.due_at`, type: 'timestamptz', dir: 'asc' },
  // Most urgent first (critical ranks 1).
  priority: { key: () => sql`cases.priority_rank`, type: 'smallint', dir: 'asc' },
};

/** The direction a column sorts in when it is first chosen (newest first for dates and numbers). */
export function firstDirection(column: ListColumn): Direction {
  return sortKeys[column].dir;
}

export interface ListFilter {
  /** "mine": cases the viewer submitted; "agency": every case the viewer may see in the agency. */
  scope: 'mine' | 'agency';
  /** Centre staff only: which queue of the workspace. */
  queue: Queue | undefined;
  q: string;
  number: string;
  title: string;
  requester: string;
  status: CaseStatus[];
  area: string[];
  form: number[];
  category: number[];
  channel: string[];
  /** Centre staff only: caseworker groups and agencies, as the reports link to them; priorities. */
  group: number[];
  agency: number[];
  priority: string[];
  createdFrom: string;
  createdTo: string;
  updatedFrom: string;
  updatedTo: string;
  sort: ListColumn;
  dir: Direction;
  /** Keyset paging: the page after this cursor, or the page before that one; at most one is set. */
  after: string;
  before: string;
}

export type ListQuery = Record<string, string | string[] | undefined>;

/** What the filter form offers, and so what a URL may ask for. */
export interface ListChoices {
  areas: { code: string; name_nb: string; name_en: string }[];
  forms: { id: number; area_nb: string; area_en: string; name_nb: string; name_en: string }[];
  categories: { id: number; area_nb: string; area_en: string; name_nb: string; name_en: string }[];
}

const list = (value: string | string[] | undefined): string[] =>
  (value === undefined ? [] : Array.isArray(value) ? value : [value]).filter((v) => v !== '');

// The helpers below are module functions, not closures made in the functions that use them: run by tsx,
// every function made at run time is named by `Object.defineProperty` (1–5 µs each, measured).

/** The ids among `values` that `known` holds. */
function knownIds(values: string[], known: readonly { id: number }[]): number[] {
  return values.map(Number).filter((id) => known.some((k) => k.id === id));
}

/** The values that are ids, as numbers. */
function validIds(values: string[]): number[] {
  return values.filter(isId).map(Number);
}

/** Whether a date range ends before it begins. */
function datesReversed(from: string, to: string): boolean {
  return isIsoDate(from) && isIsoDate(to) && from > to;
}

const one = (value: string | string[] | undefined): string =>
  (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();

/**
 * Whether the list can show more than the viewer's own cases: a professional user sees the agency's
 * cases in their areas, centre staff everything their roles reach.
 */
export function seesBeyondOwnCases(viewer: Viewer): boolean {
  return (
    isCentreStaff(viewer) || viewer.roles.some((r) => r.role === 'professional_user' && r.agencyId === viewer.agencyId)
  );
}

/**
 * Reads the list's URL. Anything a form could not have produced (an unknown sort, status or date) is a
 * problem shown to the user; the filter that comes back is still complete so the form can be redrawn.
 */
export function parseListQuery(
  query: ListQuery,
  viewer: Viewer,
  choices: ListChoices,
): { filter: ListFilter; problems: Problems } {
  const problems: Problems = {};
  // One literal with every field rather than a spread of each part: in Node 20 each key added after a
  // spread takes a slow path (see src/web/template-data.ts), and this runs for every list page.
  const { scope } = readScope(query, viewer, problems);
  const { sort, dir } = readSort(query, problems);
  const { status, area, form, category, channel } = readChoices(query, choices, problems);
  const { queue, group, agency, priority } = readStaffFilters(query, viewer, problems);
  const { createdFrom, createdTo, updatedFrom, updatedTo } = readDates(query, problems);
  const filter: ListFilter = {
    scope,
    sort,
    dir,
    status,
    area,
    form,
    category,
    channel,
    queue,
    group,
    agency,
    priority,
    q: one(query.q).slice(0, 200),
    number: one(query.number).slice(0, 50),
    title: one(query.title).slice(0, 200),
    requester: one(query.requester).slice(0, 200),
    createdFrom,
    createdTo,
    updatedFrom,
    updatedTo,
    after: one(query.after),
    before: one(query.after) === '' ? one(query.before) : '',
  };
  if (filter.after !== '' && !decodeCursor(filter.after)) problems.after = { key: 'cases.list.errors.cursor' };
  if (filter.before !== '' && !decodeCursor(filter.before)) problems.before = { key: 'cases.list.errors.cursor' };
  return { filter, problems };
}

function readScope(query: ListQuery, viewer: Viewer, problems: Problems): Pick<ListFilter, 'scope'> {
  const agencyAllowed = seesBeyondOwnCases(viewer);
  const scopeRaw = one(query.scope);
  if (scopeRaw === 'mine' || (scopeRaw === 'agency' && agencyAllowed)) return { scope: scopeRaw };
  if (scopeRaw !== '') problems.scope = { key: 'cases.list.errors.scope' };
  return { scope: agencyAllowed ? 'agency' : 'mine' };
}

function readSort(query: ListQuery, problems: Problems): Pick<ListFilter, 'sort' | 'dir'> {
  const sortRaw = one(query.sort);
  const sort = (listColumns as readonly string[]).includes(sortRaw) ? (sortRaw as ListColumn) : 'created';
  if (sortRaw !== '' && sort !== sortRaw) problems.sort = { key: 'cases.list.errors.sort' };
  const dirRaw = one(query.dir);
  const dir: Direction = dirRaw === 'asc' || dirRaw === 'desc' ? dirRaw : sortKeys[sort].dir;
  if (dirRaw !== '' && dir !== dirRaw) problems.sort = { key: 'cases.list.errors.sort' };
  return { sort, dir };
}

/** The filters chosen from the catalogue's lists: each value must be one of the choices. */
function readChoices(
  query: ListQuery,
  choices: ListChoices,
  problems: Problems,
): Pick<ListFilter, 'status' | 'area' | 'form' | 'category' | 'channel'> {
  const areaCodes = choices.areas.map((a) => a.code);
  const status = list(query.status);
  if (!status.every((s) => (statuses as readonly string[]).includes(s)))
    problems.status = { key: 'cases.list.errors.status' };
  const area = list(query.area);
  if (!area.every((a) => areaCodes.includes(a))) problems.area = { key: 'cases.list.errors.area' };
  // Not "form": an input of that name would shadow HTMLFormElement.form for scripts (htmx included).
  const formRaw = list(query.form_id);
  const form = knownIds(formRaw, choices.forms);
  if (form.length !== formRaw.length) problems.form_id = { key: 'cases.list.errors.form' };
  const categoryRaw = list(query.category);
  const category = knownIds(categoryRaw, choices.categories);
  if (category.length !== categoryRaw.length) problems.category = { key: 'cases.list.errors.category' };
  const channel = list(query.channel);
  if (!channel.every((c) => (channels as readonly string[]).includes(c)))
    problems.channel = { key: 'cases.list.errors.channel' };
  return {
    status: status.filter((s): s is CaseStatus => (statuses as readonly string[]).includes(s)),
    area: area.filter((a) => areaCodes.includes(a)),
    form,
    category,
    channel: channel.filter((c) => (channels as readonly string[]).includes(c)),
  };
}

/** Queues, groups and agencies are centre staff's filters; for anyone else they are a problem. */
function readStaffFilters(
  query: ListQuery,
  viewer: Viewer,
  problems: Problems,
): Pick<ListFilter, 'queue' | 'group' | 'agency' | 'priority'> {
  const staff = isCentreStaff(viewer);
  const priorityRaw = list(query.priority);
  if ((!staff && priorityRaw.length > 0) || !priorityRaw.every((p) => (priorities as readonly string[]).includes(p)))
    problems.priority = { key: 'cases.list.errors.priority' };
  const groupRaw = list(query.group);
  const agencyRaw = list(query.agency);
  if ((!staff && groupRaw.length > 0) || validIds(groupRaw).length !== groupRaw.length)
    problems.group = { key: 'cases.list.errors.group' };
  if ((!staff && agencyRaw.length > 0) || validIds(agencyRaw).length !== agencyRaw.length)
    problems.agency = { key: 'cases.list.errors.agency' };
  const queueRaw = one(query.queue);
  let queue: Queue | undefined = staff ? (viewer.groupIds.length > 0 ? 'groups' : 'all') : undefined;
  if (queueRaw !== '') {
    if (staff && (queues as readonly string[]).includes(queueRaw)) queue = queueRaw as Queue;
    else problems.queue = { key: 'cases.list.errors.queue' };
  }
  return {
    queue,
    group: staff ? validIds(groupRaw) : [],
    agency: staff ? validIds(agencyRaw) : [],
    priority: staff ? priorityRaw.filter((p) => (priorities as readonly string[]).includes(p)) : [],
  };
}

function readDates(
  query: ListQuery,
  problems: Problems,
): Pick<ListFilter, 'createdFrom' | 'createdTo' | 'updatedFrom' | 'updatedTo'> {
  const dates = {
    createdFrom: one(query.created_from),
    createdTo: one(query.created_to),
    updatedFrom: one(query.updated_from),
    updatedTo: one(query.updated_to),
  };
  for (const [name, value] of [
    ['created_from', dates.createdFrom],
    ['created_to', dates.createdTo],
    ['updated_from', dates.updatedFrom],
    ['updated_to', dates.updatedTo],
  ] as const) {
    if (value !== '' && !isIsoDate(value)) problems[name] = { key: 'cases.list.errors.date' };
  }
  if (datesReversed(dates.createdFrom, dates.createdTo)) problems.created_to = { key: 'cases.list.errors.dateOrder' };
  if (datesReversed(dates.updatedFrom, dates.updatedTo)) problems.updated_to = { key: 'cases.list.errors.dateOrder' };
  return dates;
}

/** Whether a filter of the "filter on columns" panel is in use (the panel is then open and complete). */
export function usesColumnFilters(f: ListFilter): boolean {
  return (
    [f.number, f.title, f.requester, f.createdFrom, f.createdTo, f.updatedFrom, f.updatedTo].some((v) => v !== '') ||
    [f.status, f.area, f.form, f.category, f.channel, f.priority].some((values) => values.length > 0)
  );
}

/** The queue alone, with no filter or search narrowing it: the list then holds what the queue's tab counts. */
export function isWholeQueue(filter: ListFilter): filter is ListFilter & { queue: Queue } {
  return (
    filter.queue !== undefined &&
    filter.q === '' &&
    filter.group.length === 0 &&
    filter.agency.length === 0 &&
    !usesColumnFilters(filter)
  );
}

export type CursorValue = string | number;

export function encodeCursor(value: CursorValue, id: number): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

export function decodeCursor(value: string): [CursorValue, number] | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString());
    if (
      Array.isArray(parsed) &&
      parsed.length === 2 &&
      (typeof parsed[0] === 'string' || typeof parsed[0] === 'number') &&
      Number.isSafeInteger(parsed[1])
    ) {
      return [parsed[0], parsed[1] as number];
    }
  } catch {
    // not a cursor we wrote
  }
  return undefined;
}
