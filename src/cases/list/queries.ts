// The case list's reads: one filtered, keyset-paginated query over visible cases for /cases, /work,
// the export and the reports' links; queue counts and service-level counts for the workspace.
import {
  decodeCursor,
  encodeCursor,
  pageSize,
  sortKeys,
  type CursorValue,
  type ListColumn,
  type ListFilter,
} from './filter.js';
import { isIsoDate } from '../../web/input.js';
import { containsPattern } from '../../db/text-search.js';
import { sql, type AliasableExpression, type CompiledQuery, type ExpressionBuilder } from 'kysely';
import type { DB } from '../../db/schema.js';
import { ownCaseGrants, visibleCases } from '../visibility.js';
import { osloDay as osloDateOf } from '../../sla/calendar.js';
import { streamed, type Db } from '../../db/index.js';
import { type Viewer, viewerKey } from '../../auth/viewer.js';
import { summarisedCases } from '../queries.js';
import { caseNamer, pageNamer, type CaseNames } from './names.js';
import { closedRank, inQueue, runningRank } from './queue-conditions.js';
import { countKey, KeptCounts } from './kept-counts.js';
import { writesTo } from '../../db/writes.js';
import { pinnedQuery } from '../../db/pinned.js';

const osloDay = (date: string) => sql`(${date}::date::timestamp AT TIME ZONE 'Europe/Oslo')`;

const osloNextDay = (date: string) => sql`((${date}::date + 1)::timestamp AT TIME ZONE 'Europe/Oslo')`;

const tsquery = (q: string) => sql`websearch_to_tsquery('norwegian', ${q})`;

function filteredCases(db: Db, viewer: Viewer, filter: ListFilter, shown?: readonly ListColumn[]) {
  let query = summarisedCases(db, viewer);
  // A customer acts for one agency at a time and every grant they hold is inside it; saying so lets the
  // planner walk the per-agency indexes in the requested order.
  if (viewer.agencyId !== null) query = query.where('cases.agency_id', '=', viewer.agencyId);
  if (filter.queue) query = inQueue(query, filter.queue, viewer);
  else if (filter.scope === 'mine') query = query.where((eb) => eb.or(ownCaseGrants(eb, viewer)));
  if (filter.number) query = query.where('cases.number', 'like', containsPattern(filter.number));
  if (filter.title) query = query.where('cases.title', 'ilike', containsPattern(filter.title));
  if (filter.requester) query = query.where('cases.requester_name', 'ilike', containsPattern(filter.requester));
  if (filter.status.length > 0) {
    query = query.where('cases.status', 'in', filter.status);
    // Said again as the conditions of the partial indexes over open and running cases (migrations 0021,
    // 0024): sorted by due date, "active" then walks the few open cases' index, not all of them. The
    // planner knows the rank follows the status (statistics, migration 0033), so its estimates hold.
    if (!filter.status.includes('closed'))
      query = query.where((eb) =>
        eb.and([eb('cases.status', '<>', 'closed'), eb('cases.status_rank', '<', sql.lit(closedRank))]),
      );
    if (filter.status.every((s) => s === 'active' || s === 'in_progress'))
      query = query.where('cases.status_rank', '<=', sql.lit(runningRank));
  }
  if (filter.area.length > 0)
    query = query.where('cases.area_id', 'in', (eb) =>
      eb.selectFrom('areas').select('areas.id').where('areas.code', 'in', filter.area),
    );
  if (filter.form.length > 0) query = query.where('cases.form_id', 'in', filter.form);
  if (filter.category.length > 0) query = query.where('cases.category_id', 'in', filter.category);
  if (filter.channel.length > 0) query = query.where('cases.channel', 'in', filter.channel);
  if (filter.group.length > 0) query = query.where('cases.group_id', 'in', filter.group);
  if (filter.agency.length > 0) query = query.where('cases.agency_id', 'in', filter.agency);
  if (filter.priority.length > 0) query = query.where('cases.priority', 'in', filter.priority);
  if (isIsoDate(filter.createdFrom))
    query = query.where(sql<boolean>`cases.created_at >= ${osloDay(filter.createdFrom)}`);
  if (isIsoDate(filter.createdTo))
    query = query.where(sql<boolean>`cases.created_at < ${osloNextDay(filter.createdTo)}`);
  if (isIsoDate(filter.updatedFrom))
    query = query.where(sql<boolean>`cases.updated_at >= ${osloDay(filter.updatedFrom)}`);
  if (isIsoDate(filter.updatedTo))
    query = query.where(sql<boolean>`cases.updated_at < ${osloNextDay(filter.updatedTo)}`);
  return query.select((eb) => [...listedCase(eb, shown), cursorKey(filter).as('sort_value')]);
}

/**
 * A listed case's own columns; the names of what it refers to come from memory (see names.ts). A page that
 * shows some columns reads only what those need (`shown`): the rest come back null, typed as if read and
 * never shown, which spares the driver most of each row and the database the assignee's lookup.
 */
function listedCase(eb: ExpressionBuilder<DB, 'cases'>, shown?: readonly ListColumn[]) {
  const wanted = (...columns: ListColumn[]) => shown === undefined || columns.some((c) => shown.includes(c));
  const read = <T, A extends string>(alias: A, columns: ListColumn[], expression: AliasableExpression<T>) =>
    (wanted(...columns) ? expression : sql<T>`null`).as(alias);
  return [
    'cases.id',
    'cases.number',
    'cases.title',
    'cases.status',
    'cases.area_id',
    read('channel', ['channel'], eb.ref('cases.channel')),
    read('created_at', ['created'], eb.ref('cases.created_at')),
    read('updated_at', ['updated'], eb.ref('cases.updated_at')),
    read('due_at', ['due', 'timeLeft'], eb.ref('cases.due_at')),
    read('requester', ['requester'], eb.ref('cases.requester_name')),
    read('agency_id', ['agency'], eb.ref('cases.agency_id')),
    read('form_id', ['form'], eb.ref('cases.form_id')),
    read('category_id', ['category'], eb.ref('cases.category_id')),
    read('group_id', ['group'], eb.ref('cases.group_id')),
    read(
      'assignee',
      ['assignee'],
      eb.selectFrom('users').select('name').whereRef('users.id', '=', 'cases.assignee_id').$asScalar(),
    ),
    read('sla_paused_at', ['timeLeft'], eb.ref('cases.sla_paused_at')),
    read('priority', ['priority'], eb.ref('cases.priority')),
  ] as const;
}

/**
 * A row's value of the sort key as the cursor carries it. Times to the microsecond, as stored: a
 * JavaScript Date keeps milliseconds only, and a cursor cut to the millisecond would show a row twice
 * (or skip it) at a page boundary.
 */
function cursorKey(filter: ListFilter) {
  const { key, type } = sortKeys[filter.sort];
  return type === 'timestamptz' ? sql`to_char(${key()} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')` : key();
}

/**
 * The number of the case that follows this one in a list's order ("Neste sak"), or undefined at the end.
 * The case need not be in the list any more (just closed, handed on): its place in the order still is.
 */
export async function caseAfter(db: Db, viewer: Viewer, filter: ListFilter, number: string) {
  const current = await visibleCases(db, viewer)
    .select(['cases.id', cursorKey(filter).as('value')])
    .where('cases.number', '=', number)
    .executeTakeFirst();
  const after = current ? encodeCursor(current.value as CursorValue, current.id) : '';
  const [next] = await ordered(filteredCases(db, viewer, { ...filter, q: '', after }), { ...filter, after })
    .limit(1)
    .execute();
  return next?.number;
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
  'requester',
  'area_id',
  'agency_id',
  'form_id',
  'category_id',
  'group_id',
  'assignee',
  'sla_paused_at',
  'priority',
  'sort_value',
] as const;

type Filtered = ReturnType<typeof filteredCases>;

type ListedRow = Awaited<ReturnType<Filtered['execute']>>[number];
export type CaseListRow = ListedRow & CaseNames;

/** A listed row with its names, built as one object of one shape. */
async function namedRows(db: Db, rows: ListedRow[]): Promise<CaseListRow[]> {
  const name = await pageNamer(db, rows);
  return rows.map((row) => listRow(row, name(row)));
}

const listRow = (r: ListedRow, names: CaseNames): CaseListRow => ({
  id: r.id,
  number: r.number,
  title: r.title,
  status: r.status,
  channel: r.channel,
  created_at: r.created_at,
  updated_at: r.updated_at,
  due_at: r.due_at,
  requester: r.requester,
  area_id: r.area_id,
  agency_id: r.agency_id,
  form_id: r.form_id,
  category_id: r.category_id,
  group_id: r.group_id,
  assignee: r.assignee,
  sla_paused_at: r.sla_paused_at,
  priority: r.priority,
  sort_value: r.sort_value,
  // Named one by one: a spread at the end of a literal takes V8's slow path, fifty times a page.
  area_nb: names.area_nb,
  area_en: names.area_en,
  agency: names.agency,
  form_nb: names.form_nb,
  form_en: names.form_en,
  category_nb: names.category_nb,
  category_en: names.category_en,
  group_nb: names.group_nb,
  group_en: names.group_en,
});

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
export function casePageQuery(
  db: Db,
  viewer: Viewer,
  filter: ListFilter,
  size = pageSize,
  shown?: readonly ListColumn[],
) {
  return ordered(filteredCases(db, viewer, filter, shown), filter).limit(size + 1);
}

/**
 * The same page with the list's count (up to `countCap` + 1) on every row: one statement, so the count
 * costs the page no round trip of its own. The count is a subquery that refers to nothing outside it,
 * which PostgreSQL runs once.
 */
function countedPageQuery(db: Db, viewer: Viewer, filter: ListFilter, size: number, shown?: readonly ListColumn[]) {
  return casePageQuery(db, viewer, filter, size, shown).select(
    sql<string>`(${countQuery(db, viewer, filter)})`.as('total'),
  );
}

// Building and compiling a page's statement was a tenth of a list request; the same viewer (grants and
// all) asking for the same list gets the same SQL and values, so the most recently used few hundred are
// kept, and from the second use pinned (src/db/pinned.ts): each connection plans it once, not every time.
type PageRow = ListedRow & { total?: string };
// `pinned` is made at the second use, null when the statement cannot be pinned.
type KeptStatement = { compiled: CompiledQuery<PageRow>; pinned?: CompiledQuery<PageRow> | null };
const statements = new Map<string, KeptStatement>();
const keptStatements = 500;

function pageStatement(
  db: Db,
  viewer: Viewer,
  filter: ListFilter,
  size: number,
  counting: boolean,
  shown?: readonly ListColumn[],
): CompiledQuery<PageRow> {
  // "Due today" reads the end of today when built: the key carries the day.
  const day = filter.queue === 'due_today' ? osloDateOf(new Date()) : '';
  const key = `${viewerKey(viewer)}\n${JSON.stringify([filter, size, counting, shown, day])}`;
  let kept = statements.get(key);
  if (kept) {
    statements.delete(key);
    if (kept.pinned === undefined) kept.pinned = pinnedQuery(kept.compiled) ?? null;
  } else {
    const compiled = (
      counting ? countedPageQuery(db, viewer, filter, size, shown) : casePageQuery(db, viewer, filter, size, shown)
    ).compile() as CompiledQuery<PageRow>;
    kept = { compiled };
  }
  statements.set(key, kept);
  if (statements.size > keptStatements) statements.delete(statements.keys().next().value!);
  return kept.pinned ?? kept.compiled;
}

// Long lists' counts, kept while the cases do not change (see kept-counts).
const listCounts = new KeptCounts<number>(2000);

/** How many rows of the sort order a search tests one by one before it asks the text index instead. */
const searchWalkRows = 3000;

/**
 * One page of a search. Plain full-text search is slow at both ends: a common word matches a quarter
 * of all cases, and ordering them all costs most of a second; a word that matches nothing sends the
 * planner down the date index looking for it to the very end. So: first walk the first rows of the
 * sort order and test each (a common word fills a page within a few hundred rows); only when that
 * does not fill a page, ask the GIN index for the matching ids, which are then few, and sort those.
 */
async function searchPage(
  db: Db,
  viewer: Viewer,
  filter: ListFilter,
  size: number,
  shown?: readonly ListColumn[],
): Promise<ListedRow[]> {
  const query = tsquery(filter.q);
  const dir = filter.dir === 'asc' ? sql`asc` : sql`desc`;
  const walk = ordered(filteredCases(db, viewer, filter, shown).select('cases.search'), filter).limit(searchWalkRows);
  const walked = await db
    .selectFrom(walk.as('walk'))
    .select(listColumnNames.map((column) => `walk.${column}` as const))
    .where(sql<boolean>`walk.search @@ ${query}`)
    .orderBy(sql`walk.sort_value ${dir}`)
    .orderBy(sql`walk.id ${dir}`)
    .limit(size + 1)
    .execute();
  if (walked.length > size) return walked;
  const matches = await filteredCases(db, viewer, filter)
    .clearSelect()
    .select('cases.id')
    .where(sql<boolean>`cases.search @@ ${query}`)
    .execute();
  if (matches.length === 0) return [];
  const ids = matches.map((row) => row.id);
  return ordered(filteredCases(db, viewer, filter, shown).where(sql<boolean>`cases.id = any(${ids}::bigint[])`), filter)
    .limit(size + 1)
    .execute();
}

/** The cursor of a row for a page link (a module function: see the note in filter.ts on closures). */
function cursorOf(row: CaseListRow | undefined): string | undefined {
  if (!row) return undefined;
  const value = row.sort_value;
  return encodeCursor(
    value instanceof Date ? value.toISOString() : typeof value === 'number' ? value : String(value),
    row.id,
  );
}

/**
 * One page of the list: `size` rows (the pages' 50, or what an API client asks for), the next cursor, and
 * the previous one when there are rows before the page. A page before a cursor is the page after it in the
 * opposite order, turned round.
 */
export async function listCases(
  db: Db,
  viewer: Viewer,
  filter: ListFilter,
  size = pageSize,
  /** `count`: also how many cases the list holds; `columns`: only what these columns show is read. */
  options: { count?: boolean; columns?: readonly ListColumn[] } = {},
) {
  const backwards = filter.before !== '' && filter.after === '';
  const walked: ListFilter = backwards
    ? { ...filter, dir: filter.dir === 'asc' ? 'desc' : 'asc', after: filter.before, before: '' }
    : filter;
  const counting = options.count === true && !walked.q;
  // A count kept from an earlier page of the same list spares the statement its count (see kept-counts).
  const key = counting ? countKey(viewer, walked) : '';
  const kept = counting ? listCounts.get(key)?.value : undefined;
  const writes = writesTo('cases');
  const startedAt = Date.now();
  const found: PageRow[] = walked.q
    ? await searchPage(db, viewer, walked, size, options.columns)
    : (
        await db.executeQuery<PageRow>(
          pageStatement(db, viewer, walked, size, counting && kept === undefined, options.columns),
        )
      ).rows;
  const rows = await namedRows(db, found);
  const more = rows.length > size;
  const cases = rows.slice(0, size);
  if (backwards) cases.reverse();
  return {
    cases,
    next: backwards || more ? cursorOf(cases.at(-1)) : undefined,
    previous: (backwards ? more : filter.after !== '') ? cursorOf(cases[0]) : undefined,
    /** With `count`, how many cases the whole list holds, up to `countCap` + 1 (a search is counted apart). */
    total: !counting ? undefined : (kept ?? listCounts.keep(key, Number(found[0]?.total ?? 0), writes, startedAt)),
  };
}

/** Counted no further than this: past it the list says "more than". */
export const countCap = 200;

/**
 * How many cases the list holds, for "321 saker"; counting stops after `countCap` + 1, so a large agency's
 * list costs the same as a small one's.
 */
export async function countCases(db: Db, viewer: Viewer, filter: ListFilter): Promise<number> {
  return Number((await countQuery(db, viewer, filter).executeTakeFirstOrThrow()).n);
}

function countQuery(db: Db, viewer: Viewer, filter: ListFilter) {
  const whole = { ...filter, after: '', before: '' };
  // Walked in the list's own order, so the planner takes the page's index and stops at the cap; left
  // unordered it built a bitmap of every matching case first (a large agency's /cases fell to a quarter).
  let query = (filter.q ? filteredCases(db, viewer, whole) : ordered(filteredCases(db, viewer, whole), whole))
    .clearSelect()
    .select(sql<number>`1`.as('one'));
  if (filter.q) query = query.where(sql<boolean>`cases.search @@ ${tsquery(filter.q)}`);
  return db.selectFrom(query.limit(countCap + 1).as('counted')).select((eb) => eb.fn.countAll<string>().as('n'));
}

/** Every row of the filtered, sorted list, streamed in batches for the export. */
export async function* streamCases(db: Db, viewer: Viewer, filter: ListFilter): AsyncGenerator<CaseListRow> {
  // Without a row limit the planner collects a search's matches through the text index by itself.
  const whole = { ...filter, after: '', before: '' };
  const name = await caseNamer(db);
  const rows = streamed(db, (trx) => {
    const query = filteredCases(trx, viewer, whole);
    return ordered(whole.q ? query.where(sql<boolean>`cases.search @@ ${tsquery(whole.q)}`) : query, whole);
  });
  for await (const row of rows) yield listRow(row, await name(row));
}
