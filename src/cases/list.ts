// "Mine saker": the case list's columns, filters, sort orders and keyset pages, read from the URL so
// every view can be bookmarked, and one query builder shared by the page and the Excel export.
import { type Problems, isIsoDate } from '../web/input.js';
import { containsPattern } from '../db/text-search.js';
import {
  sql,
  type Expression,
  type ExpressionBuilder,
  type RawBuilder,
  type SelectQueryBuilder,
  type SqlBool,
} from 'kysely';
import type { DB } from '../db/schema.js';
import { visibleCases } from './visibility.js';
import { endOfOsloDay, osloDay as osloDateOf } from '../sla/calendar.js';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../db/index.js';
import { activeMailboxes, type Viewer } from '../auth/viewer.js';
import { caseSummary, statuses, summarisedCases, type CaseStatus } from './queries.js';

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
] as const;
export type ListColumn = (typeof listColumns)[number];
export const defaultColumns: readonly ListColumn[] = ['number', 'title', 'area', 'status', 'created', 'updated'];
/** Columns only centre staff choose from, and what the workspace shows by default. */
export const staffColumns: readonly ListColumn[] = ['agency', 'group', 'assignee', 'timeLeft'];
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
const sortKeys: Record<
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
  /** Centre staff only: caseworker groups and agencies, as the reports link to them. */
  group: number[];
  agency: number[];
  createdFrom: string;
  createdTo: string;
  updatedFrom: string;
  updatedTo: string;
  sort: ListColumn;
  dir: Direction;
  after: string;
}

export type ListQuery = Record<string, string | string[] | undefined>;

/** What the filter form offers, and so what a URL may ask for. */
export interface ListChoices {
  areas: { code: string; name_nb: string; name_en: string }[];
  forms: { id: number; area_nb: string; area_en: string; name_nb: string; name_en: string }[];
  categories: { id: number; area_nb: string; area_en: string; name_nb: string; name_en: string }[];
}

// Areas, forms and categories change a few times a year and every list request reads them: each
// process keeps them for a few seconds (per database, so test databases never mix).
const choicesTtlMs = 10_000;
const cachedChoices = new WeakMap<Db, { at: number; choices: Promise<ListChoices> }>();

export function listChoices(db: Db): Promise<ListChoices> {
  const cached = cachedChoices.get(db);
  if (cached && Date.now() - cached.at < choicesTtlMs) return cached.choices;
  const choices = loadListChoices(db);
  cachedChoices.set(db, { at: Date.now(), choices });
  choices.catch(() => cachedChoices.delete(db));
  return choices;
}

/** Areas, forms and categories in one round trip. */
async function loadListChoices(db: Db): Promise<ListChoices> {
  const row = await db
    .selectNoFrom((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom('areas')
          .select(['code', 'name_nb', 'name_en'])
          .where('active', '=', true)
          .orderBy('sort_order')
          .orderBy('id'),
      ).as('areas'),
      jsonArrayFrom(
        eb
          .selectFrom('forms')
          .innerJoin('areas', 'areas.id', 'forms.area_id')
          .select([
            'forms.id',
            'areas.name_nb as area_nb',
            'areas.name_en as area_en',
            'forms.name_nb',
            'forms.name_en',
          ])
          .orderBy('areas.sort_order')
          .orderBy('forms.sort_order')
          .orderBy('forms.id'),
      ).as('forms'),
      jsonArrayFrom(
        eb
          .selectFrom('categories')
          .innerJoin('areas', 'areas.id', 'categories.area_id')
          .select([
            'categories.id',
            'areas.name_nb as area_nb',
            'areas.name_en as area_en',
            'categories.name_nb',
            'categories.name_en',
          ])
          .orderBy('areas.sort_order')
          .orderBy('categories.name_nb'),
      ).as('categories'),
    ])
    .executeTakeFirstOrThrow();
  return row as unknown as ListChoices;
}

const list = (value: string | string[] | undefined): string[] =>
  (value === undefined ? [] : Array.isArray(value) ? value : [value]).filter((v) => v !== '');
const one = (value: string | string[] | undefined): string =>
  (Array.isArray(value) ? (value[0] ?? '') : (value ?? '')).trim();

/**
 * Whether the list can show more than the viewer's own cases: a professional user sees the agency's
 * cases in their areas, centre staff everything their roles reach.
 */
export function seesBeyondOwnCases(viewer: Viewer): boolean {
  return (
    viewer.agencyId === null ||
    viewer.roles.some((r) => r.role === 'professional_user' && r.agencyId === viewer.agencyId)
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
  const areaCodes = choices.areas.map((a) => a.code);
  const problems: Problems = {};
  const agencyAllowed = seesBeyondOwnCases(viewer);
  const scopeRaw = one(query.scope);
  let scope: ListFilter['scope'] = agencyAllowed ? 'agency' : 'mine';
  if (scopeRaw === 'mine' || (scopeRaw === 'agency' && agencyAllowed)) scope = scopeRaw;
  else if (scopeRaw !== '') problems.scope = { key: 'cases.list.errors.scope' };

  const sortRaw = one(query.sort);
  const sort = (listColumns as readonly string[]).includes(sortRaw) ? (sortRaw as ListColumn) : 'created';
  if (sortRaw !== '' && sort !== sortRaw) problems.sort = { key: 'cases.list.errors.sort' };
  const dirRaw = one(query.dir);
  const dir: Direction = dirRaw === 'asc' || dirRaw === 'desc' ? dirRaw : sortKeys[sort].dir;
  if (dirRaw !== '' && dir !== dirRaw) problems.sort = { key: 'cases.list.errors.sort' };

  const status = list(query.status);
  if (!status.every((s) => (statuses as readonly string[]).includes(s)))
    problems.status = { key: 'cases.list.errors.status' };
  const area = list(query.area);
  if (!area.every((a) => areaCodes.includes(a))) problems.area = { key: 'cases.list.errors.area' };
  const ids = (values: string[], known: { id: number }[]) =>
    values.map(Number).filter((id) => known.some((k) => k.id === id));
  // Not "form": an input of that name would shadow HTMLFormElement.form for scripts (htmx included).
  const formRaw = list(query.form_id);
  const form = ids(formRaw, choices.forms);
  if (form.length !== formRaw.length) problems.form_id = { key: 'cases.list.errors.form' };
  const categoryRaw = list(query.category);
  const category = ids(categoryRaw, choices.categories);
  if (category.length !== categoryRaw.length) problems.category = { key: 'cases.list.errors.category' };
  const channel = list(query.channel);
  if (!channel.every((c) => (channels as readonly string[]).includes(c)))
    problems.channel = { key: 'cases.list.errors.channel' };

  const staff = viewer.agencyId === null;
  const groupRaw = list(query.group);
  const agencyRaw = list(query.agency);
  const validIds = (values: string[]) => values.filter((v) => /^\d{1,15}$/.test(v)).map(Number);
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
  const filter: ListFilter = {
    scope,
    queue,
    q: one(query.q).slice(0, 200),
    number: one(query.number).slice(0, 50),
    title: one(query.title).slice(0, 200),
    requester: one(query.requester).slice(0, 200),
    status: status.filter((s): s is CaseStatus => (statuses as readonly string[]).includes(s)),
    area: area.filter((a) => areaCodes.includes(a)),
    form,
    category,
    channel: channel.filter((c) => (channels as readonly string[]).includes(c)),
    group: staff ? validIds(groupRaw) : [],
    agency: staff ? validIds(agencyRaw) : [],
    createdFrom: one(query.created_from),
    createdTo: one(query.created_to),
    updatedFrom: one(query.updated_from),
    updatedTo: one(query.updated_to),
    sort,
    dir,
    after: one(query.after),
  };
  for (const [name, value] of [
    ['created_from', filter.createdFrom],
    ['created_to', filter.createdTo],
    ['updated_from', filter.updatedFrom],
    ['updated_to', filter.updatedTo],
  ] as const) {
    if (value !== '' && !isIsoDate(value)) problems[name] = { key: 'cases.list.errors.date' };
  }
  if (
    filter.createdFrom &&
    filter.createdTo &&
    isIsoDate(filter.createdFrom) &&
    isIsoDate(filter.createdTo) &&
    filter.createdFrom > filter.createdTo
  )
    problems.created_to = { key: 'cases.list.errors.dateOrder' };
  if (
    filter.updatedFrom &&
    filter.updatedTo &&
    isIsoDate(filter.updatedFrom) &&
    isIsoDate(filter.updatedTo) &&
    filter.updatedFrom > filter.updatedTo
  )
    problems.updated_to = { key: 'cases.list.errors.dateOrder' };
  if (filter.after !== '' && !decodeCursor(filter.after)) problems.after = { key: 'cases.list.errors.cursor' };
  return { filter, problems };
}

/** The URL query for a filter, for links that keep every choice (sorting, paging, export). */
export function listQueryString(filter: ListFilter, overrides: Partial<ListFilter> = {}): string {
  const f = { ...filter, ...overrides };
  const params = new URLSearchParams();
  if (f.queue) params.set('queue', f.queue);
  else params.set('scope', f.scope);
  for (const [name, value] of [
    ['q', f.q],
    ['number', f.number],
    ['title', f.title],
    ['requester', f.requester],
    ['created_from', f.createdFrom],
    ['created_to', f.createdTo],
    ['updated_from', f.updatedFrom],
    ['updated_to', f.updatedTo],
  ] as const) {
    if (value) params.set(name, value);
  }
  for (const value of f.status) params.append('status', value);
  for (const value of f.area) params.append('area', value);
  for (const value of f.form) params.append('form_id', String(value));
  for (const value of f.category) params.append('category', String(value));
  for (const value of f.channel) params.append('channel', value);
  for (const value of f.group) params.append('group', String(value));
  for (const value of f.agency) params.append('agency', String(value));
  if (f.sort !== 'created' || f.dir !== 'desc') {
    params.set('sort', f.sort);
    params.set('dir', f.dir);
  }
  if (f.after) params.set('after', f.after);
  return params.toString();
}

type CursorValue = string | number;

function encodeCursor(value: CursorValue, id: number): string {
  return Buffer.from(JSON.stringify([value, id])).toString('base64url');
}

function decodeCursor(value: string): [CursorValue, number] | undefined {
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

const osloDay = (date: string) => sql`(${date}::date::timestamp AT TIME ZONE 'Europe/Oslo')`;
const osloNextDay = (date: string) => sql`((${date}::date + 1)::timestamp AT TIME ZONE 'Europe/Oslo')`;
const tsquery = (q: string) => sql`websearch_to_tsquery('norwegian', ${q})`;

function filteredCases(db: Db, viewer: Viewer, filter: ListFilter) {
  let query = summarisedCases(db, viewer);
  // A customer acts for one agency at a time and every grant they hold is inside it; saying so lets the
  // planner walk the per-agency indexes in the requested order.
  if (viewer.agencyId !== null) query = query.where('cases.agency_id', '=', viewer.agencyId);
  if (filter.queue) query = inQueue(query, filter.queue, viewer);
  else if (filter.scope === 'mine') {
    // "Mine" includes what was sent as one of the viewer's shared mailboxes: its members share those cases.
    const mailboxIds = activeMailboxes(viewer).map((m) => m.id);
    query =
      mailboxIds.length === 0
        ? query.where('cases.requester_id', '=', viewer.userId)
        : query.where((eb) =>
            eb.or([eb('cases.requester_id', '=', viewer.userId), eb('cases.shared_mailbox_id', 'in', mailboxIds)]),
          );
  }
  if (filter.number) query = query.where('cases.number', 'like', containsPattern(filter.number));
  if (filter.title) query = query.where('cases.title', 'ilike', containsPattern(filter.title));
  if (filter.requester) query = query.where('cases.requester_name', 'ilike', containsPattern(filter.requester));
  if (filter.status.length > 0) query = query.where('cases.status', 'in', filter.status);
  if (filter.area.length > 0) query = query.where('areas.code', 'in', filter.area);
  if (filter.form.length > 0) query = query.where('cases.form_id', 'in', filter.form);
  if (filter.category.length > 0) query = query.where('cases.category_id', 'in', filter.category);
  if (filter.channel.length > 0) query = query.where('cases.channel', 'in', filter.channel);
  if (filter.group.length > 0) query = query.where('cases.group_id', 'in', filter.group);
  if (filter.agency.length > 0) query = query.where('cases.agency_id', 'in', filter.agency);
  if (isIsoDate(filter.createdFrom))
    query = query.where(sql<boolean>`cases.created_at >= ${osloDay(filter.createdFrom)}`);
  if (isIsoDate(filter.createdTo))
    query = query.where(sql<boolean>`cases.created_at < ${osloNextDay(filter.createdTo)}`);
  if (isIsoDate(filter.updatedFrom))
    query = query.where(sql<boolean>`cases.updated_at >= ${osloDay(filter.updatedFrom)}`);
  if (isIsoDate(filter.updatedTo))
    query = query.where(sql<boolean>`cases.updated_at < ${osloNextDay(filter.updatedTo)}`);
  const key = sortKeys[filter.sort].key();
  return query.select([...caseSummary, key.as('sort_value')]);
}

/** The names of the columns a list row has, in the order filteredCases selects them. */
const listColumnNames = [
  'id',
  'number',
  'title',
  'status',
  'channel',
  'created_at',
  'updated_at',
  'due_at',
  'area_nb',
  'area_en',
  'requester',
  'agency',
  'form_nb',
  'form_en',
  'category_nb',
  'category_en',
  'group_nb',
  'group_en',
  'assignee',
  'sla_paused_at',
  'sort_value',
] as const;

type Filtered = ReturnType<typeof filteredCases>;

const waiting = ['awaiting_customer', 'postponed'];

/** The condition of each queue, also used for the counts and the reports. */
export function queueCondition(eb: ExpressionBuilder<DB, 'cases'>, queue: Queue, viewer: Viewer): Expression<SqlBool> {
  const open = eb('cases.status', '<>', 'closed');
  const groups = viewer.groupIds.length > 0 ? eb('cases.group_id', 'in', viewer.groupIds) : sql<SqlBool>`false`;
  const ticking = eb.and([open, eb('cases.status', 'not in', waiting)]);
  switch (queue) {
    case 'unassigned':
      return eb.and([open, groups, eb('cases.assignee_id', 'is', null)]);
    case 'unlinked':
      // Mail from unknown senders, waiting to be linked to a customer.
      return eb.and([open, eb('cases.requester_id', 'is', null)]);
    case 'mine':
      return eb.and([open, eb('cases.assignee_id', '=', viewer.userId)]);
    case 'groups':
      return eb.and([open, groups]);
    case 'due_today':
      return eb.and([
        ticking,
        eb('cases.due_at', '>=', sql<Date>`now()`),
        eb('cases.due_at', '<', endOfOsloDay(osloDateOf(new Date()))),
      ]);
    case 'overdue':
      return eb.and([ticking, eb('cases.due_at', '<', sql<Date>`now()`)]);
    case 'at_risk':
      // Less than a day left on a running clock.
      return eb.and([
        ticking,
        eb('cases.due_at', '>=', sql<Date>`now()`),
        eb('cases.due_at', '<', sql<Date>`now() + interval '1 day'`),
      ]);
    case 'awaiting':
      return eb('cases.status', '=', 'awaiting_customer');
    case 'postponed':
      return eb('cases.status', '=', 'postponed');
    case 'all':
      return sql<SqlBool>`true`;
  }
}

function inQueue<Q extends SelectQueryBuilder<DB, 'cases', object>>(query: Q, queue: Queue, viewer: Viewer): Q {
  return query.where((eb) => queueCondition(eb as unknown as ExpressionBuilder<DB, 'cases'>, queue, viewer)) as Q;
}

/** How many cases each queue holds now, for the queue tabs. */
export async function queueCounts(db: Db, viewer: Viewer): Promise<Record<Queue, number>> {
  const row = await visibleCases(db, viewer)
    .select((eb) =>
      queues.map((queue) =>
        eb.fn
          .countAll<number>()
          .filterWhere(queueCondition(eb, queue, viewer))
          .as(queue),
      ),
    )
    .executeTakeFirstOrThrow();
  return Object.fromEntries(queues.map((queue) => [queue, Number((row as Record<string, unknown>)[queue])])) as Record<
    Queue,
    number
  >;
}
export type CaseListRow = Awaited<ReturnType<Filtered['execute']>>[number];

function ordered(query: Filtered, filter: ListFilter) {
  const { key, type } = sortKeys[filter.sort];
  const dir = filter.dir === 'asc' ? sql`asc` : sql`desc`;
  let result = query.orderBy(sql`${key()} ${dir}`).orderBy(sql`cases.id ${dir}`);
  const cursor = filter.after ? decodeCursor(filter.after) : undefined;
  if (cursor) {
    const [value, id] = cursor;
    const comparison = filter.dir === 'asc' ? sql`>` : sql`<`;
    result = result.where(sql<boolean>`(${key()}, cases.id) ${comparison} (${value}::${sql.raw(type)}, ${id}::bigint)`);
  }
  return result;
}

/** The query for one page of a list without a search, for the list and for measuring the SQL alone. */
export function casePageQuery(db: Db, viewer: Viewer, filter: ListFilter) {
  return ordered(filteredCases(db, viewer, filter), filter).limit(pageSize + 1);
}

/** How many rows of the sort order a search tests one by one before it asks the text index instead. */
const searchWalkRows = 3000;

/**
 * One page of a search. Plain full-text search is slow at both ends: a common word matches a quarter
 * of all cases, and ordering them all costs most of a second; a word that matches nothing sends the
 * planner down the date index looking for it to the very end. So: first walk the first rows of the
 * sort order and test each (a common word fills a page within a few hundred rows); only when that
 * does not fill a page, ask the GIN index for the matching ids, which are then few, and sort those.
 */
async function searchPage(db: Db, viewer: Viewer, filter: ListFilter): Promise<CaseListRow[]> {
  const query = tsquery(filter.q);
  const dir = filter.dir === 'asc' ? sql`asc` : sql`desc`;
  const walk = ordered(filteredCases(db, viewer, filter).select('cases.search'), filter).limit(searchWalkRows);
  const walked = await db
    .selectFrom(walk.as('walk'))
    .select(listColumnNames.map((column) => `walk.${column}` as const))
    .where(sql<boolean>`walk.search @@ ${query}`)
    .orderBy(sql`walk.sort_value ${dir}`)
    .orderBy(sql`walk.id ${dir}`)
    .limit(pageSize + 1)
    .execute();
  if (walked.length > pageSize) return walked;
  const matches = await filteredCases(db, viewer, filter)
    .clearSelect()
    .select('cases.id')
    .where(sql<boolean>`cases.search @@ ${query}`)
    .execute();
  if (matches.length === 0) return [];
  const ids = matches.map((row) => row.id);
  return ordered(filteredCases(db, viewer, filter).where(sql<boolean>`cases.id = any(${ids}::bigint[])`), filter)
    .limit(pageSize + 1)
    .execute();
}

export async function listCases(db: Db, viewer: Viewer, filter: ListFilter) {
  const rows = filter.q ? await searchPage(db, viewer, filter) : await casePageQuery(db, viewer, filter).execute();
  const last = rows.length > pageSize ? rows[pageSize - 1] : undefined;
  const cursorValue = (row: CaseListRow): CursorValue => {
    const value = row.sort_value;
    return value instanceof Date ? value.toISOString() : typeof value === 'number' ? value : String(value);
  };
  return { cases: rows.slice(0, pageSize), next: last ? encodeCursor(cursorValue(last), last.id) : undefined };
}

/** Every row of the filtered, sorted list, streamed in batches for the export. */
export async function* streamCases(db: Db, viewer: Viewer, filter: ListFilter): AsyncGenerator<CaseListRow> {
  // Without a row limit the planner collects a search's matches through the text index by itself.
  const whole = { ...filter, after: '' };
  let query = filteredCases(db, viewer, whole);
  if (whole.q) query = query.where(sql<boolean>`cases.search @@ ${tsquery(whole.q)}`);
  yield* ordered(query, whole).stream(1000);
}

/**
 * Service-level state of the open cases a viewer sees, for the workspace and for reports: those past
 * their deadline, and those with less than a day left. Stopped clocks count in neither.
 */
export async function serviceLevelCounts(db: Db, viewer: Viewer): Promise<{ breached: number; atRisk: number }> {
  const row = await visibleCases(db, viewer)
    .where('cases.status', 'not in', ['closed', ...waiting])
    .select((eb) => [
      eb.fn
        .countAll<number>()
        .filterWhere(queueCondition(eb, 'overdue', viewer))
        .as('breached'),
      eb.fn
        .countAll<number>()
        .filterWhere(queueCondition(eb, 'at_risk', viewer))
        .as('atRisk'),
    ])
    .executeTakeFirstOrThrow();
  return { breached: Number(row.breached), atRisk: Number(row.atRisk) };
}

/** The columns a user chose for their case list, as stored (unchecked). */
export async function savedColumns(db: Db, userId: number): Promise<string[]> {
  const row = await db.selectFrom('users').select('case_list_columns').where('id', '=', userId).executeTakeFirst();
  return row?.case_list_columns ?? [];
}

export async function saveColumns(db: Db, userId: number, columns: readonly ListColumn[]): Promise<void> {
  await db
    .updateTable('users')
    .set({ case_list_columns: [...columns] })
    .where('id', '=', userId)
    .execute();
}
