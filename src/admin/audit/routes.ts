// The audit trail's pages: admins search all of it; an agency's authorised staff see who at the
// centre read their agency's cases and files.
import { idString, isId, type Problems, cleanText, isIsoDate } from '../../web/input.js';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../../db/index.js';
import { requirePermission } from '../../auth/guards.js';
import { auditActions, type AuditAction } from '../../audit/log.js';
import { centreReadsOf, searchAudit, type AuditFilter } from '../../audit/queries.js';

const one = (value: unknown) => (typeof value === 'string' ? value : '');

export async function auditRoutes(app: FastifyInstance, { db }: { db: Db }) {
  app.get<{ Querystring: Record<string, unknown> }>('/admin/audit', async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    const q = request.query;
    const filter: AuditFilter = {
      actor: cleanText(one(q.actor), false).trim().slice(0, 200),
      action: '',
      object: cleanText(one(q.object), false).trim().slice(0, 200),
      from: one(q.from),
      to: one(q.to),
      before: undefined,
    };
    const problems: Problems = {};
    const action = one(q.action);
    if ((auditActions as readonly string[]).includes(action)) filter.action = action as AuditAction;
    else if (action !== '') problems.action = { key: 'audit.errors.action' };
    if (filter.from && !isIsoDate(filter.from)) problems.from = { key: 'audit.errors.date' };
    if (filter.to && !isIsoDate(filter.to)) problems.to = { key: 'audit.errors.date' };
    if (!problems.from && !problems.to && filter.from && filter.to && filter.from > filter.to)
      problems.to = { key: 'audit.errors.range' };
    const before = one(q.before);
    if (isId(before)) filter.before = Number(before);
    else if (before !== '') problems.before = { key: 'audit.errors.page' };
    if (Object.keys(problems).length > 0)
      return reply.render(
        { page: 'audit/admin' },
        { filter, problems, rows: [], next: undefined, actions: auditActions },
        422,
      );
    const { rows, next } = await searchAudit(db, filter);
    const nextQuery =
      next === undefined
        ? undefined
        : new URLSearchParams({
            ...Object.fromEntries(Object.entries(filter).filter(([k, v]) => k !== 'before' && v)),
            before: String(next),
          }).toString();
    return reply.render({ page: 'audit/admin' }, { filter, problems, rows, nextQuery, actions: auditActions });
  });

  app.get<{ Querystring: { before?: string } }>(
    '/me/reads',
    {
      schema: { querystring: { type: 'object', properties: { before: idString } } },
    },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'agency.audit');
      const { rows, next } = await centreReadsOf(
        db,
        viewer.agencyId!,
        request.query.before === undefined ? undefined : Number(request.query.before),
      );
      return reply.render({ page: 'audit/reads' }, { rows, next });
    },
  );
}
