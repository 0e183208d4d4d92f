// The caseworker's actions on one case: classify, assign, grant power of attorney from a signed form,
// link a case from an unknown sender to a customer. A refusal renders the case page again.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Viewer } from '../auth/viewer.js';
import type { Refusal } from '../cases/rules.js';
import { requirePermission, requireViewer } from '../auth/guards.js';
import { emptyDraft, showCase, type CasePageContext } from '../cases/page.js';
import { cleanText, caseNumberParams, idOf, versionOf, versionString } from '../web/input.js';
import { assignCase, classifyCase, grantAttorneyFromCase, linkCustomer } from './service.js';
import { handleCase, readHandling } from '../cases/handling.js';
import { decideMembership } from '../me/membership.js';
import { notFound } from '../web/errors.js';

export async function caseWorkRoutes(app: FastifyInstance, pageContext: CasePageContext) {
  const { db, publicUrl, limits } = pageContext;
  const context = (request: FastifyRequest) => ({
    publicUrl,
    language: request.language,
    limits,
    audit: request.audit,
  });

  /** After a change of the case's handling: the case again, or its page with the refusal beside the form. */
  const settled = (
    request: FastifyRequest,
    reply: FastifyReply,
    viewer: Viewer,
    caseNumber: string,
    result: { changed: boolean } | Refusal,
    changedFlash: string,
  ) => {
    if ('problems' in result)
      return showCase(
        reply,
        pageContext,
        viewer,
        caseNumber,
        emptyDraft({ assignProblems: result.problems }),
        result.status,
      );
    request.session.set('flash', result.changed ? changedFlash : 'work.assignUnchanged');
    return reply.redirect(`/cases/${caseNumber}`, 303);
  };

  app.post<{ Params: { number: string }; Body: { classification?: string; version?: string } }>(
    '/cases/:number/classification',
    {
      schema: {
        params: caseNumberParams,
        body: {
          type: 'object',
          properties: {
            classification: { type: 'string', enum: ['', 'change_request'] },
            version: versionString,
          },
        },
      },
    },
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      const { number } = request.params;
      const result = await classifyCase(
        db,
        viewer,
        number,
        {
          classification: request.body.classification === 'change_request' ? 'change_request' : null,
          version: versionOf(request.body.version),
        },
        context(request),
      );
      return settled(request, reply, viewer, number, result, 'work.classified');
    },
  );

  // A request to act for another agency (src/me/membership.ts): approved (the membership is added) or refused.
  app.post<{ Params: { number: string }; Body: { decision?: string } }>(
    '/cases/:number/membership',
    {
      schema: {
        params: caseNumberParams,
        body: { type: 'object', properties: { decision: { type: 'string', maxLength: 20 } } },
      },
    },
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      const { number } = request.params;
      const decision = request.body?.decision;
      const result = await decideMembership(db, request.audit, viewer, number, decision);
      if (!result) throw notFound();
      return settled(
        request,
        reply,
        viewer,
        number,
        'problems' in result ? result : { changed: true },
        decision === 'approved' ? 'membership.approvedFlash' : 'membership.refusedFlash',
      );
    },
  );

  // Category, priority, resolution and time spent: the centre's own handling of the case.
  app.post<{ Params: { number: string }; Body: Record<string, string | undefined> }>(
    '/cases/:number/handling',
    {
      schema: {
        params: caseNumberParams,
        body: {
          type: 'object',
          properties: {
            category_id: { type: 'string', maxLength: 20 },
            priority: { type: 'string', maxLength: 20 },
            resolution: { type: 'string', maxLength: 40 },
            time_spent: { type: 'string', maxLength: 20 },
            version: versionString,
          },
        },
      },
    },
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      const { number } = request.params;
      const body = request.body ?? {};
      const change = readHandling(body, ['category_id', 'priority', 'resolution', 'time_spent']);
      const result = await handleCase(db, viewer, number, change, versionOf(body.version));
      if ('problems' in result)
        return showCase(
          reply,
          pageContext,
          viewer,
          number,
          emptyDraft({ handlingProblems: result.problems }),
          result.status,
        );
      request.session.set('flash', result.changed ? 'work.handling.saved' : 'work.assignUnchanged');
      return reply.redirect(`/cases/${number}`, 303);
    },
  );

  app.post<{ Params: { number: string }; Body: { group_id?: string; assignee_id?: string; version?: string } }>(
    '/cases/:number/assignment',
    {
      schema: {
        params: caseNumberParams,
        body: {
          type: 'object',
          properties: {
            group_id: { type: 'string', maxLength: 20 },
            assignee_id: { type: 'string', maxLength: 20 },
            version: versionString,
          },
        },
      },
    },
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      const { number } = request.params;
      // Empty: nobody (or no group); "me": the caseworker; anything else not an id: refused by assignCase.
      const id = (value: string | undefined, self?: number) =>
        value === undefined || value === '' ? null : value === 'me' && self ? self : (idOf(value) ?? -1);
      const body = request.body ?? {};
      const result = await assignCase(db, viewer, number, {
        groupId: id(body.group_id),
        assigneeId: id(body.assignee_id, viewer.userId),
        version: versionOf(body.version),
        publicUrl,
      });
      return settled(request, reply, viewer, number, result, 'work.assigned');
    },
  );

  // A signed power-of-attorney form came as an attachment: the caseworker grants the requester the
  // role in the case's agency, with the case as the reason in the audit trail.
  app.post<{ Params: { number: string } }>(
    '/cases/:number/power-of-attorney',
    { schema: { params: caseNumberParams } },
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      const { number } = request.params;
      const problems = await grantAttorneyFromCase(db, viewer, number, {
        audit: request.audit,
        reason: request.t('work.attorney.reason', { number }),
      });
      if (Object.keys(problems).length > 0)
        return showCase(reply, pageContext, viewer, number, emptyDraft({ assignProblems: problems }), 422);
      request.session.set('flash', 'work.attorney.granted');
      return reply.redirect(`/cases/${number}`, 303);
    },
  );

  // Links a case from an unknown sender to the customer (and agency) the caseworker picked.
  app.post<{ Params: { number: string }; Body: { customer?: string; version?: string; customer_q?: string } }>(
    '/cases/:number/customer',
    {
      schema: {
        params: caseNumberParams,
        body: {
          type: 'object',
          properties: {
            customer: { type: 'string', maxLength: 40 },
            version: versionString,
            customer_q: { type: 'string', maxLength: 200 },
          },
        },
      },
    },
    async (request, reply) => {
      // Only centre staff link cases to customers: refused before the choice is even read.
      const viewer = requirePermission(request.viewer, 'case.readInternal');
      const { number } = request.params;
      const body = request.body ?? {};
      const draft = emptyDraft(
        body.customer_q === undefined ? {} : { linkQuery: cleanText(body.customer_q, false).trim() },
      );
      // A customer and one of their agencies, as "user:agency".
      const parts = (body.customer ?? '').split(':');
      const [customerId, agencyId] = parts.length === 2 ? parts.map(idOf) : [];
      if (customerId === undefined || agencyId === undefined)
        return showCase(
          reply,
          pageContext,
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
          customerId,
          agencyId,
          version: versionOf(body.version),
        },
        context(request),
      );
      if ('problems' in result)
        return showCase(reply, pageContext, viewer, number, { ...draft, linkProblems: result.problems }, result.status);
      request.session.set('flash', 'work.link.done');
      return reply.redirect(`/cases/${number}`, 303);
    },
  );
}
