// The caseworker workspace: queues over the same list as the customer's (filters, sorting, columns,
// keyset pages, all in the URL), with time left on each case and bulk actions.
import { bulkStatuses, bulkUpdate, type BulkAction } from './bulk.js';
import { idString, isCaseNumber, isId, type Problems, cleanText, formBody } from '../web/input.js';
import { caseAfter, type CaseListRow } from '../cases/list/queries.js';
import { listChoices } from '../cases/list/choices.js';
import { keptQueueCounts } from '../cases/list/counts.js';
import { isWholeQueue, parseListQuery, queues, type ListFilter, type ListQuery } from '../cases/list/filter.js';
import { listQueryOf, listQueryString } from '../cases/list/links.js';
import { createCaseFor } from './service.js';
import { bodyMaxLength, titleMaxLength, type VerbContext } from '../cases/rules.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Db } from '../db/index.js';
import { caseworkerAreaIds, type Viewer } from '../auth/viewer.js';
import { can, requirePermission } from '../auth/guards.js';
import { notFound } from '../web/errors.js';
import { formCatalogue } from '../forms/queries.js';
import { caseTemplates, recentCaseTemplates } from './templates.js';
import { activeCategories, caseworkersOf, customerById, findCustomers } from './queries.js';
import { safeReturnPath } from '../web/render.js';
import { mergeData } from '../web/template-data.js';
import { formatTime, type Translate } from '../web/i18n.js';
import type { CaseStatus } from '../cases/queries.js';
import { caseListPage } from '../cases/list/routes.js';
import { clockState, loadCalendar, workingDayMs } from '../sla/calendar.js';
import type { AttachmentLimits } from '../attachments/files.js';

interface Registration {
  q: string;
  customer: string;
  area: string;
  form_code: string;
  category: string;
  channel: 'phone' | 'email';
  title: string;
  body: string;
  template: string;
}

/**
 * Time left in working time, from the service-level clock, as of `now`; a stopped clock says so instead.
 * Made by a module function: a closure named in the route would be named anew by tsx for every request
 * (see the note in src/cases/list/filter.ts).
 */
function timeLeftOf(calendar: Awaited<ReturnType<typeof loadCalendar>>, now: Date, t: Translate) {
  return (row: CaseListRow) => {
    const clock = clockState(calendar, row.due_at, row.sla_paused_at, now);
    if (clock.state === 'paused') return { state: clock.state, text: t('work.timeLeft.paused') };
    const days = Math.floor(clock.ms / workingDayMs);
    const hours = Math.floor((clock.ms % workingDayMs) / 3_600_000);
    const time =
      days > 0
        ? `${t('work.timeLeft.days', { n: days })} ${t('work.timeLeft.hours', { n: hours })}`
        : t('work.timeLeft.hours', { n: hours });
    return {
      state: clock.state,
      text: t(clock.state === 'overdue' ? 'work.timeLeft.overdue' : 'work.timeLeft.left', { time }),
    };
  };
}

export async function workRoutes(
  app: FastifyInstance,
  { db, publicUrl, limits }: { db: Db; publicUrl: URL; limits: AttachmentLimits },
) {
  app.get<{ Querystring: ListQuery }>('/work', async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'work.view');
    const counting = keptQueueCounts(db, viewer);
    // A whole queue holds what its tab counts (the same condition over the same cases), so it is not
    // counted again; the list of a staff member who also acts for an agency is narrowed to that agency.
    const [{ data, status }, { counts, countedAt }, calendar, colleagues, templates] = await Promise.all([
      caseListPage(db, viewer, request.query, '/work', (filter: ListFilter) =>
        isWholeQueue(filter) && viewer.agencyId === null
          ? counting.then(({ counts }) => counts[filter.queue])
          : undefined,
      ),
      counting,
      loadCalendar(db),
      caseworkersOf(db, caseworkerAreaIds(viewer)),
      recentCaseTemplates(db),
    ]);
    // A phone call: a case template is one click away, in the caseworker's areas.
    const caseTemplatesHere = templates.filter((template) => can(viewer, 'case.assign', { areaId: template.area_id }));
    const serviceLevels = { breached: counts.overdue, atRisk: counts.at_risk };
    // "Neste sak" on a case page follows the list the caseworker came from, in its order.
    // Written only when it changes: a changed session is a new cookie, encrypted and sent on every answer.
    const list = listQueryString(data.filter, { after: '' });
    if (status === 200 && request.session.get('workList') !== list) request.session.set('workList', list);
    return reply.render(
      { page: 'work/index', fragment: 'cases/_list' },
      mergeData(data, {
        queues,
        counts,
        countedAt: formatTime(request.language, countedAt),
        serviceLevels,
        colleagues,
        bulk: true,
        bulkStatuses,
        timeLeft: timeLeftOf(calendar, new Date(), request.t),
        caseTemplates: caseTemplatesHere,
      }),
      status,
    );
  });

  // The case after this one in the list last opened on /work (its filters and order, from the first page).
  app.get<{ Querystring: { after?: string } }>(
    '/work/next',
    { schema: { querystring: { type: 'object', properties: { after: { type: 'string', maxLength: 20 } } } } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'work.view');
      const list = request.session.get('workList') ?? 'queue=mine&sort=due&dir=asc';
      const { filter, problems } = parseListQuery(listQueryOf(list), viewer, await listChoices(db));
      const after = request.query.after ?? '';
      const next =
        Object.keys(problems).length > 0
          ? undefined
          : await caseAfter(db, viewer, filter, isCaseNumber(after) ? after : '');
      if (next) return reply.redirect(`/cases/${next}`, 303);
      request.session.set('flash', 'work.next.none');
      return reply.redirect(`/work?${list}`, 303);
    },
  );

  app.get('/work/shortcuts', async (request, reply) => {
    requirePermission(request.viewer, 'work.view');
    return reply.render({ page: 'work/shortcuts' }, {});
  });

  // Registering a case for a customer who phoned or wrote: search the customer, pick a case template or fill in.
  const registration = async (
    reply: FastifyReply,
    viewer: Viewer,
    values: Registration,
    problems: Problems,
    status: number,
  ) => {
    const [customers, templates, catalogue, categories] = await Promise.all([
      values.q.length >= 2 ? findCustomers(db, values.q) : Promise.resolve([]),
      caseTemplates(db),
      formCatalogue(db, null),
      activeCategories(db),
    ]);
    const chosen = values.customer ? await customerById(db, Number(values.customer)) : undefined;
    const areas = catalogue.filter((area) => can(viewer, 'case.assign', { areaId: area.id }));
    return reply.render(
      { page: 'work/new', fragment: 'work/_customers' },
      { values, problems, customers, chosen, templates, areas, categories, titleMaxLength, bodyMaxLength },
      status,
    );
  };

  app.get<{ Querystring: Record<string, string | undefined> }>(
    '/work/cases/new',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            q: { type: 'string', maxLength: 200 },
            customer: idString,
            template: idString,
          },
        },
      },
    },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'work.view');
      const values: Registration = {
        q: (request.query.q ?? '').trim(),
        customer: request.query.customer ?? '',
        area: '',
        form_code: '',
        category: '',
        channel: 'phone',
        title: '',
        body: '',
        template: request.query.template ?? '',
      };
      if (values.template) {
        const template = (await caseTemplates(db)).find((x) => x.id === Number(values.template));
        if (!template) throw notFound();
        Object.assign(values, {
          area: template.area,
          form_code: template.form ?? '',
          category: template.category_id ? String(template.category_id) : '',
          channel: template.channel ?? 'phone',
          title: template.title ?? '',
          body: template.body,
        });
      }
      return registration(reply, viewer, values, {}, 200);
    },
  );

  app.post<{ Body: Record<string, string | undefined> }>(
    '/work/cases',
    {
      schema: {
        body: formBody({
          q: 'short',
          customer: 'short',
          area: 'short',
          form_code: 'short',
          category: 'short',
          channel: 'short',
          title: 'short',
          body: 'long',
        }),
      },
    },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'work.view');
      const body = request.body ?? {};
      const values: Registration = {
        q: cleanText(body.q, false),
        customer: cleanText(body.customer, false),
        area: cleanText(body.area, false),
        form_code: cleanText(body.form_code, false),
        category: cleanText(body.category, false),
        channel: body.channel === 'email' ? 'email' : 'phone',
        title: cleanText(body.title, false),
        body: cleanText(body.body, true),
        template: '',
      };
      const problems: Problems = {};
      if (!isId(values.customer)) problems.customer = { key: 'work.errors.customer' };
      if (values.category !== '' && !isId(values.category)) problems.category = { key: 'work.errors.category' };
      if (!values.area) problems.area = { key: 'cases.errors.areaRequired' };
      if (Object.keys(problems).length > 0) return registration(reply, viewer, values, problems, 422);
      const result = await createCaseFor(
        db,
        viewer,
        {
          customerId: Number(values.customer),
          areaCode: values.area,
          formCode: values.form_code || null,
          categoryId: values.category ? Number(values.category) : null,
          channel: values.channel,
          title: values.title,
          body: values.body,
        },
        { publicUrl, language: request.language, limits },
      );
      if ('problems' in result) return registration(reply, viewer, values, result.problems, result.status);
      request.session.set('flash', { key: 'work.registered', params: { number: result.number } });
      return reply.redirect(`/cases/${result.number}`, 303);
    },
  );

  app.post<{
    Body: { case?: string | string[]; action?: string; status?: string; assignee_id?: string; returnTo?: string };
  }>(
    '/work/bulk',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            case: {
              anyOf: [
                { type: 'string', maxLength: 20 },
                { type: 'array', maxItems: 200, items: { type: 'string', maxLength: 20 } },
              ],
            },
            action: { type: 'string', enum: ['take', 'assign', 'status'] },
            assignee_id: idString,
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
      const numbers = [request.body.case ?? []].flat().filter(isCaseNumber);
      if (numbers.length === 0) {
        request.session.set('flash', 'work.errors.bulkNothing');
        return reply.redirect(back, 303);
      }
      const status = request.body.status as CaseStatus | undefined;
      if (request.body.action === 'status' && (!status || !bulkStatuses.includes(status))) {
        request.session.set('flash', 'work.errors.bulkStatus');
        return reply.redirect(back, 303);
      }
      const context: VerbContext = { publicUrl, language: request.language, limits, audit: request.audit };
      const action: BulkAction =
        request.body.action === 'status'
          ? { status: status! }
          : {
              assignee:
                request.body.action === 'assign' && request.body.assignee_id
                  ? Number(request.body.assignee_id)
                  : viewer.userId,
            };
      const outcome = await bulkUpdate(db, viewer, numbers, action, context);
      for (const { caseNumber, error } of outcome.failed)
        request.log.error({ err: error, caseNumber }, 'bulk action failed');
      const params = {
        count: String(outcome.done),
        skipped: String(outcome.skipped),
        failed: String(outcome.failed.length),
      };
      const key =
        outcome.failed.length > 0 ? 'work.bulk.failed' : outcome.skipped > 0 ? 'work.bulk.skipped' : 'work.bulk.done';
      request.session.set('flash', { key, params });
      return reply.redirect(back, 303);
    },
  );
}
