// Delivering a period: the period's page (status, deadline, every version, refused tries), a file upload,
// and a web form for small reports (rows in a table; adding and removing rows works without JavaScript).
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can, requirePermission } from '../auth/guards.js';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/index.js';
import { HttpError, notFound } from '../web/errors.js';
import type { Problems } from '../web/input.js';
import { formatFileSize } from '../web/i18n.js';
import { errorsShown } from './check.js';
import { checkValue, headerOf, type Layout } from './layout.js';
import { deadlines, periodLine } from './overview.js';
import { parsePeriod, periodLabel } from './periods.js';
import { currentDeliveries, periodHistory, periodRejections, reportTypeFor } from './queries.js';
import { deliver, type Delivery, type DeliveryOutcome } from './service.js';
import { errorMessage } from './workbooks.js';
import { codeString, needsContact, periodString } from './request.js';

const params = {
  type: 'object',
  required: ['code', 'period'],
  properties: { code: codeString, period: periodString },
} as const;
type Params = { code: string; period: string };

/** Rows the web form takes: it is for small reports; larger ones come as a file. */
export const formMaxRows = 50;
const formBodySchema = {
  type: 'object',
  maxProperties: formMaxRows * 20 + 10,
  additionalProperties: { type: 'string', maxLength: 1000 },
} as const;

export async function deliveryRoutes(
  app: FastifyInstance,
  { db, publicUrl, fileBytes }: { db: Db; publicUrl: URL; fileBytes: number },
) {
  /** The type and period the URL names, for an agency viewer who may see them; 404 otherwise. */
  const target = async (viewer: Viewer, { code, period: key }: Params) => {
    if (viewer.agencyId === null) throw notFound();
    const found = await reportTypeFor(db, viewer, code);
    const period = found && parsePeriod(found.type.periodKind, key);
    if (!found || !period) throw notFound();
    return { ...found, period };
  };
  type Target = Awaited<ReturnType<typeof target>>;

  /** The first errors as sentences, for the page. */
  const refusal = (request: FastifyRequest, outcome: DeliveryOutcome) =>
    outcome.delivered
      ? undefined
      : {
          id: outcome.rejectionId,
          count: outcome.errorCount,
          messages: outcome.errors.map((e) => errorMessage(request.t, e)),
          shown: Math.min(outcome.errorCount, errorsShown),
        };

  const periodPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    viewer: Viewer,
    found: Target,
    extra: Record<string, unknown> = {},
    status = 200,
  ) => {
    const agencyId = viewer.agencyId!;
    const [d, current, history, rejections] = await Promise.all([
      deadlines(db),
      currentDeliveries(db, [found.type.id], found.period.year, agencyId),
      periodHistory(db, agencyId, found.type.id, found.period.key),
      periodRejections(db, agencyId, found.type.id, found.period.key),
    ]);
    const line = periodLine(
      found.type,
      found.period,
      d,
      current.find((c) => c.period === found.period.key),
    );
    return reply.render(
      { page: 'reporting/period' },
      {
        ...found,
        line,
        history,
        rejections,
        mayDeliver: can(viewer, 'reporting.deliver', { areaId: found.type.areaId }),
        maxSize: formatFileSize(request.language, fileBytes),
        periodLabel,
        problems: {},
        values: {},
        ...extra,
      },
      status,
    );
  };

  /** Refuses what no delivery may pass: not an innrapportør here (403), no contact yet, a period not open. */
  const mayDeliverNow = async (viewer: Viewer, found: Target): Promise<Problems | 'contact'> => {
    if (!can(viewer, 'reporting.deliver', { areaId: found.type.areaId })) throw new HttpError(403, 'forbidden');
    if (await needsContact(db, viewer)) return 'contact';
    const line = periodLine(found.type, found.period, await deadlines(db), undefined);
    return line.open ? {} : { period: { key: 'reporting.deliver.errors.notOpen' } };
  };

  app.get<{ Params: Params }>('/reporting/types/:code/:period', { schema: { params } }, async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'reporting.view');
    return periodPage(request, reply, viewer, await target(viewer, request.params));
  });

  app.post<{ Params: Params; Body: Record<string, string | undefined> }>(
    '/reporting/types/:code/:period',
    { schema: { params }, config: { uploadBytes: fileBytes } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'reporting.view');
      const found = await target(viewer, request.params);
      const allowed = await mayDeliverNow(viewer, found);
      if (allowed === 'contact') return reply.redirect('/reporting/contact', 303);
      const body = request.body ?? {};
      const { declared, problems } = readDeclared(found.layout.definition, body);
      Object.assign(problems, allowed);
      const upload = request.uploads.find((u) => u.field === 'file');
      if (!upload) problems.file = { key: 'reporting.deliver.errors.noFile' };
      else if (!upload.source || upload.size > fileBytes)
        problems.file = {
          key: 'reporting.errors.tooLarge',
          params: { max: formatFileSize(request.language, fileBytes) },
        };
      if (Object.keys(problems).length > 0 || !upload?.source || !('path' in upload.source))
        return periodPage(request, reply, viewer, found, { problems, values: body }, 422);
      const outcome = await deliver(
        db,
        request.audit,
        viewer,
        {
          type: found.type,
          layout: found.layout,
          period: found.period.key,
          channel: 'file',
          declared,
          file: {
            path: upload.source.path,
            filename: safeFilename(upload.filename, `${found.type.code}-${found.period.key}`),
            contentType: upload.head.subarray(0, 2).toString('latin1') === 'PK' ? xlsxType : 'text/csv',
            size: upload.size,
            sha256: upload.sha256,
          },
        },
        { publicUrl, language: request.language },
      );
      if (outcome.delivered) {
        request.session.set('flash', { key: 'reporting.deliver.delivered', params: { receipt: outcome.receipt } });
        return reply.redirect(`/reporting/receipts/${outcome.receipt}`, 303);
      }
      return periodPage(request, reply, viewer, found, { refused: refusal(request, outcome), values: body }, 422);
    },
  );

  const formPage = (
    reply: FastifyReply,
    found: Target,
    rows: string[][],
    extra: Record<string, unknown> = {},
    status = 200,
  ) =>
    reply.render(
      { page: 'reporting/form' },
      { ...found, rows, maxRows: formMaxRows, periodLabel, problems: {}, invalid: {}, ...extra },
      status,
    );

  app.get<{ Params: Params }>('/reporting/types/:code/:period/form', { schema: { params } }, async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'reporting.view');
    const found = await target(viewer, request.params);
    if (!can(viewer, 'reporting.deliver', { areaId: found.type.areaId })) throw new HttpError(403, 'forbidden');
    const empty = found.layout.definition.columns.map(() => '');
    return formPage(reply, found, [empty, [...empty], [...empty]]);
  });

  app.post<{ Params: Params; Body: Record<string, string | undefined> }>(
    '/reporting/types/:code/:period/form',
    { schema: { params, body: formBodySchema } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'reporting.view');
      const found = await target(viewer, request.params);
      const allowed = await mayDeliverNow(viewer, found);
      if (allowed === 'contact') return reply.redirect('/reporting/contact', 303);
      const body = request.body ?? {};
      const layout = found.layout.definition;
      const rows = readRows(layout, body);
      const action = body.action ?? 'deliver';
      if (action === 'add' && rows.length < formMaxRows) {
        rows.push(layout.columns.map(() => ''));
        return formPage(reply, found, rows, { focusRow: rows.length - 1 });
      }
      const remove = /^remove:(\d{1,3})$/.exec(action);
      if (remove) {
        rows.splice(Number(remove[1]), 1);
        if (rows.length === 0) rows.push(layout.columns.map(() => ''));
        return formPage(reply, found, rows);
      }
      const filled = rows.filter((row) => row.some((cell) => cell.trim() !== ''));
      if (Object.keys(allowed).length > 0 || filled.length === 0)
        return formPage(
          reply,
          found,
          rows,
          { problems: Object.keys(allowed).length > 0 ? allowed : { rows: { key: 'reporting.form.errors.noRows' } } },
          422,
        );
      const outcome = await deliverRows(request, viewer, found, filled);
      if (outcome.delivered) {
        request.session.set('flash', { key: 'reporting.deliver.delivered', params: { receipt: outcome.receipt } });
        return reply.redirect(`/reporting/receipts/${outcome.receipt}`, 303);
      }
      // Errors point at their cells: line 2 of the file is the form's first filled row.
      const invalid: Record<string, true> = {};
      for (const e of outcome.errors) if (e.line >= 2 && e.column) invalid[`${e.line - 2}:${e.column}`] = true;
      return formPage(reply, found, filled, { refused: refusal(request, outcome), invalid }, 422);
    },
  );

  /** The form's rows as a CSV file (semicolons, UTF-8), delivered like an uploaded one. */
  const deliverRows = async (request: FastifyRequest, viewer: Viewer, found: Target, rows: string[][]) => {
    const csv = [headerOf(found.layout.definition), ...rows].map((row) => row.map(csvCell).join(';')).join('\r\n');
    const data = Buffer.from(`${csv}\r\n`, 'utf8');
    const dir = await mkdtemp(join(tmpdir(), 'kundesenter-reporting-'));
    try {
      const path = join(dir, 'form.csv');
      await writeFile(path, data, { mode: 0o600 });
      const delivery: Delivery = {
        type: found.type,
        layout: found.layout,
        period: found.period.key,
        channel: 'web',
        file: {
          path,
          filename: `${found.type.code}-${found.period.key}.csv`,
          contentType: 'text/csv',
          size: data.length,
          sha256: createHash('sha256').update(data).digest('hex'),
        },
      };
      return await deliver(db, request.audit, viewer, delivery, { publicUrl, language: request.language });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };
}

const xlsxType = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function csvCell(value: string): string {
  const clean = value.replace(/[\r\n]+/g, ' ').trim();
  return /[;"]/.test(clean) ? `"${clean.replace(/"/g, '""')}"` : clean;
}

/** A file's name as it may be stored and shown: no folders, no control characters, at most 255 long. */
function safeFilename(name: string, fallback: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const clean = base
    .replace(/[\u0000-\u001f\u007f]/g, '')
    .trim()
    .slice(-255);
  return clean || fallback;
}

/** The web form's cells (`r{row}c{column}`), as many rows as it says it has, at most `formMaxRows`. */
function readRows(layout: Layout, body: Record<string, string | undefined>): string[][] {
  const count = Math.min(formMaxRows, Math.max(1, Number(/^\d{1,3}$/.test(body.rows ?? '') ? body.rows : 1)));
  return Array.from({ length: count }, (_, r) =>
    layout.columns.map((_, c) => (body[`r${r}c${c}`] ?? '').slice(0, 1000)),
  );
}

/** The figures stated for the control rules: the number of rows, and each summed column's total. */
function readDeclared(layout: Layout, body: Record<string, string | undefined>) {
  const problems: Problems = {};
  const declared: NonNullable<Delivery['declared']> = {};
  for (const control of layout.controls) {
    if (control.kind === 'count') {
      const value = (body.declared_count ?? '').replace(/\s/g, '');
      if (!/^\d{1,9}$/.test(value)) problems.declared_count = { key: 'reporting.deliver.errors.count' };
      else declared.count = Number(value);
    }
    if (control.kind === 'sum') {
      const index = layout.columns.findIndex((c) => c.name === control.column);
      const name = `declared_sum_${index}`;
      const checked = checkValue(
        { name: control.column, help: { nb: '', en: '' }, type: 'amount', required: true },
        body[name] ?? '',
      );
      if (!('ok' in checked) || checked.ore === undefined)
        problems[name] = { key: 'reporting.deliver.errors.sum', params: { column: control.column } };
      else declared.sums = { ...declared.sums, [control.column]: checked.ore };
    }
  }
  return { declared, problems };
}
