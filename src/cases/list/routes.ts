// The case list page, its column chooser and its Excel export: the same URL query drives all three.
import { saveColumns } from './service.js';
import { countCap, countCases, listCases } from './queries.js';
import { listChoices } from './choices.js';
import {
  firstDirection,
  pageSize,
  defaultColumns,
  defaultStaffColumns,
  staffColumns,
  listColumns,
  parseListQuery,
  seesBeyondOwnCases,
  usesColumnFilters,
  channels,
  type ListColumn,
  type ListFilter,
  type ListQuery,
} from './filter.js';
import { listQueryString } from './links.js';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.js';
import type { Viewer } from '../../auth/viewer.js';
import { can, isCentreStaff, requirePermission, requireViewer } from '../../auth/guards.js';
import { isPartialRequest, safeReturnPath } from '../../web/render.js';
import { mergeData } from '../../web/template-data.js';
import { HttpError } from '../../web/errors.js';
import { statuses } from '../queries.js';
import { exportCases, exportSlots } from './export.js';

/** The columns a viewer may choose: staff also see agency, group, assignee and time left. */
export function choosableColumns(viewer: Viewer): ListColumn[] {
  return isCentreStaff(viewer) ? [...listColumns] : listColumns.filter((c) => !staffColumns.includes(c));
}

export function userColumns(viewer: Viewer): ListColumn[] {
  const allowed = choosableColumns(viewer);
  const chosen = viewer.caseListColumns.filter((c): c is ListColumn => (allowed as string[]).includes(c));
  if (chosen.length > 0) return allowed.filter((c) => chosen.includes(c));
  return [...(isCentreStaff(viewer) ? defaultStaffColumns : defaultColumns)];
}

/**
 * One page of a case list, for the customer's list and the workspace's queues alike: the parsed URL,
 * the viewer's columns and the rows; problems with the URL answer 422 with no rows.
 */
export async function caseListPage(
  db: Db,
  viewer: Viewer,
  query: ListQuery,
  basePath: '/cases' | '/work',
  knownTotal: (filter: ListFilter) => Promise<number> | undefined = () => undefined,
) {
  const choices = await listChoices(db);
  // The workspace opens on the deadline, overdue first: the cases that need someone now come first.
  const sorted =
    basePath === '/work' && (query.sort === undefined || query.sort === '') ? { ...query, sort: 'due' } : query;
  const { filter, problems } = parseListQuery(sorted, viewer, choices);
  const invalid = Object.keys(problems).length > 0;
  const columns = userColumns(viewer);
  // A figure the caller already has (a queue's tab) is exact; otherwise the list is counted up to a cap,
  // in the page's own statement; a first page that is not full holds the whole list.
  const known = invalid ? undefined : knownTotal(filter);
  // Handled at once: when the page's query fails first, or the page is whole, it is never awaited, and an
  // unhandled rejection would end the process.
  known?.catch(() => undefined);
  const page = invalid
    ? { cases: [], next: undefined, previous: undefined, total: 0 }
    : await listCases(db, viewer, filter, pageSize, { count: known === undefined, columns });
  const whole = !filter.after && !filter.before && !page.next;
  const total = whole ? page.cases.length : ((await known) ?? page.total ?? (await countCases(db, viewer, filter)));
  return {
    status: invalid ? 422 : 200,
    // Merged, not spread: see src/web/template-data.ts.
    data: mergeData(page, choices, {
      total,
      countCap: known ? Number.POSITIVE_INFINITY : countCap,
      filter,
      problems,
      columns,
      allColumns: choosableColumns(viewer),
      statuses,
      channels,
      basePath,
      showScope: basePath === '/cases' && seesBeyondOwnCases(viewer),
      // The column filters in the page itself: without JavaScript they are a link away (see /cases/filters).
      allFilters: query.filters === 'all',
      columnFiltered: usesColumnFilters(filter),
      // Bound, not a closure named anew by tsx for every request (see the note in filter.ts).
      queryString: listQueryString.bind(undefined, filter),
      firstDirection,
    }),
  };
}

/** Where the column chooser returns to: a list (the case list or a queue), never anywhere else. */
function listReturnPath(returnTo: string | undefined, viewer: Viewer): string {
  const fallback = isCentreStaff(viewer) ? '/work' : '/cases';
  const path = safeReturnPath(returnTo, fallback);
  return path.startsWith('/cases') || path.startsWith('/work') ? path : fallback;
}

export async function caseListRoutes(app: FastifyInstance, { db, exportsAtOnce }: { db: Db; exportsAtOnce: number }) {
  const slots = exportSlots(exportsAtOnce);
  app.get<{ Querystring: ListQuery }>('/cases', async (request, reply) => {
    const viewer = requireViewer(request.viewer);
    if (!can(viewer, 'case.list') && can(viewer, 'work.view')) return reply.redirect('/work', 303);
    requirePermission(viewer, 'case.list');
    const { data, status } = await caseListPage(db, viewer, request.query, '/cases');
    return reply.render({ page: 'cases/index', fragment: 'cases/_list' }, data, status);
  });

  // The column filters, fetched by htmx when the closed "filter on columns" panel is opened; opened
  // without htmx (a link), the list itself with every filter shown.
  app.get<{ Querystring: ListQuery }>('/cases/filters', async (request, reply) => {
    const viewer = requireViewer(request.viewer);
    if (!can(viewer, 'case.list') && !can(viewer, 'work.view')) throw new HttpError(403, 'forbidden');
    const choices = await listChoices(db);
    const { filter, problems } = parseListQuery(
      { ...request.query, after: undefined, before: undefined },
      viewer,
      choices,
    );
    const basePath = filter.queue ? '/work' : '/cases';
    if (!isPartialRequest(request)) return reply.redirect(`${basePath}?${listQueryString(filter)}&filters=all`, 303);
    return reply.render(
      { page: 'cases/_more-filters' },
      { ...choices, filter, problems, statuses, channels, basePath },
    );
  });

  // The column chooser: htmx fetches the form when its panel is opened; without htmx it is a page.
  app.get<{ Querystring: { returnTo?: string } }>(
    '/cases/columns',
    { schema: { querystring: { type: 'object', properties: { returnTo: { type: 'string', maxLength: 2000 } } } } },
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      if (!can(viewer, 'case.list') && !can(viewer, 'work.view')) throw new HttpError(403, 'forbidden');
      const data = {
        returnTo: listReturnPath(request.query.returnTo, viewer),
        columns: userColumns(viewer),
        allColumns: choosableColumns(viewer),
      };
      return reply.render({ page: 'cases/columns', fragment: 'cases/_columns-form' }, data);
    },
  );

  app.post<{ Body: { columns?: string | string[]; returnTo?: string } }>(
    '/cases/columns',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            columns: {
              anyOf: [
                { type: 'string', maxLength: 20 },
                { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 20 } },
              ],
            },
            returnTo: { type: 'string', maxLength: 2000 },
          },
        },
      },
    },
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      if (!can(viewer, 'case.list') && !can(viewer, 'work.view')) throw new HttpError(403, 'forbidden');
      const raw = request.body.columns;
      const chosen = raw === undefined ? [] : Array.isArray(raw) ? raw : [raw];
      const allowed: string[] = choosableColumns(viewer);
      const unknown = chosen.filter((c) => !allowed.includes(c));
      const back = listReturnPath(request.body.returnTo, viewer);
      if (unknown.length > 0 || chosen.length === 0) {
        request.session.set(
          'flash',
          chosen.length === 0 ? 'cases.list.columns.noneChosen' : 'cases.list.columns.unknown',
        );
        return reply.redirect(back, 303);
      }
      // The number is always shown: it is the link to the case.
      const columns = listColumns.filter((c) => c === 'number' || (chosen.includes(c) && allowed.includes(c)));
      await saveColumns(db, viewer.userId, columns);
      request.session.set('flash', 'cases.list.columns.saved');
      return reply.redirect(back, 303);
    },
  );

  app.get<{ Querystring: ListQuery }>('/cases/export.xlsx', async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'case.list');
    const { filter, problems } = parseListQuery(
      { ...request.query, after: undefined, before: undefined },
      viewer,
      await listChoices(db),
    );
    if (Object.keys(problems).length > 0) throw new HttpError(422, 'invalid_filter');
    const columns = userColumns(viewer);
    const release = slots.take();
    if (!release) throw new HttpError(503, 'exports_busy', 'errors.exportsBusy');
    try {
      await request.audit(db, {
        action: 'cases.export',
        objectType: 'case_list',
        agencyId: viewer.agencyId,
        details: { query: request.url.split('?')[1] ?? '' },
      });
    } catch (error) {
      release();
      throw error;
    }
    return exportCases(reply, db, viewer, filter, columns, request.t, request.language, release);
  });
}
