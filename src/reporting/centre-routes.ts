// The centre's side of periodic reporting: per report type and period, how many agencies have delivered,
// are late or are still waiting (each figure links to the agencies behind it), and a case to an agency
// about a missing or refused delivery.
import type { FastifyInstance } from 'fastify';
import { can, requirePermission } from '../auth/guards.js';
import type { Db } from '../db/index.js';
import { HttpError, notFound } from '../web/errors.js';
import { idString } from '../web/input.js';
import { centreOverview, type CentreStatus } from './overview.js';
import { parsePeriod, periodLabel } from './periods.js';
import { agencyRejections, reportTypeFor, reportTypesFor } from './queries.js';
import { openFollowUp } from './service.js';
import { codeString, periodString, yearOf } from './request.js';

const statuses: readonly CentreStatus[] = ['delivered', 'late', 'waiting'];

const overviewQuery = {
  type: 'object',
  properties: {
    year: { type: 'string', pattern: '^20[0-9]{2}$' },
    area: { anyOf: [idString, { type: 'string', maxLength: 0 }] },
    agency: { anyOf: [idString, { type: 'string', maxLength: 0 }] },
    type: { anyOf: [codeString, { type: 'string', maxLength: 0 }] },
  },
} as const;

type OverviewQuery = { year?: string; area?: string; agency?: string; type?: string };
type PeriodParams = { code: string; period: string };
const periodParams = {
  type: 'object',
  required: ['code', 'period'],
  properties: { code: codeString, period: periodString },
} as const;

export async function centreRoutes(app: FastifyInstance, { db, publicUrl }: { db: Db; publicUrl: URL }) {
  app.get<{ Querystring: OverviewQuery }>(
    '/reporting/centre',
    { schema: { querystring: overviewQuery } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'reporting.centre');
      const q = request.query;
      const filter = {
        year: yearOf(q),
        area: q.area ? Number(q.area) : undefined,
        agency: q.agency ? Number(q.agency) : undefined,
        type: q.type || undefined,
      };
      const [overview, types] = await Promise.all([centreOverview(db, viewer, filter), reportTypesFor(db, viewer)]);
      const agencies = new Map<number, string>();
      for (const t of overview)
        for (const p of t.periods) for (const r of p.rows) agencies.set(r.agency.id, r.agency.name);
      return reply.render(
        { page: 'reporting/centre' },
        {
          filter,
          overview,
          types,
          agencies: [...agencies].sort((a, b) => a[1].localeCompare(b[1], 'nb')),
          periodLabel,
        },
      );
    },
  );

  app.get<{ Params: PeriodParams; Querystring: { status?: string; agency?: string } }>(
    '/reporting/centre/:code/:period',
    {
      schema: {
        params: periodParams,
        querystring: {
          type: 'object',
          properties: {
            status: { type: 'string', enum: ['', ...statuses] },
            agency: { anyOf: [idString, { type: 'string', maxLength: 0 }] },
          },
        },
      },
    },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'reporting.centre');
      const found = await reportTypeFor(db, viewer, request.params.code);
      const period = found && parsePeriod(found.type.periodKind, request.params.period);
      if (!found || !period) throw notFound();
      const status = request.query.status || undefined;
      const agency = request.query.agency ? Number(request.query.agency) : undefined;
      const [overview] = await centreOverview(db, viewer, { year: period.year, type: found.type.code, agency });
      const line = overview?.periods.find((p) => p.period.key === period.key);
      if (!line) throw notFound();
      const rows = line.rows.filter((r) => !status || r.status === status);
      const refused = await agencyRejections(
        db,
        found.type.id,
        period.key,
        rows.map((r) => r.agency.id),
      );
      return reply.render(
        { page: 'reporting/centre-period' },
        {
          ...found,
          period,
          line,
          rows,
          refused,
          status,
          mayOpenCase: can(viewer, 'case.assign', { areaId: found.type.areaId }),
          periodLabel,
        },
      );
    },
  );

  app.post<{ Params: PeriodParams; Body: { agency?: string } }>(
    '/reporting/centre/:code/:period/follow-up',
    {
      schema: {
        params: periodParams,
        body: { type: 'object', properties: { agency: idString } },
      },
    },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'reporting.centre');
      const found = await reportTypeFor(db, viewer, request.params.code);
      const period = found && parsePeriod(found.type.periodKind, request.params.period);
      if (!found || !period) throw notFound();
      if (!can(viewer, 'case.assign', { areaId: found.type.areaId })) throw new HttpError(403, 'forbidden');
      if (!request.body?.agency) throw notFound();
      const agencyId = Number(request.body.agency);
      const [overview] = await centreOverview(db, viewer, {
        year: period.year,
        type: found.type.code,
        agency: agencyId,
      });
      const row = overview?.periods.find((p) => p.period.key === period.key)?.rows[0];
      // Only an agency that must deliver this type is one the centre can follow up here.
      if (!row) throw notFound();
      const t = request.t;
      const name = request.language === 'en' ? found.type.name.en : found.type.name.nb;
      const label = periodLabel(t, period);
      const opened = await openFollowUp(
        db,
        viewer,
        {
          type: found.type,
          agencyId,
          periodLabel: period.key,
          title: t('reporting.followUp.title', { report: name, period: label }),
          body: t(`reporting.followUp.body.${row.status}`, {
            report: name,
            period: label,
            deadline: row.line.deadline ?? '',
            link: new URL(`/reporting/types/${found.type.code}/${period.key}`, publicUrl).href,
          }),
        },
        { publicUrl, language: request.language },
      );
      if (!opened) {
        request.session.set('flash', { key: 'reporting.followUp.nobody', params: { agency: row.agency.name } });
        return reply.redirect(`/reporting/centre/${found.type.code}/${period.key}`, 303);
      }
      request.session.set('flash', { key: 'reporting.followUp.opened', params: { number: opened.number } });
      return reply.redirect(`/cases/${opened.number}`, 303);
    },
  );
}
