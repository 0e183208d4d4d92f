// Reports: the centre's dashboard for caseworkers and admins, the agency's own report for its authorised
// staff, the Excel export of either, and subscriptions to have them mailed on a schedule.
import { type Problems, idParams } from '../web/input.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/index.js';
import type { Viewer } from '../auth/viewer.js';
import { requireViewer } from '../auth/guards.js';
import { HttpError, notFound } from '../web/errors.js';
import { parseReportQuery, reportChoices, reportQueryString, type ReportKind, type ReportQuery } from './filter.js';
import { reportFigures } from './queries.js';
import { present, type LinkParams } from './present.js';
import { reportWorkbook } from './export.js';
import { reportKindFor, subscribe, subscriptionsOf, unsubscribe } from './subscriptions.js';
import { defaultSchedule, frequencies } from './schedule.js';

/** The dashboard's figures link to the workspace's case list with the same filters. */
function caseListLink(params: LinkParams): string {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) for (const one of [value].flat()) query.append(name, one);
  return `/work?${query.toString()}`;
}

function reportKind(viewer: Viewer): ReportKind {
  const kind = reportKindFor(viewer);
  if (!kind) throw new HttpError(403, 'forbidden');
  return kind;
}

/** The parsed report of a request: its filters, and its figures when the filters hold. */
async function reportFor(db: Db, request: FastifyRequest<{ Querystring: ReportQuery }>) {
  const viewer = requireViewer(request.viewer);
  const kind = reportKind(viewer);
  const choices = await reportChoices(db, viewer, kind);
  const { filter, problems } = parseReportQuery(request.query, choices);
  if (Object.keys(problems).length > 0) return { viewer, kind, choices, filter, problems, report: undefined };
  const figures = await reportFigures(db, { kind, viewer }, filter);
  const report = present(
    figures,
    filter,
    choices,
    request.t,
    request.language,
    kind === 'centre' ? caseListLink : () => undefined,
  );
  return { viewer, kind, choices, filter, problems, report };
}

const weekdays = [1, 2, 3, 4, 5, 6, 7];

export async function reportRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.get<{ Querystring: ReportQuery }>('/reports', async (request, reply) => {
    const { kind, choices, filter, problems, report } = await reportFor(db, request);
    const data = {
      kind,
      choices,
      filter,
      problems,
      report,
      queryString: reportQueryString(filter, choices),
      schedule: defaultSchedule,
      frequencies,
      weekdays,
    };
    return reply.render({ page: 'reports/index', fragment: 'reports/_report' }, data, report ? 200 : 422);
  });

  app.get<{ Querystring: ReportQuery }>('/reports/export.xlsx', async (request, reply) => {
    const { viewer, kind, filter, report } = await reportFor(db, request);
    if (!report) throw new HttpError(422, 'invalid_filter');
    await request.audit(db, {
      action: 'report.export',
      objectType: 'report',
      agencyId: kind === 'agency' ? viewer.agencyId : null,
      details: { report: kind, query: request.url.split('?')[1] ?? '' },
    });
    const workbook = await reportWorkbook(report, request.t(`reports.title.${kind}`), request.t);
    return reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', `attachment; filename="rapport-${filter.from}-${filter.to}.xlsx"`)
      .header('cache-control', 'no-store')
      .send(workbook);
  });

  const subscriptionsPage = async (
    reply: FastifyReply,
    viewer: Viewer,
    problems: Problems,
    values: Record<string, string>,
    status: number,
  ) => {
    const subscriptions = await subscriptionsOf(db, viewer, reply.request.language);
    return reply.render(
      { page: 'reports/subscriptions' },
      { subscriptions, problems, values, frequencies, weekdays, kind: reportKindFor(viewer) },
      status,
    );
  };

  app.get('/reports/subscriptions', async (request, reply) => {
    const viewer = requireViewer(request.viewer);
    reportKind(viewer);
    return subscriptionsPage(reply, viewer, {}, {}, 200);
  });

  app.post<{ Body: Record<string, string | string[] | undefined> | undefined }>(
    '/reports/subscriptions',
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      reportKind(viewer);
      const body = request.body ?? {};
      const text = (name: string) => {
        const value = body[name];
        return typeof value === 'string' ? value.trim() : '';
      };
      const values = {
        area: text('area'),
        group: text('group'),
        agency: text('agency'),
        frequency: text('frequency'),
        weekday: text('weekday'),
        time: text('time'),
      };
      const result = await subscribe(
        db,
        viewer,
        {
          filters: { area: values.area, group: values.group, agency: values.agency },
          frequency: values.frequency,
          weekday: values.weekday,
          time: values.time,
        },
        request.audit,
      );
      if ('problems' in result) return subscriptionsPage(reply, viewer, result.problems, values, 422);
      request.session.set('flash', 'reports.subscriptions.created');
      return reply.redirect('/reports/subscriptions', 303);
    },
  );

  app.post<{ Params: { id: string } }>(
    '/reports/subscriptions/:id/removal',
    { schema: { params: idParams } },
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      if (!(await unsubscribe(db, viewer, Number(request.params.id), request.audit))) throw notFound();
      request.session.set('flash', 'reports.subscriptions.removed');
      return reply.redirect('/reports/subscriptions', 303);
    },
  );
}
