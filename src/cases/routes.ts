import { areaCaseworkers, areaGroups, findCustomers } from '../work/queries.js';
import { assignCase, classifyCase, grantAttorneyFromCase, linkCustomer } from '../work/service.js';
import { bodyMaxLength, checkTitle, messageKinds, titleMaxLength, type MessageKind } from './rules.js';
import { cleanText, type Problems } from '../web/input.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../db/index.js';
import { markDeflectionsConverted } from '../kb/service.js';
import { activeMailboxes, type Viewer } from '../auth/viewer.js';
import { requirePermission, requireViewer, can } from '../auth/guards.js';
import { HttpError, notFound } from '../web/errors.js';
import { findForm, formCatalogue, type Form } from '../forms/queries.js';
import { inputName, rawValue } from '../forms/answers.js';
import { allowedExtensions, type AttachmentLimits } from '../attachments/files.js';
import { attachmentsOfCase } from '../attachments/queries.js';
import { caseTimeline, customerPanel, findCase, statuses, type CaseStatus } from './queries.js';
import { answerTemplates, fillTemplate } from '../work/templates.js';
import { activeNews, faq, findArticle, suggestArticles } from '../kb/queries.js';
import { formatDateTime } from '../web/i18n.js';
import { createCase, replyToCase } from './service.js';
import { caseListRoutes } from './list/routes.js';

export const caseNumberPattern = /^\d{4}-\d{6,}$/;
const shortText = { type: 'string', maxLength: 100 } as const;

interface Options {
  db: Db;
  publicUrl: URL;
  limits: AttachmentLimits;
}

/** What the upload inputs tell the user, and what the browser's file picker offers. */
export function uploadHints(limits: AttachmentLimits) {
  const mb = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10;
  return {
    limits: { fileMb: mb(limits.fileBytes), caseMb: mb(limits.caseBytes), types: allowedExtensions.join(', ') },
    accept: allowedExtensions.map((ext) => `.${ext}`).join(','),
  };
}

export async function caseRoutes(app: FastifyInstance, { db, publicUrl, limits }: Options) {
  const hints = uploadHints(limits);
  const context = (request: FastifyRequest) => ({
    publicUrl,
    language: request.language,
    limits,
    audit: request.audit,
  });

  await app.register(caseListRoutes, { db });

  const renderForm = (
    reply: FastifyReply,
    viewer: Viewer,
    form: Form,
    body: Record<string, unknown>,
    problems: Problems,
    status: number,
    hadFiles = false,
  ) => {
    const values = Object.fromEntries(form.fields.map((field) => [inputName(field), rawValue(body, field)]));
    return reply.render(
      { page: 'cases/new' },
      {
        form,
        input: { title: cleanText(body.title, false), body: cleanText(body.body, true) },
        mailboxes: activeMailboxes(viewer),
        mailbox: cleanText(body.mailbox, false),
        values,
        problems,
        hadFiles,
        ...hints,
        titleMaxLength,
        bodyMaxLength,
        // After a failed POST /cases the page is still the form: navigation and the language switch say so.
        currentPath: `/cases/new?area=${encodeURIComponent(form.areaCode)}&form=${encodeURIComponent(form.code)}`,
      },
      status,
    );
  };

  /** A form the viewer may use. Access orders are for the area's authorised orderers: others are told so. */
  const usableForm = async (viewer: Viewer, area: unknown, code: unknown) => {
    if (typeof area !== 'string' || typeof code !== 'string') return undefined;
    const form = await findForm(db, area, code);
    if (form?.purpose === 'access_order' && !can(viewer, 'access.order', { areaId: form.areaId }))
      throw new HttpError(403, 'access_order_forbidden');
    return form;
  };

  app.get<{ Querystring: { area?: string; form?: string } }>(
    '/cases/new',
    { schema: { querystring: { type: 'object', properties: { area: shortText, form: shortText } } } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'case.create');
      const { area, form: code } = request.query;
      if (area === undefined && code === undefined)
        return reply.render({ page: 'cases/choose' }, { catalogue: await formCatalogue(db, viewer) });
      if (code === undefined) {
        // An area tile links here: with one form it is that form, with several the area's choice.
        const catalogue = (await formCatalogue(db, viewer)).filter((a) => a.code === area);
        if (catalogue.length === 0) throw notFound();
        const only = catalogue[0]!.forms.length === 1 ? catalogue[0]!.forms[0] : undefined;
        if (only) return renderForm(reply, viewer, only, {}, {}, 200);
        // The area's own page: its forms, its frequently asked questions and its news.
        const [news, questions] = await Promise.all([activeNews(db, catalogue[0]!.id), faq(db, viewer)]);
        return reply.render(
          { page: 'cases/choose' },
          { catalogue, news, questions: questions.filter((q) => q.area === area) },
        );
      }
      const form = await usableForm(viewer, area, code);
      if (!form) throw notFound();
      return renderForm(reply, viewer, form, {}, {}, 200);
    },
  );

  app.post<{ Body: Record<string, unknown> }>('/cases', async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'case.create');
    const body = request.body ?? {};
    // Not "form": an input of that name would shadow HTMLFormElement.form for scripts (htmx included).
    const form = await usableForm(viewer, body.area, body.form_code);
    if (!form) throw notFound();
    const input = {
      form,
      title: cleanText(body.title, false),
      body: cleanText(body.body, true),
      fields: body,
      uploads: request.uploads,
      mailbox: cleanText(body.mailbox, false).slice(0, 20),
    };
    const result = await createCase(db, viewer, input, context(request));
    if ('problems' in result)
      return renderForm(reply, viewer, form, body, result.problems, result.status, request.uploads.length > 0);
    request.log.info({ caseNumber: result.number }, 'case created');
    // Articles opened from the suggestions did not stop this case: they are not deflections.
    await markDeflectionsConverted(db, viewer.sessionId);
    request.session.set('flash', { key: 'cases.created', params: { number: result.number } });
    return reply.redirect(`/cases/${result.number}`, 303);
  });

  // Checks a title while it is typed; the same rule refuses it on submit.
  app.post<{ Body: { title?: string } }>(
    '/cases/title-check',
    { schema: { body: { type: 'object', properties: { title: { type: 'string', maxLength: 1000 } } } } },
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      const title = cleanText(request.body.title, false);
      const problem = checkTitle(title).title;
      // Articles that may answer the question before it becomes a case.
      const suggestions = await suggestArticles(db, viewer, title);
      return reply.render(
        { page: 'cases/_title-check', fragment: 'cases/_title-check' },
        { problem: problem?.key === 'cases.errors.titleNationalId' ? problem : undefined, suggestions },
      );
    },
  );

  const showCase = async (reply: FastifyReply, viewer: Viewer, number: string, draft: Draft, status = 200) => {
    const found = await findCase(db, viewer, number);
    if (!found) throw notFound();
    const staff = can(viewer, 'case.assign', { areaId: found.area_id });
    // Every time centre staff are shown a case, the trail records it; the agency can see who read.
    if (can(viewer, 'work.view'))
      await reply.request.audit(db, {
        action: 'case.read',
        objectType: 'case',
        objectId: found.number,
        agencyId: found.agency_id,
      });
    const [timeline, attachments, groups, caseworkers, templates, customer, articles] = await Promise.all([
      caseTimeline(db, viewer, found.id),
      attachmentsOfCase(db, viewer, found.id),
      staff ? areaGroups(db, found.area_id) : [],
      staff ? areaCaseworkers(db, found.area_id) : [],
      staff ? answerTemplates(db, found.area_id) : [],
      staff ? customerPanel(db, viewer, found.id) : undefined,
      staff ? suggestArticles(db, viewer, found.title) : [],
    ]);
    // An unlinked case offers a customer search, first by the sender's domain, so colleagues turn up.
    const linkQuery =
      customer && !customer.person ? (draft.linkQuery ?? customer.senderAddress?.replace(/^[^@]*/, '') ?? '') : '';
    const link =
      customer && !customer.person
        ? {
            q: linkQuery,
            candidates: linkQuery.length >= 2 ? await findCustomers(db, linkQuery) : [],
            problems: draft.linkProblems ?? {},
          }
        : undefined;
    return reply.render(
      { page: 'cases/show' },
      {
        found,
        timeline,
        attachments,
        draft,
        groups,
        caseworkers,
        templates,
        customer,
        link,
        articles,
        publicUrl: publicUrl.href.replace(/\/$/, ''),
        assignProblems: draft.assignProblems ?? {},
        problems: draft.problems,
        ...hints,
        bodyMaxLength,
        statuses,
        messageKinds,
        answering: can(viewer, 'case.answer', { areaId: found.area_id }),
      },
      status,
    );
  };

  app.get<{ Params: { number: string }; Querystring: { template?: string; article?: string; customer_q?: string } }>(
    '/cases/:number',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            template: { type: 'string', pattern: '^[0-9]{1,15}$' },
            article: { type: 'string', pattern: '^[0-9]{1,15}$' },
            customer_q: { type: 'string', maxLength: 200 },
          },
        },
      },
    },
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      if (!caseNumberPattern.test(request.params.number)) throw notFound();
      const draft: Draft = {
        body: '',
        problems: {},
        hadFiles: false,
        ...(request.query.customer_q === undefined
          ? {}
          : { linkQuery: cleanText(request.query.customer_q, false).trim() }),
      };
      if (request.query.template) {
        // An answer template fills the reply box; the caseworker reads it through before saving.
        const found = await findCase(db, viewer, request.params.number);
        if (!found || !can(viewer, 'case.answer', { areaId: found.area_id })) throw notFound();
        const template = (await answerTemplates(db, found.area_id)).find(
          (x) => x.id === Number(request.query.template),
        );
        if (!template) throw notFound();
        const filled = fillTemplate(template.body, {
          kunde: found.requester,
          saksnummer: found.number,
          frist: formatDateTime(request.language, found.expected_at ?? found.due_at),
        });
        if ('unknown' in filled)
          return showCase(
            reply,
            viewer,
            request.params.number,
            {
              ...draft,
              problems: {
                message: {
                  key: 'work.errors.placeholders',
                  params: { names: filled.unknown.map((n) => `{${n}}`).join(', ') },
                },
              },
            },
            422,
          );
        return showCase(reply, viewer, request.params.number, { ...draft, body: filled.text });
      }
      if (request.query.article) {
        // Without JavaScript, "insert link" reloads the case with the article's link in the reply box.
        const found = await findCase(db, viewer, request.params.number);
        const article =
          found && can(viewer, 'case.answer', { areaId: found.area_id })
            ? await findArticle(db, viewer, Number(request.query.article))
            : undefined;
        if (!article) throw notFound();
        return showCase(reply, viewer, request.params.number, {
          ...draft,
          body: `${article.title}: ${publicUrl.href.replace(/\/$/, '')}/kb/${article.id}`,
        });
      }
      return showCase(reply, viewer, request.params.number, draft);
    },
  );

  app.post<{ Params: { number: string }; Body: { classification?: string; version?: string } }>(
    '/cases/:number/classification',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            classification: { type: 'string', enum: ['', 'change_request'] },
            version: { type: 'string', pattern: '^[0-9]{1,9}$' },
          },
        },
      },
    },
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      const { number } = request.params;
      if (!caseNumberPattern.test(number)) throw notFound();
      const result = await classifyCase(
        db,
        viewer,
        number,
        {
          classification: request.body.classification === 'change_request' ? 'change_request' : null,
          version: request.body.version === undefined ? undefined : Number(request.body.version),
        },
        context(request),
      );
      if ('problems' in result)
        return showCase(
          reply,
          viewer,
          number,
          { body: '', problems: {}, assignProblems: result.problems, hadFiles: false },
          result.status,
        );
      request.session.set('flash', result.changed ? 'work.classified' : 'work.assignUnchanged');
      return reply.redirect(`/cases/${number}`, 303);
    },
  );

  app.post<{ Params: { number: string }; Body: Record<string, unknown> }>(
    '/cases/:number/messages',
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      const { number } = request.params;
      if (!caseNumberPattern.test(number)) throw notFound();
      const fields = request.body ?? {};
      const text = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string).trim() : undefined);
      const kind = text('kind');
      const status = text('status');
      const version = text('version');
      if (
        (kind !== undefined && !(messageKinds as readonly string[]).includes(kind)) ||
        (status !== undefined && !(statuses as readonly string[]).includes(status)) ||
        (version !== undefined && !/^\d{1,9}$/.test(version))
      ) {
        throw new HttpError(400, 'bad_request');
      }
      const draft: Draft = {
        body: cleanText(fields.message, true),
        problems: {},
        hadFiles: request.uploads.length > 0,
        kind,
        status,
        expectedDate: text('expected_date'),
        version: version === undefined ? undefined : Number(version),
      };
      const input = {
        body: draft.body,
        uploads: request.uploads,
        kind: kind as MessageKind | undefined,
        status: status as CaseStatus | undefined,
        expectedDate: draft.expectedDate,
        version: draft.version,
      };
      const result = await replyToCase(db, viewer, number, input, context(request));
      if ('problems' in result)
        return showCase(reply, viewer, number, { ...draft, problems: result.problems }, result.status);
      const flash = result.reopened
        ? 'cases.reply.reopened'
        : result.noted
          ? 'cases.reply.noted'
          : result.answered
            ? 'cases.reply.answered'
            : result.statusChanged
              ? 'cases.reply.statusChanged'
              : 'cases.reply.sent';
      request.session.set('flash', flash);
      return reply.redirect(`/cases/${number}#timeline-heading`, 303);
    },
  );

  app.post<{ Params: { number: string }; Body: { group_id?: string; assignee_id?: string; version?: string } }>(
    '/cases/:number/assignment',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            group_id: { type: 'string', maxLength: 20 },
            assignee_id: { type: 'string', maxLength: 20 },
            version: { type: 'string', pattern: '^[0-9]{1,9}$' },
          },
        },
      },
    },
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      const { number } = request.params;
      if (!caseNumberPattern.test(number)) throw notFound();
      const id = (value: string | undefined, self?: number) =>
        value === undefined || value === ''
          ? null
          : value === 'me' && self
            ? self
            : /^\d{1,15}$/.test(value)
              ? Number(value)
              : -1;
      const body = request.body ?? {};
      const result = await assignCase(db, viewer, number, {
        groupId: id(body.group_id),
        assigneeId: id(body.assignee_id, viewer.userId),
        version: body.version === undefined ? undefined : Number(body.version),
      });
      if ('problems' in result)
        return showCase(
          reply,
          viewer,
          number,
          { body: '', problems: {}, assignProblems: result.problems, hadFiles: false },
          result.status,
        );
      request.session.set('flash', result.changed ? 'work.assigned' : 'work.assignUnchanged');
      return reply.redirect(`/cases/${number}`, 303);
    },
  );

  // A signed power-of-attorney form came as an attachment: the caseworker grants the requester the
  // role in the case's agency, with the case as the reason in the audit trail.
  app.post<{ Params: { number: string } }>('/cases/:number/power-of-attorney', async (request, reply) => {
    const viewer = requireViewer(request.viewer);
    const { number } = request.params;
    if (!caseNumberPattern.test(number)) throw notFound();
    const problems = await grantAttorneyFromCase(db, viewer, number, {
      audit: request.audit,
      reason: request.t('work.attorney.reason', { number }),
    });
    if (Object.keys(problems).length > 0)
      return showCase(
        reply,
        viewer,
        number,
        { body: '', problems: {}, hadFiles: false, assignProblems: problems },
        422,
      );
    request.session.set('flash', 'work.attorney.granted');
    return reply.redirect(`/cases/${number}`, 303);
  });

  // Links a case from an unknown sender to the customer (and agency) the caseworker picked.
  app.post<{ Params: { number: string }; Body: { customer?: string; version?: string; customer_q?: string } }>(
    '/cases/:number/customer',
    {
      schema: {
        body: {
          type: 'object',
          properties: {
            customer: { type: 'string', maxLength: 40 },
            version: { type: 'string', pattern: '^[0-9]{1,9}$' },
            customer_q: { type: 'string', maxLength: 200 },
          },
        },
      },
    },
    async (request, reply) => {
      // Only centre staff link cases to customers: refused before the choice is even read.
      const viewer = requirePermission(request.viewer, 'case.readInternal');
      const { number } = request.params;
      if (!caseNumberPattern.test(number)) throw notFound();
      const body = request.body ?? {};
      const draft: Draft = {
        body: '',
        problems: {},
        hadFiles: false,
        ...(body.customer_q === undefined ? {} : { linkQuery: cleanText(body.customer_q, false).trim() }),
      };
      const choice = /^(\d{1,15}):(\d{1,15})$/.exec(body.customer ?? '');
      if (!choice)
        return showCase(
          reply,
          viewer,
          number,
          { ...draft, linkProblems: { customer: { key: 'work.errors.customer' } } },
          422,
        );
      const result = await linkCustomer(
        db,
        viewer,
        number,
        {
          customerId: Number(choice[1]),
          agencyId: Number(choice[2]),
          version: body.version === undefined ? undefined : Number(body.version),
        },
        context(request),
      );
      if ('problems' in result)
        return showCase(reply, viewer, number, { ...draft, linkProblems: result.problems }, result.status);
      request.session.set('flash', 'work.link.done');
      return reply.redirect(`/cases/${number}`, 303);
    },
  );
}

/** What the reply form shows again after a refusal: the user's own text and choices. */
interface Draft {
  body: string;
  problems: Problems;
  assignProblems?: Problems;
  hadFiles: boolean;
  kind?: string | undefined;
  status?: string | undefined;
  expectedDate?: string | undefined;
  version?: number | undefined;
  /** The customer search on a case from an unknown sender, and a refused link's problems. */
  linkQuery?: string;
  linkProblems?: Problems;
}
