// The caseworker workspace: queues over the same list as the customer's (filters, sorting, columns,
// keyset pages, all in the URL), with time left on each case and bulk actions.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/index.js';
import type { Viewer } from '../auth/viewer.js';
import { requirePermission } from '../auth/guards.js';
import { safeReturnPath } from '../web/render.js';
import { statuses, type CaseStatus } from '../cases/queries.js';
import { channels, listCases, listChoices, listColumns, listQueryString, parseListQuery, queueCounts, queues, type CaseListRow, type ListQuery } from '../cases/list.js';
import { userColumns } from '../cases/list-routes.js';
import { assignCase, replyToCase, type VerbContext } from '../cases/service.js';
import { loadCalendar, workingDayMs, workingTimeBetween } from '../sla/calendar.js';
import type { AttachmentLimits } from '../attachments/files.js';

/** Statuses a bulk action may set: the others need a message to the customer. */
const bulkStatuses: readonly CaseStatus[] = ['active', 'in_progress', 'awaiting_customer'];

export async function workRoutes(app: FastifyInstance, { db, publicUrl, limits }: { db: Db; publicUrl: URL; limits: AttachmentLimits }) {
  app.get<{ Querystring: ListQuery }>('/work', async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'work.view');
    const choices = await listChoices(db);
    const { filter, problems } = parseListQuery(request.query, viewer, choices);
    const invalid = Object.keys(problems).length > 0;
    const [columns, page, counts, calendar] = await Promise.all([
      userColumns(db, viewer),
      invalid ? { cases: [], next: undefined } : listCases(db, viewer, filter),
      queueCounts(db, viewer),
      loadCalendar(db),
    ]);
    const now = new Date();
    // Time left in working time; a stopped clock says so instead.
    const timeLeft = (row: CaseListRow) => {
      if (row.sla_paused_at) return { state: 'paused', text: request.t('work.timeLeft.paused') };
      const overdue = row.due_at.getTime() < now.getTime();
      const ms = overdue ? workingTimeBetween(calendar, row.due_at, now) : workingTimeBetween(calendar, now, row.due_at);
      const days = Math.floor(ms / workingDayMs);
      const hours = Math.floor((ms % workingDayMs) / 3_600_000);
      const time = days > 0 ? `${request.t('work.timeLeft.days', { n: days })} ${request.t('work.timeLeft.hours', { n: hours })}` : request.t('work.timeLeft.hours', { n: hours });
      const state = overdue ? 'overdue' : ms < workingDayMs / 2 ? 'soon' : 'ok';
      return { state, text: request.t(overdue ? 'work.timeLeft.overdue' : 'work.timeLeft.left', { time }) };
    };
    return reply.render(
      { page: 'work/index', fragment: 'cases/_list' },
      {
        ...page,
        filter,
        problems,
        columns,
        allColumns: listColumns,
        ...choices,
        statuses,
        channels,
        queues,
        counts,
        bulk: true,
        bulkStatuses,
        basePath: '/work',
        showScope: false,
        timeLeft,
        queryString: (overrides = {}) => listQueryString(filter, overrides),
      },
      invalid ? 422 : 200,
    );
  });

  app.post<{ Body: { case?: string | string[]; action?: string; status?: string; returnTo?: string } }>(
    '/work/bulk',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            case: { anyOf: [{ type: 'string', maxLength: 20 }, { type: 'array', maxItems: 200, items: { type: 'string', maxLength: 20 } }] },
            action: { type: 'string', enum: ['take', 'status'] },
            status: { type: 'string', maxLength: 30 },
            returnTo: { type: 'string', maxLength: 2000 },
          },
        },
      },
    },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'work.view');
      const returnTo = safeReturnPath(request.body.returnTo, '/work');
      const back = returnTo.startsWith('/work') ? returnTo : '/work';
      const numbers = [request.body.case ?? []].flat().filter((n) => /^\d{4}-\d{6,}$/.test(n));
      if (numbers.length === 0) {
        request.session.set('flash', 'work.errors.bulkNothing');
        return reply.redirect(back, 303);
      }
      const status = request.body.status as CaseStatus | undefined;
      if (request.body.action === 'status' && (!status || !bulkStatuses.includes(status))) {
        request.session.set('flash', 'work.errors.bulkStatus');
        return reply.redirect(back, 303);
      }
      const context: VerbContext = { publicUrl, language: request.language, limits };
      let done = 0;
      for (const number of numbers) {
        if (await bulkOne(db, viewer, number, request.body.action === 'status' ? { status: status! } : { take: true }, context)) done += 1;
      }
      request.session.set('flash', { key: 'work.bulk.done', params: { count: String(done) } });
      return reply.redirect(back, 303);
    },
  );
}

/** One case of a bulk action; a case the viewer may not work on (or that refuses the change) is skipped. */
async function bulkOne(db: Db, viewer: Viewer, number: string, action: { status: CaseStatus } | { take: true }, context: VerbContext): Promise<boolean> {
  try {
    if ('take' in action) {
      const current = await db.selectFrom('cases').select('group_id').where('number', '=', number).executeTakeFirst();
      const result = await assignCase(db, viewer, number, { groupId: current?.group_id ?? null, assigneeId: viewer.userId, version: undefined });
      return !('problems' in result);
    }
    const result = await replyToCase(db, viewer, number, { body: '', uploads: [], kind: 'answer', status: action.status }, context);
    return !('problems' in result);
  } catch {
    return false;
  }
}
