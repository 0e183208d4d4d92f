// Min side, so far: the choice of which agency a user acts for, and the agency's authorised orderers.
import { changeMailboxMember, createMailbox, appointOrderer, removeOrderer, switchAgency } from './service.js';
import {
  accessOverview,
  contactsByRole,
  agencyOrderers,
  agencyMailboxes,
  mailboxNamesByUser,
  accessOrderForms,
  agencyProfile,
} from './queries.js';
import { type Problems, cleanText, hasProblems, idOf, formBody } from '../web/input.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Db } from '../db/index.js';
import { areaNames } from '../forms/queries.js';
import { can, requirePermission, requireViewer } from '../auth/guards.js';
import type { Viewer } from '../auth/viewer.js';
import { notFound } from '../web/errors.js';
import { peopleQuery } from '../db/people.js';
import { contentDisposition } from '../attachments/files.js';
import { powerOfAttorneyWorkbook } from './power-of-attorney.js';
import { askForMembership } from './membership.js';
import { activeAreas } from '../cases/queries.js';

const text = (value: unknown, max = 500) => cleanText(value, false).trim().slice(0, max);

export async function meRoutes(app: FastifyInstance, { db, publicUrl }: { db: Db; publicUrl: URL }) {
  // Min side: profile and language, the agency's contacts by role, and the access overview for those allowed.
  const mePage = async (
    reply: FastifyReply,
    viewer: Viewer,
    query: Record<string, unknown>,
    ask: { values?: Record<string, string>; problems?: Problems } = {},
    status = 200,
  ) => {
    const agencyId = viewer.agencyId;
    const people = peopleQuery(query);
    const [agency, contacts, overview, areas] = await Promise.all([
      agencyId === null ? undefined : agencyProfile(db, agencyId),
      agencyId === null ? [] : contactsByRole(db, agencyId),
      agencyId !== null && can(viewer, 'agency.accessOverview')
        ? Promise.all([accessOverview(db, agencyId, people), mailboxNamesByUser(db, agencyId)]).then(
            ([found, mailboxes]) => ({
              ...found,
              who: people.who,
              people: found.people.map((p) => ({ ...p, mailboxes: mailboxes.get(p.id) ?? [] })),
            }),
          )
        : undefined,
      areaNames(db),
    ]);
    const areaName = new Map(areas.map((a) => [a.id, { nb: a.name_nb, en: a.name_en }]));
    // The viewer's own roles, in the agency they act for now and at the centre.
    const myRoles = viewer.roles
      .filter((r) => r.agencyId === null || r.agencyId === agencyId)
      .map((r) => ({ role: r.role, area: r.areaId === null ? undefined : areaName.get(r.areaId) }));
    // Access-order forms of the areas this viewer orders for.
    const orderForms = (await accessOrderForms(db)).filter((form) =>
      can(viewer, 'access.order', { areaId: form.area_id }),
    );
    return reply.render(
      { page: 'me/index' },
      {
        agency,
        contacts,
        overview,
        myRoles,
        orderForms,
        areas: await activeAreas(db),
        askValues: ask.values ?? {},
        askProblems: ask.problems ?? {},
      },
      status,
    );
  };

  app.get<{ Querystring: Record<string, unknown> }>('/me', async (request, reply) =>
    mePage(reply, requireViewer(request.viewer), request.query),
  );

  // Asking to act for another agency: a case the area's caseworkers decide (src/me/membership.ts).
  app.post<{ Body: { org_number?: string; area?: string; reason?: string } }>(
    '/me/membership-requests',
    { schema: { body: formBody({ org_number: 'short', area: 'short', reason: 'long' }) } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'case.create');
      const values = {
        org_number: text(request.body.org_number, 40).replace(/\s/g, ''),
        area: text(request.body.area, 40),
        reason: cleanText(request.body.reason, true).trim().slice(0, 2000),
      };
      const result = await askForMembership(
        db,
        viewer,
        { orgNumber: values.org_number, area: values.area, reason: values.reason },
        { language: request.language, publicUrl },
      );
      if ('problems' in result) return mePage(reply, viewer, {}, { values, problems: result.problems }, 422);
      request.session.set('flash', { key: 'membership.asked', params: { number: result.number } });
      return reply.redirect(`/cases/${result.number}`, 303);
    },
  );

  // The signed power-of-attorney form (seed 001), with the agency the user acts for filled in.
  app.get('/me/power-of-attorney.xlsx', async (request, reply) => {
    const viewer = requireViewer(request.viewer);
    const agency = viewer.agencyId === null ? undefined : await agencyProfile(db, viewer.agencyId);
    if (!agency) throw notFound();
    return reply
      .header('content-type', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
      .header('content-disposition', contentDisposition(`${request.t('attorney.filename')}-${agency.org_number}.xlsx`))
      .header('cache-control', 'private, no-store')
      .send(await powerOfAttorneyWorkbook(agency, request.t));
  });

  // Every list, form and export reads the active agency from the session, so they all follow at once.
  app.post<{ Body: { agency?: string } }>(
    '/me/agency',
    { schema: { body: { type: 'object', properties: { agency: { type: 'string', maxLength: 20 } } } } },
    async (request, reply) => {
      const viewer = requireViewer(request.viewer);
      const chosen = await switchAgency(db, viewer, request.body?.agency);
      request.session.set('flash', { key: 'me.agencySwitched', params: { name: chosen.name } });
      // A case page of the agency left behind would now be out of reach: start from the list.
      return reply.redirect(can({ ...viewer, agencyId: chosen.id }, 'case.list') ? '/cases' : '/', 303);
    },
  );

  // Shared mailboxes: members see theirs; the agency's shared-mailbox administrators see and manage all.
  const mailboxesPage = async (
    reply: FastifyReply,
    viewer: Viewer,
    state: { values?: Record<string, string>; problems?: Problems } = {},
    status = 200,
  ) => {
    const manage = can(viewer, 'mailbox.manage');
    const mailboxes = await agencyMailboxes(db, viewer.agencyId!, manage ? undefined : viewer.userId);
    return reply.render(
      { page: 'me/mailboxes' },
      { mailboxes, manage, values: state.values ?? {}, problems: state.problems ?? {} },
      status,
    );
  };

  app.get('/me/mailboxes', async (request, reply) =>
    mailboxesPage(reply, requirePermission(request.viewer, 'case.list')),
  );

  app.post<{ Body: Record<string, unknown> }>(
    '/me/mailboxes',
    { schema: { body: formBody({ mailbox_name: 'short', mailbox_email: 'short' }) } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'mailbox.manage');
      const values = {
        mailbox_name: text(request.body?.mailbox_name, 200),
        mailbox_email: text(request.body?.mailbox_email, 300),
      };
      const problems = await createMailbox(db, request.audit, viewer.agencyId!, {
        name: values.mailbox_name,
        email: values.mailbox_email,
      });
      if (hasProblems(problems)) return mailboxesPage(reply, viewer, { values, problems }, 422);
      request.session.set('flash', 'me.mailboxes.created');
      return reply.redirect('/me/mailboxes', 303);
    },
  );

  for (const [path, add] of [
    ['/me/mailboxes/members', true],
    ['/me/mailboxes/members/removal', false],
  ] as const) {
    app.post<{ Body: Record<string, unknown> }>(path, async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'mailbox.manage');
      const mailbox = text(request.body?.mailbox, 20);
      const person = text(request.body?.user, 300);
      const mailboxId = idOf(mailbox);
      if (mailboxId === undefined) throw notFound();
      const result = await changeMailboxMember(db, request.audit, viewer.agencyId!, { mailboxId, person, add });
      // Another agency's mailbox is not found, so its id tells nothing.
      if (result === undefined) throw notFound();
      // The address as typed stays in the form that was refused.
      if (hasProblems(result))
        return mailboxesPage(reply, viewer, { values: { [`member-${mailboxId}`]: person }, problems: result }, 422);
      request.session.set('flash', add ? 'me.mailboxes.added' : 'me.mailboxes.removed');
      return reply.redirect('/me/mailboxes', 303);
    });
  }

  // Everyone in the agency sees who may order access; those allowed appoint and remove orderers.
  const orderersPage = async (
    reply: FastifyReply,
    viewer: Viewer,
    state: { values?: Record<string, string>; problems?: Problems } = {},
    status = 200,
  ) => {
    const data = await agencyOrderers(db, viewer.agencyId!);
    const appointAreas = data.areas.filter((area) => can(viewer, 'agency.appointOrderers', { areaId: area.id }));
    return reply.render(
      { page: 'me/orderers' },
      {
        ...data,
        appointAreas,
        mayAppoint: can(viewer, 'agency.appointOrderers'),
        values: state.values ?? {},
        problems: state.problems ?? {},
      },
      status,
    );
  };

  app.get('/me/orderers', async (request, reply) =>
    orderersPage(reply, requirePermission(request.viewer, 'case.list')),
  );

  app.post<{ Body: Record<string, unknown> }>(
    '/me/orderers',
    { schema: { body: formBody({ user: 'short', area: 'short', reason: 'short' }) } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'agency.appointOrderers');
      const values = {
        user: text(request.body?.user, 300),
        area: text(request.body?.area, 20),
        reason: text(request.body?.reason),
      };
      const problems = await appointOrderer(db, request.audit, viewer, values);
      if (hasProblems(problems)) return orderersPage(reply, viewer, { values, problems }, 422);
      request.session.set('flash', 'me.orderers.appointed');
      return reply.redirect('/me/orderers', 303);
    },
  );

  app.post<{ Body: Record<string, unknown> }>(
    '/me/orderers/removal',
    { schema: { body: formBody({ role_id: 'short', reason: 'short' }) } },
    async (request, reply) => {
      const viewer = requirePermission(request.viewer, 'agency.appointOrderers');
      // Another agency's role, or one for an area this viewer does not appoint for, is not found.
      const result = await removeOrderer(
        db,
        request.audit,
        viewer,
        text(request.body?.role_id, 20),
        text(request.body?.reason),
      );
      if (result === undefined) throw notFound();
      if (hasProblems(result)) return orderersPage(reply, viewer, { problems: result }, 422);
      request.session.set('flash', 'me.orderers.removed');
      return reply.redirect('/me/orderers', 303);
    },
  );
}
