// Admin pages for agencies: search and create, then one agency's details, domains, contacts and members.
import { type Problems, cleanText, idOf, idParams, formBody } from '../../web/input.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Db } from '../../db/index.js';
import { areaNames } from '../../forms/queries.js';
import { requirePermission } from '../../auth/guards.js';
import { notFound } from '../../web/errors.js';
import { peopleQuery, type PeopleQuery } from '../../db/people.js';
import { agencyDetail, agencyExists, contactRoles, searchAgencies } from './queries.js';
import {
  addContact,
  addDomain,
  addMember,
  removeContact,
  removeDomain,
  saveAgency,
  type AgencyInput,
} from './service.js';

const text = (value: unknown, max = 200) => cleanText(value, false).slice(0, max);
const list = (value: unknown) => [value ?? []].flat().map((v) => text(v, 20));

function agencyInput(body: Record<string, unknown>): AgencyInput {
  return {
    name: text(body.name),
    orgNumber: text(body.org_number, 20).replace(/\s/g, ''),
    selfRegistration: body.self_registration === 'on',
    areas: list(body.areas),
  };
}

/** Which form on the agency page a set of problems belongs to, with what was typed. */
interface PageState {
  form?: 'agency' | 'domain' | 'contact' | 'member';
  values?: Record<string, unknown>;
  problems?: Problems;
}

export async function adminAgencyRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const listPage = async (reply: FastifyReply, q: string, state: PageState = {}, status = 200, page = 1) => {
    const [found, areas] = await Promise.all([searchAgencies(db, q, page), areaNames(db)]);
    return reply.render(
      { page: 'admin/agencies' },
      { q, ...found, areas, values: state.values ?? {}, problems: state.problems ?? {} },
      status,
    );
  };

  const agencyPage = async (
    reply: FastifyReply,
    id: number,
    state: PageState = {},
    status = 200,
    people?: PeopleQuery,
  ) => {
    const agency = await agencyDetail(db, id, people);
    if (!agency) throw notFound();
    return reply.render(
      { page: 'admin/agency' },
      { agency, contactRoles, form: state.form, values: state.values ?? {}, problems: state.problems ?? {} },
      status,
    );
  };

  /** The agency of the URL, or 404: every form below acts on an agency that exists. */
  const existing = async (id: string) => {
    if (!(await agencyExists(db, Number(id)))) throw notFound();
    return Number(id);
  };

  // The settings start with the agencies.
  app.get('/admin', async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    return reply.redirect('/admin/agencies', 303);
  });

  app.get<{ Querystring: { q?: string; page?: string } }>(
    '/admin/agencies',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { q: { type: 'string', maxLength: 200 }, page: { type: 'string', maxLength: 10 } },
        },
      },
    },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      return listPage(reply, text(request.query.q), {}, 200, peopleQuery({ page: request.query.page }).page);
    },
  );

  app.post<{ Body: Record<string, unknown> }>(
    '/admin/agencies',
    { schema: { body: formBody({ name: 'short', org_number: 'short', self_registration: 'short', areas: 'list' }) } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const input = agencyInput(request.body ?? {});
      const result = await saveAgency(db, request.audit, input);
      if (!result) throw notFound();
      if ('problems' in result)
        return listPage(
          reply,
          '',
          { values: { ...input, org_number: input.orgNumber }, problems: result.problems },
          422,
        );
      request.session.set('flash', 'admin.agencies.created');
      return reply.redirect(`/admin/agencies/${result.id}`, 303);
    },
  );

  app.get<{ Params: { id: string }; Querystring: Record<string, unknown> }>(
    '/admin/agencies/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      return agencyPage(reply, Number(request.params.id), {}, 200, peopleQuery(request.query));
    },
  );

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/admin/agencies/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const id = Number(request.params.id);
      const input = agencyInput(request.body ?? {});
      const result = await saveAgency(db, request.audit, input, id);
      if (!result) throw notFound();
      if ('problems' in result)
        return agencyPage(
          reply,
          id,
          { form: 'agency', values: { ...input, org_number: input.orgNumber }, problems: result.problems },
          422,
        );
      request.session.set('flash', 'admin.agencies.saved');
      return reply.redirect(`/admin/agencies/${id}`, 303);
    },
  );

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/admin/agencies/:id/domains',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const id = await existing(request.params.id);
      const domain = text(request.body?.domain, 300);
      const problems = await addDomain(db, request.audit, id, domain);
      if (Object.keys(problems).length > 0)
        return agencyPage(reply, id, { form: 'domain', values: { domain }, problems }, 422);
      request.session.set('flash', 'admin.agencies.domainAdded');
      return reply.redirect(`/admin/agencies/${id}`, 303);
    },
  );

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/admin/agencies/:id/domains/removal',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const id = await existing(request.params.id);
      if (!(await removeDomain(db, request.audit, id, text(request.body?.domain, 300)))) throw notFound();
      request.session.set('flash', 'admin.agencies.domainRemoved');
      return reply.redirect(`/admin/agencies/${id}`, 303);
    },
  );

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/admin/agencies/:id/contacts',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const id = await existing(request.params.id);
      const body = request.body ?? {};
      const values = {
        role: text(body.role, 40),
        name: text(body.name),
        email: text(body.email, 300),
        phone: text(body.phone, 40),
      };
      const problems = await addContact(db, request.audit, id, values);
      if (Object.keys(problems).length > 0) return agencyPage(reply, id, { form: 'contact', values, problems }, 422);
      request.session.set('flash', 'admin.agencies.contactAdded');
      return reply.redirect(`/admin/agencies/${id}`, 303);
    },
  );

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/admin/agencies/:id/contacts/removal',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const id = await existing(request.params.id);
      const contact = text(request.body?.contact, 20);
      const contactId = idOf(contact);
      if (contactId === undefined || !(await removeContact(db, request.audit, id, contactId))) throw notFound();
      request.session.set('flash', 'admin.agencies.contactRemoved');
      return reply.redirect(`/admin/agencies/${id}`, 303);
    },
  );

  app.post<{ Params: { id: string }; Body: Record<string, unknown> }>(
    '/admin/agencies/:id/members',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const id = await existing(request.params.id);
      const values = {
        member_email: text(request.body?.member_email, 300),
        member_name: text(request.body?.member_name),
      };
      const problems = await addMember(db, request.audit, id, { email: values.member_email, name: values.member_name });
      if (Object.keys(problems).length > 0) return agencyPage(reply, id, { form: 'member', values, problems }, 422);
      request.session.set('flash', 'admin.agencies.memberAdded');
      return reply.redirect(`/admin/agencies/${id}`, 303);
    },
  );
}
