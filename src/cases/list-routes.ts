// The case list page, its column chooser and its Excel export: the same URL query drives all three.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/index.js';
import { requirePermission, requireViewer, can } from '../auth/guards.js';
import { safeReturnPath } from '../web/render.js';
import { HttpError } from '../web/errors.js';
import { defaultColumns, listCases, listChoices, listColumns, listQueryString, parseListQuery, seesBeyondOwnCases, channels, type ListColumn, type ListQuery } from './list.js';
import { statuses } from './queries.js';
import { exportCases } from './export.js';

export async function userColumns(db: Db, userId: number): Promise<ListColumn[]> {
  const row = await db.selectFrom('users').select('case_list_columns').where('id', '=', userId).executeTakeFirst();
  const chosen = (row?.case_list_columns ?? []).filter((c): c is ListColumn => (listColumns as readonly string[]).includes(c));
  return chosen.length > 0 ? listColumns.filter((c) => chosen.includes(c)) : [...defaultColumns];
}

export async function caseListRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.get<{ Querystring: ListQuery }>('/cases', async (request, reply) => {
    const viewer = requireViewer(request.viewer);
    if (!can(viewer, 'case.list') && can(viewer, 'work.view')) return reply.redirect('/work', 303);
    requirePermission(viewer, 'case.list');
    const choices = await listChoices(db);
    const { filter, problems } = parseListQuery(request.query, viewer, choices);
    const invalid = Object.keys(problems).length > 0;
    const [columns, page] = await Promise.all([userColumns(db, viewer.userId), invalid ? { cases: [], next: undefined } : listCases(db, viewer, filter)]);
    return reply.render(
      { page: 'cases/index', fragment: 'cases/_list' },
      {
        ...page,
        filter,
        problems,
        columns,
        allColumns: listColumns,
        ...choices,
        statuses,
        channels,
        showScope: seesBeyondOwnCases(viewer),
        queryString: (overrides = {}) => listQueryString(filter, overrides),
      },
      invalid ? 422 : 200,
    );
  });

  app.post<{ Body: { columns?: string | string[]; returnTo?: string } }>(
    '/cases/columns',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            columns: { anyOf: [{ type: 'string', maxLength: 20 }, { type: 'array', maxItems: 20, items: { type: 'string', maxLength: 20 } }] },
            returnTo: { type: 'string', maxLength: 2000 },
          },
        },
      },
    },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'case.list');
      const raw = request.body.columns;
      const chosen = (raw === undefined ? [] : Array.isArray(raw) ? raw : [raw]);
      const unknown = chosen.filter((c) => !(listColumns as readonly string[]).includes(c));
      const returnTo = safeReturnPath(request.body.returnTo, '/cases');
      if (unknown.length > 0 || chosen.length === 0) {
        request.session.set('flash', chosen.length === 0 ? 'cases.list.columns.noneChosen' : 'cases.list.columns.unknown');
        return reply.redirect(returnTo.startsWith('/cases') ? returnTo : '/cases', 303);
      }
      // The number is always shown: it is the link to the case.
      const columns = listColumns.filter((c) => c === 'number' || chosen.includes(c));
      await db.updateTable('users').set({ case_list_columns: columns }).where('id', '=', viewer.userId).execute();
      request.session.set('flash', 'cases.list.columns.saved');
      return reply.redirect(returnTo.startsWith('/cases') ? returnTo : '/cases', 303);
    },
  );

  app.get<{ Querystring: ListQuery }>('/cases/export.xlsx', async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'case.list');
    const { filter, problems } = parseListQuery({ ...request.query, after: undefined }, viewer, await listChoices(db));
    if (Object.keys(problems).length > 0) throw new HttpError(422, 'invalid_filter');
    const columns = await userColumns(db, viewer.userId);
    return exportCases(reply, db, viewer, filter, columns, request.t, request.language);
  });
}
