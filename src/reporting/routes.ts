// Periodic reporting, the pages every side shares: the year's overview (the agency's, or the centre's for
// staff), the reporting contact, a report type's published layout with its templates, receipts with the
// delivered file, and refused deliveries with their error report.
import type { FastifyInstance, FastifyReply } from 'fastify';
import { can, requirePermission } from '../auth/guards.js';
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/index.js';
import { contentDisposition } from '../attachments/files.js';
import { sendFile } from '../attachments/download.js';
import { notFound } from '../web/errors.js';
import { cleanText, formBody, idParams, type Problems } from '../web/input.js';
import { agencyReporters, appointReporter, removeReporter } from './reporters.js';
import { agencyOverview, deadlines, periodLine, periodsOf } from './overview.js';
import { parsePeriod, periodLabel } from './periods.js';
import { contactsOf, fileChunks, layoutById, receiptFor, rejectionFor, reportTypeFor } from './queries.js';
import { checkFile } from './read.js';
import { registerContact, restoreFile, type Delivery } from './service.js';
import { errorMessage, errorReport, overviewWorkbook, templateCsv, templateWorkbook } from './workbooks.js';
import { centreRoutes } from './centre-routes.js';
import { codeString, needsContact, receiptParams, sendWorkbook, yearOf, yearQuery } from './request.js';
import { deliveryRoutes } from './delivery-routes.js';

export async function reportingRoutes(
  app: FastifyInstance,
  { db, publicUrl, fileBytes }: { db: Db; publicUrl: URL; fileBytes: number },
) {
  app.get<{ Querystring: { year?: string } }>(
    '/reporting',
    { schema: { querystring: yearQuery } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'reporting.view');
      if (viewer.agencyId === null)
        return reply.redirect(`/reporting/centre${request.query.year ? `?year=${request.query.year}` : ''}`, 303);
      if (await needsContact(db, viewer)) return reply.redirect('/reporting/contact', 303);
      const year = yearOf(request.query);
      const [overview, contacts] = await Promise.all([
        agencyOverview(db, viewer, year),
        contactsOf(db, viewer.agencyId),
      ]);
      return reply.render({ page: 'reporting/index' }, { year, overview, contacts, periodLabel });
    },
  );

  app.get<{ Querystring: { year?: string } }>(
    '/reporting/overview.xlsx',
    { schema: { querystring: yearQuery } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'reporting.view');
      if (viewer.agencyId === null) throw notFound();
      const year = yearOf(request.query);
      const t = request.t;
      const overview = await agencyOverview(db, viewer, year);
      const rows = overview.flatMap(({ type, lines }) =>
        lines.map((line) => ({
          type: request.language === 'en' ? type.name.en : type.name.nb,
          period: periodLabel(t, line.period),
          deadline: line.deadline ?? '',
          status: t(`reporting.status.${line.status}`),
          receipt: line.delivery?.receipt ?? '',
          deliveredAt: line.delivery?.delivered_at ?? null,
        })),
      );
      const headers = ['type', 'period', 'deadline', 'status', 'receipt', 'deliveredAt'].map((h) =>
        t(`reporting.overview.columns.${h}`),
      );
      return sendWorkbook(
        reply,
        `innrapportering-${year}.xlsx`,
        await overviewWorkbook(t('reporting.overview.sheetTitle', { year }), headers, rows, t),
      );
    },
  );

  const contactPage = async (reply: FastifyReply, viewer: Viewer, extra = {}, status = 200) => {
    const contacts = await contactsOf(db, viewer.agencyId!);
    return reply.render(
      { page: 'reporting/contact' },
      { contacts, values: {}, problems: {}, mayDeliver: can(viewer, 'reporting.deliver'), ...extra },
      status,
    );
  };

  app.get('/reporting/contact', async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'reporting.view');
    if (viewer.agencyId === null) throw notFound();
    return contactPage(reply, viewer);
  });

  app.post<{ Body: Record<string, string | undefined> }>(
    '/reporting/contact',
    { schema: { body: formBody({ name: 'short', email: 'short', phone: 'short' }) } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'reporting.view');
      if (viewer.agencyId === null) throw notFound();
      const { problems, values } = await registerContact(db, request.audit, viewer, request.body ?? {});
      if (Object.keys(problems).length > 0) return contactPage(reply, viewer, { values, problems }, 422);
      request.session.set('flash', 'reporting.contact.saved');
      return reply.redirect('/reporting', 303);
    },
  );

  app.get<{ Params: { code: string }; Querystring: { year?: string } }>(
    '/reporting/types/:code',
    {
      schema: {
        params: { type: 'object', required: ['code'], properties: { code: codeString } },
        querystring: yearQuery,
      },
    },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'reporting.view');
      const found = await reportTypeFor(db, viewer, request.params.code);
      if (!found) throw notFound();
      const year = yearOf(request.query);
      const d = await deadlines(db);
      const lines = periodsOf(found.type, year).map((p) => periodLine(found.type, p, d, undefined));
      return reply.render({ page: 'reporting/type' }, { ...found, year, lines, periodLabel });
    },
  );

  app.get<{ Params: { code: string; format: string } }>(
    '/reporting/types/:code/template.:format',
    {
      schema: {
        params: {
          type: 'object',
          required: ['code', 'format'],
          properties: { code: codeString, format: { type: 'string', enum: ['xlsx', 'csv'] } },
        },
      },
    },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'reporting.view');
      const found = await reportTypeFor(db, viewer, request.params.code);
      if (!found) throw notFound();
      const name = `${found.type.code}-v${found.layout.version}`;
      if (request.params.format === 'csv')
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', contentDisposition(`${name}.csv`))
          .send(templateCsv(found.layout.definition));
      const title = request.language === 'en' ? found.type.name.en : found.type.name.nb;
      return sendWorkbook(
        reply,
        `${name}.xlsx`,
        await templateWorkbook(found.layout.definition, title, request.t, request.language),
      );
    },
  );

  app.get<{ Params: { receipt: string } }>(
    '/reporting/receipts/:receipt',
    { schema: { params: receiptParams } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'reporting.view');
      const receipt = await receiptFor(db, viewer, request.params.receipt);
      if (!receipt) throw notFound();
      const period = parsePeriod(receipt.period_kind as never, receipt.period)!;
      const amounts = new Intl.NumberFormat(request.language === 'en' ? 'en-GB' : 'nb-NO', {
        minimumFractionDigits: 2,
      });
      return reply.render(
        { page: 'reporting/receipt' },
        { receipt, period, periodLabel, formatAmount: (ore: number) => amounts.format(ore / 100) },
      );
    },
  );

  app.get<{ Params: { receipt: string } }>(
    '/reporting/receipts/:receipt/file',
    { schema: { params: receiptParams } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'reporting.view');
      const receipt = await receiptFor(db, viewer, request.params.receipt);
      if (!receipt) throw notFound();
      // The centre reading an agency's file is a staff read, recorded like a case file's.
      if (viewer.agencyId === null)
        await request.audit(db, {
          action: 'reporting.download',
          objectType: 'report_delivery',
          objectId: receipt.receipt,
          agencyId: receipt.agency_id,
          details: { filename: receipt.filename },
        });
      return sendFile(reply, receipt, fileChunks(db, receipt.file_id));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/reporting/refused/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'reporting.view');
      const rejection = await rejectionFor(db, viewer, Number(request.params.id));
      if (!rejection) throw notFound();
      const period = parsePeriod(rejection.period_kind as never, rejection.period)!;
      const errors = (rejection.errors as never[]).map((e) => errorMessage(request.t, e));
      return reply.render({ page: 'reporting/refused' }, { rejection, period, errors, periodLabel });
    },
  );

  app.get<{ Params: { id: string } }>(
    '/reporting/refused/:id/errors.xlsx',
    { schema: { params: idParams } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'reporting.view');
      const rejection = await rejectionFor(db, viewer, Number(request.params.id));
      if (!rejection) throw notFound();
      const layout = await layoutById(db, rejection.layout_id);
      // Every error, found again from the kept file against the layout it was checked with.
      const body = await errorReport(request.t, async (add) => {
        await restoreFile(db, rejection.file_id, (path) =>
          checkFile({ path, filename: rejection.filename }, layout.definition, rejection.period, {
            declared: rejection.declared as Delivery['declared'],
            onError: add,
          }).then(() => {}),
        );
      });
      return sendWorkbook(reply, `feil-${rejection.period}-${rejection.id}.xlsx`, body);
    },
  );

  // Who reports for the agency; power-of-attorney holders appoint and remove innrapportører.
  const reportersPage = async (
    reply: FastifyReply,
    viewer: Viewer,
    state: { values?: object; problems?: Problems } = {},
    status = 200,
  ) =>
    reply.render(
      { page: 'reporting/reporters' },
      {
        ...(await agencyReporters(db, viewer.agencyId!)),
        mayAppoint: can(viewer, 'reporting.appoint'),
        values: state.values ?? {},
        problems: state.problems ?? {},
      },
      status,
    );

  app.get('/reporting/reporters', async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'reporting.view');
    if (viewer.agencyId === null) throw notFound();
    return reportersPage(reply, viewer);
  });

  app.post<{ Body: Record<string, string | undefined> }>(
    '/reporting/reporters',
    { schema: { body: formBody({ user: 'short', area: 'short', reason: 'short' }) } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'reporting.appoint');
      const body = request.body ?? {};
      const values = { user: body.user ?? '', area: body.area ?? '', reason: cleanText(body.reason, false) };
      const problems = await appointReporter(db, request.audit, viewer, values);
      if (Object.keys(problems).length > 0) return reportersPage(reply, viewer, { values, problems }, 422);
      request.session.set('flash', 'reporting.reporters.appointed');
      return reply.redirect('/reporting/reporters', 303);
    },
  );

  app.post<{ Body: Record<string, string | undefined> }>(
    '/reporting/reporters/removal',
    { schema: { body: formBody({ role_id: 'short', reason: 'short' }) } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'reporting.appoint');
      const result = await removeReporter(
        db,
        request.audit,
        viewer,
        request.body?.role_id ?? '',
        cleanText(request.body?.reason, false),
      );
      if (result === undefined) throw notFound();
      if (Object.keys(result).length > 0) return reportersPage(reply, viewer, { problems: result }, 422);
      request.session.set('flash', 'reporting.reporters.removed');
      return reply.redirect('/reporting/reporters', 303);
    },
  );

  await app.register(deliveryRoutes, { db, publicUrl, fileBytes });
  await app.register(centreRoutes, { db, publicUrl });
}
