// /admin/reporting: the report types agencies deliver, each with its settings and its layout (edited
// into a new version; adding and removing columns works without JavaScript), and the calendars.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { requirePermission } from '../../auth/guards.js';
import type { Db } from '../../db/index.js';
import { notFound } from '../../web/errors.js';
import { idParams, type Problems } from '../../web/input.js';
import { osloDay } from '../../sla/calendar.js';
import { columnTypes, type Layout } from '../../reporting/layout.js';
import { deadlineRules, periodKinds } from '../../reporting/periods.js';
import {
  agencyChoices,
  areaChoices,
  calendarOfYear,
  chosenAgencies,
  reportTypeById,
  reportTypeList,
} from './queries.js';
import {
  checkLayout,
  checkSettings,
  createType,
  readCalendar,
  readLayout,
  readSettings,
  saveCalendar,
  saveLayout,
  saveSettings,
  type TypeSettings,
} from './service.js';

type Body = Record<string, unknown>;
const yearQuery = { type: 'object', properties: { year: { type: 'string', pattern: '^20[0-9]{2}$' } } } as const;

function settingsOf(
  type: NonNullable<Awaited<ReturnType<typeof reportTypeById>>>['type'],
  agencies: number[],
): TypeSettings {
  return {
    audience: type.audience,
    agencies,
    code: type.code,
    areaId: type.area_id,
    nameNb: type.name_nb,
    nameEn: type.name_en,
    descriptionNb: type.description_nb,
    descriptionEn: type.description_en,
    periodKind: type.period_kind,
    deadlineRule: type.deadline_rule,
    deadlineDays: String(type.deadline_days),
    reminderDays: String(type.reminder_days),
    firstPeriod: type.first_period,
    active: type.active,
  };
}

export async function reportingAdminRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const listPage = async (reply: FastifyReply, values?: TypeSettings, problems: Problems = {}, status = 200) => {
    const [types, areas, agencies] = await Promise.all([reportTypeList(db), areaChoices(db), agencyChoices(db)]);
    const year = Number(osloDay(new Date()).slice(0, 4));
    const fresh: TypeSettings = values ?? {
      ...readSettings({}),
      periodKind: 'monthly',
      deadlineRule: 'working_days',
      deadlineDays: '10',
      reminderDays: '3',
      firstPeriod: `${year}-01`,
      active: true,
      audience: 'area',
    };
    return reply.render(
      { page: 'admin/reporting' },
      { types, areas, agencies, values: fresh, problems, periodKinds, deadlineRules },
      status,
    );
  };

  app.get('/admin/reporting', async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    return listPage(reply);
  });

  app.post<{ Body: Body }>('/admin/reporting', async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'admin.view');
    const values = readSettings(request.body ?? {});
    const [areas, agencies] = await Promise.all([areaChoices(db), agencyChoices(db)]);
    const problems = checkSettings(
      values,
      areas.map((a) => a.id),
      true,
      agencies.map((a) => a.id),
    );
    if (Object.keys(problems).length > 0) return listPage(reply, values, problems, 422);
    const id = await createType(db, request.audit, values, viewer.userId);
    if (id === undefined) return listPage(reply, values, { code: { key: 'admin.reporting.errors.codeTaken' } }, 422);
    request.session.set('flash', 'admin.saved');
    return reply.redirect(`/admin/reporting/${id}`, 303);
  });

  const typePage = async (
    reply: FastifyReply,
    id: number,
    state: { values?: TypeSettings; layout?: Layout; problems?: Problems; layoutProblems?: Problems } = {},
    status = 200,
  ) => {
    const [found, areas, agencies, chosen] = await Promise.all([
      reportTypeById(db, id),
      areaChoices(db),
      agencyChoices(db),
      chosenAgencies(db, id),
    ]);
    if (!found) throw notFound();
    return reply.render(
      { page: 'admin/report-type' },
      {
        ...found,
        areas,
        agencies,
        values: state.values ?? settingsOf(found.type, chosen),
        layout: state.layout ?? found.layouts[0]!.definition,
        problems: state.problems ?? {},
        layoutProblems: state.layoutProblems ?? {},
        periodKinds,
        deadlineRules,
        columnTypes,
      },
      status,
    );
  };

  app.get<{ Params: { id: string } }>(
    '/admin/reporting/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      return typePage(reply, Number(request.params.id));
    },
  );

  app.post<{ Params: { id: string }; Body: Body }>(
    '/admin/reporting/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const id = Number(request.params.id);
      const found = await reportTypeById(db, id);
      if (!found) throw notFound();
      const values = { ...readSettings(request.body ?? {}), code: found.type.code };
      const [areas, agencies] = await Promise.all([areaChoices(db), agencyChoices(db)]);
      const problems = checkSettings(
        values,
        areas.map((a) => a.id),
        false,
        agencies.map((a) => a.id),
      );
      if (Object.keys(problems).length > 0) return typePage(reply, id, { values, problems }, 422);
      await saveSettings(db, request.audit, id, values);
      request.session.set('flash', 'admin.saved');
      return reply.redirect(`/admin/reporting/${id}`, 303);
    },
  );

  app.post<{ Params: { id: string }; Body: Body }>(
    '/admin/reporting/:id/layout',
    { schema: { params: idParams } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'admin.view');
      const id = Number(request.params.id);
      if (!(await reportTypeById(db, id))) throw notFound();
      const body = request.body ?? {};
      const { layout } = readLayout(body);
      const action = typeof body.action === 'string' ? body.action : 'save';
      if (action === 'add' && layout.columns.length < 40) {
        const columns = [
          ...layout.columns,
          { name: '', help: { nb: '', en: '' }, type: 'text' as const, required: false },
        ];
        return typePage(reply, id, { layout: { ...layout, columns } });
      }
      const remove = /^remove:(\d{1,2})$/.exec(action);
      if (remove && layout.columns.length > 1) {
        const gone = layout.columns[Number(remove[1])]?.name;
        const columns = layout.columns.filter((_, i) => i !== Number(remove[1]));
        return typePage(reply, id, {
          layout: { ...layout, columns, keys: layout.keys.filter((k) => k !== gone), example: [] },
        });
      }
      const layoutProblems = checkLayout(layout);
      if (Object.keys(layoutProblems).length > 0) return typePage(reply, id, { layout, layoutProblems }, 422);
      const version = await saveLayout(db, request.audit, id, layout, viewer.userId);
      request.session.set('flash', { key: 'admin.reporting.layoutSaved', params: { version: String(version) } });
      return reply.redirect(`/admin/reporting/${id}`, 303);
    },
  );

  app.get<{ Querystring: { year?: string } }>(
    '/admin/reporting/calendar',
    { schema: { querystring: yearQuery } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const year = Number(request.query.year ?? osloDay(new Date()).slice(0, 4));
      return reply.render(
        { page: 'admin/reporting-calendar' },
        { year, values: await calendarOfYear(db, year), problems: {} },
      );
    },
  );

  app.post<{ Querystring: { year?: string }; Body: Body }>(
    '/admin/reporting/calendar',
    { schema: { querystring: yearQuery } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const year = Number(request.query.year ?? osloDay(new Date()).slice(0, 4));
      const { rows, problems } = readCalendar(request.body ?? {}, year);
      if (Object.keys(problems).length > 0) {
        const values = Object.fromEntries(
          rows.map((r) => [`${r.calendar}_${Number(r.month.slice(5, 7))}`, r.deadline ?? '']),
        );
        return reply.render({ page: 'admin/reporting-calendar' }, { year, values, problems }, 422);
      }
      await saveCalendar(db, request.audit, year, rows);
      request.session.set('flash', 'admin.saved');
      return reply.redirect(`/admin/reporting/calendar?year=${year}`, 303);
    },
  );
}
