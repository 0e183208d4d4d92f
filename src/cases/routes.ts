// The customer's side of cases: the list, a new case from an area's form, one case and a message in it.
// The caseworker's actions on a case are in src/work/case-routes.ts; both render the page in ./page.ts.
import { heldTokens, type HeldFile } from '../attachments/held.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can, requirePermission, requireViewer } from '../auth/guards.js';
import { readHandling } from './handling.js';
import { activeMailboxes, type Viewer } from '../auth/viewer.js';
import { inputName, rawValue } from '../forms/answers.js';
import { findForm, formCatalogue, type Form } from '../forms/queries.js';
import { activeNews, faq, suggestArticles } from '../kb/queries.js';
import { markDeflectionsConverted } from '../kb/service.js';
import { HttpError, notFound } from '../web/errors.js';
import { caseNumberParams, cleanText, idString, isId, isVersion, versionOf, type Problems } from '../web/input.js';
import { caseListRoutes } from './list/routes.js';
import { emptyDraft, prefilledDraft, showCase, uploadHints, type CasePageContext } from './page.js';
import { statuses, type CaseStatus } from './queries.js';
import { bodyMaxLength, checkTitle, messageKinds, titleMaxLength, type MessageKind } from './rules.js';
import { createCase, replyToCase } from './service.js';

const shortText = { type: 'string', maxLength: 100 } as const;

export async function caseRoutes(
  app: FastifyInstance,
  { exportsAtOnce, ...pageContext }: CasePageContext & { exportsAtOnce: number },
) {
  const { db, publicUrl, limits } = pageContext;
  const hints = uploadHints(limits);
  const context = (request: FastifyRequest) => ({
    publicUrl,
    language: request.language,
    limits,
    audit: request.audit,
  });

  await app.register(caseListRoutes, { db, exportsAtOnce });

  const renderForm = (
    reply: FastifyReply,
    viewer: Viewer,
    form: Form,
    body: Record<string, unknown>,
    problems: Problems,
    status: number,
    files: { held: readonly HeldFile[]; chooseAgain: boolean } = { held: [], chooseAgain: false },
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
        held: files.held,
        hadFiles: files.chooseAgain,
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
      held: heldTokens(body.held),
      mailbox: cleanText(body.mailbox, false).slice(0, 20),
    };
    const result = await createCase(db, viewer, input, context(request));
    if ('problems' in result) {
      // A file that was refused (or sent for a question not shown) is not held: the user chooses again.
      const newlyHeld = result.held.filter((file) => !input.held.includes(file.token)).length;
      return renderForm(reply, viewer, form, body, result.problems, result.status, {
        held: result.held,
        chooseAgain: request.uploads.length > newlyHeld,
      });
    }
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

  app.get<{ Params: { number: string }; Querystring: { template?: string; article?: string; customer_q?: string } }>(
    '/cases/:number',
    {
      schema: {
        params: caseNumberParams,
        querystring: {
          type: 'object',
          properties: { template: idString, article: idString, customer_q: { type: 'string', maxLength: 200 } },
        },
      },
    },
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      const { number } = request.params;
      const { template, article, customer_q } = request.query;
      const draft = emptyDraft(customer_q === undefined ? {} : { linkQuery: cleanText(customer_q, false).trim() });
      // An answer template or an article link fills the reply box; the caseworker reads it through first.
      const prefilled = await prefilledDraft(pageContext, viewer, number, draft, {
        templateId: template === undefined ? undefined : Number(template),
        articleId: article === undefined ? undefined : Number(article),
        language: request.language,
      });
      return showCase(reply, pageContext, viewer, number, prefilled.draft, prefilled.status);
    },
  );

  // "Sett inn" without JavaScript: the reply form comes back with the template added after the text
  // already typed (nothing is saved or sent). With JavaScript the template goes in at the cursor instead.
  app.post<{ Params: { number: string }; Body: Record<string, unknown> }>(
    '/cases/:number/compose',
    { schema: { params: caseNumberParams } },
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      // Templates are the centre's: for anyone else there is nothing here.
      if (!can(viewer, 'work.view')) throw notFound();
      const { number } = request.params;
      const fields = request.body ?? {};
      const text = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string).trim() : undefined);
      const template = text('template');
      const kind = text('kind');
      const status = text('status');
      const draft = emptyDraft({
        body: cleanText(fields.message, true),
        hadFiles: request.uploads.length > 0,
        kind: kind !== undefined && (messageKinds as readonly string[]).includes(kind) ? kind : undefined,
        status: status !== undefined && (statuses as readonly string[]).includes(status) ? status : undefined,
        expectedDate: text('expected_date'),
      });
      const prefilled = await prefilledDraft(pageContext, viewer, number, draft, {
        templateId: template === undefined || template === '' ? undefined : isId(template) ? Number(template) : -1,
        articleId: undefined,
        language: request.language,
      });
      return showCase(reply, pageContext, viewer, number, prefilled.draft, prefilled.status);
    },
  );

  app.post<{ Params: { number: string }; Body: Record<string, unknown> }>(
    '/cases/:number/messages',
    { schema: { params: caseNumberParams } },
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      const { number } = request.params;
      const fields = request.body ?? {};
      const text = (name: string) => (typeof fields[name] === 'string' ? (fields[name] as string).trim() : undefined);
      const kind = text('kind');
      const status = text('status');
      const version = text('version');
      if (
        (kind !== undefined && !(messageKinds as readonly string[]).includes(kind)) ||
        (status !== undefined && !(statuses as readonly string[]).includes(status)) ||
        (version !== undefined && !isVersion(version))
      ) {
        throw new HttpError(400, 'bad_request');
      }
      const draft = emptyDraft({
        body: cleanText(fields.message, true),
        hadFiles: request.uploads.length > 0,
        kind,
        status,
        expectedDate: text('expected_date'),
        version: versionOf(version),
        macro: text('macro')?.slice(0, 20),
        closing: Object.fromEntries(
          ['category_id', 'resolution', 'time_spent'].flatMap((name) => {
            const value = text(name);
            return value === undefined ? [] : [[name, value.slice(0, 40)]];
          }),
        ),
      });
      const input = {
        body: draft.body,
        uploads: request.uploads,
        kind: kind as MessageKind | undefined,
        status: status as CaseStatus | undefined,
        expectedDate: draft.expectedDate,
        version: draft.version,
        // The fields the area asks for at closing, when the form showed them.
        handling: readHandling(fields, ['category_id', 'resolution', 'time_spent']),
        macroId: text('macro') ? (isId(text('macro')!) ? Number(text('macro')) : -1) : undefined,
        held: heldTokens(fields.held),
      };
      const result = await replyToCase(db, viewer, number, input, context(request));
      if ('problems' in result) {
        const held = result.held ?? [];
        // A file that was refused is not held: the user chooses it again.
        const newlyHeld = held.filter((file) => !input.held.includes(file.token)).length;
        return showCase(
          reply,
          pageContext,
          viewer,
          number,
          { ...draft, problems: result.problems, held, hadFiles: request.uploads.length > newlyHeld },
          result.status,
        );
      }
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
      // "Lagre og neste": saved, so on to the next case of the list the caseworker works through.
      if (text('after_save') === 'next' && can(viewer, 'work.view'))
        return reply.redirect(`/work/next?after=${number}`, 303);
      return reply.redirect(`/cases/${number}#timeline-heading`, 303);
    },
  );
}
