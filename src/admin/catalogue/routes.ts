// Admin pages for the service catalogue: areas (with their categories, forms, groups and routing),
// one form's fields, and answer and case templates.
import { type Problems, cleanText, idOf, idParams, formBody } from '../../web/input.js';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Db } from '../../db/index.js';
import { areaNames } from '../../forms/queries.js';
import { requirePermission } from '../../auth/guards.js';
import { HttpError, notFound } from '../../web/errors.js';
import { closingFields } from '../../cases/rules.js';
import { areaDetail, listAreas, listTemplates, areaExists, formWithArea } from './queries.js';
import {
  addTemplate,
  addToArea,
  changeGroupMember,
  removeRouting,
  saveArea,
  saveForm,
  setActive,
  setClosingRules,
  setRouting,
  setTemplateActive,
  type AreaInput,
  type Named,
} from './service.js';

import { saveAreaContact } from '../../site/contact.js';

const line = (value: unknown, max = 200) => cleanText(value, false).slice(0, max);
const multiline = (value: unknown, max = 20000) => cleanText(value, true).slice(0, max);
type Body = Record<string, unknown>;

const named = (body: Body): Named => ({
  code: line(body.code, 40),
  name_nb: line(body.name_nb),
  name_en: line(body.name_en),
});
const areaInput = (body: Body): AreaInput => ({
  ...named(body),
  description_nb: line(body.description_nb, 1000),
  description_en: line(body.description_en, 1000),
  sort_order: line(body.sort_order, 10),
  active: body.active === 'on',
});

/** Which form on the area page a set of problems belongs to, and what was typed there. */
interface State {
  form?: string;
  values?: object;
  problems?: Problems;
}

export async function adminCatalogueRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const query = { querystring: { type: 'object', properties: { q: { type: 'string', maxLength: 200 } } } } as const;
  const areasPage = async (reply: FastifyReply, state: State & { q?: string } = {}, status = 200) =>
    reply.render(
      { page: 'admin/areas' },
      {
        q: state.q ?? '',
        areas: await listAreas(db, state.q),
        values: state.values ?? {},
        problems: state.problems ?? {},
      },
      status,
    );

  const areaPage = async (reply: FastifyReply, id: number, state: State = {}, status = 200) => {
    const detail = await areaDetail(db, id);
    if (!detail) throw notFound();
    return reply.render(
      { page: 'admin/area' },
      { ...detail, form: state.form, values: state.values ?? {}, problems: state.problems ?? {}, closingFields },
      status,
    );
  };

  const existingArea = async (id: string) => {
    if (!(await areaExists(db, Number(id)))) throw notFound();
    return Number(id);
  };

  const done = (request: import('fastify').FastifyRequest, reply: FastifyReply, to: string) => {
    request.session.set('flash', 'admin.saved');
    return reply.redirect(to, 303);
  };

  app.get<{ Querystring: { q?: string } }>('/admin/areas', { schema: query }, async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    return areasPage(reply, { q: line(request.query.q) });
  });

  app.post<{ Body: Body }>(
    '/admin/areas',
    {
      schema: {
        body: formBody({
          code: 'short',
          name_nb: 'short',
          name_en: 'short',
          description_nb: 'short',
          description_en: 'short',
          sort_order: 'short',
          active: 'short',
        }),
      },
    },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const input = areaInput(request.body ?? {});
      const result = await saveArea(db, request.audit, { ...input, active: true });
      if (!result) throw notFound();
      if ('problems' in result) return areasPage(reply, { values: input, problems: result.problems }, 422);
      return done(request, reply, `/admin/areas/${result.id}`);
    },
  );

  app.get<{ Params: { id: string } }>('/admin/areas/:id', { schema: { params: idParams } }, async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    return areaPage(reply, Number(request.params.id));
  });

  app.post<{ Params: { id: string }; Body: Body }>(
    '/admin/areas/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const id = Number(request.params.id);
      const input = areaInput(request.body ?? {});
      const result = await saveArea(db, request.audit, input, id);
      if (!result) throw notFound();
      if ('problems' in result)
        return areaPage(reply, id, { form: 'area', values: input, problems: result.problems }, 422);
      return done(request, reply, `/admin/areas/${id}`);
    },
  );

  // What closing a case of the area requires (see src/cases/rules.ts).
  app.post<{ Params: { id: string }; Body: Body }>(
    '/admin/areas/:id/closing',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const id = await existingArea(request.params.id);
      const chosen = request.body?.closing;
      const fields = chosen === undefined ? [] : [chosen].flat().map(String);
      if (!(await setClosingRules(db, request.audit, id, fields))) throw new HttpError(400, 'bad_request');
      return done(request, reply, `/admin/areas/${id}#closing-heading`);
    },
  );

  // The area's customer centre on /contact: phone, e-mail and opening hours.
  app.post<{ Params: { id: string }; Body: Body }>(
    '/admin/areas/:id/contact',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const id = await existingArea(request.params.id);
      const body = request.body ?? {};
      const input = {
        contact_phone: line(body.contact_phone, 40).trim(),
        contact_email: line(body.contact_email, 254).trim().toLowerCase(),
        opening_hours_nb: line(body.opening_hours_nb, 400).trim(),
        opening_hours_en: line(body.opening_hours_en, 400).trim(),
      };
      const problems = await saveAreaContact(db, request.audit, id, input);
      if (Object.keys(problems).length > 0)
        return areaPage(reply, id, { form: 'contact', values: input, problems }, 422);
      return done(request, reply, `/admin/areas/${id}#contact-heading`);
    },
  );

  // Categories, groups and forms are added the same way: a code and names in both languages.
  for (const kind of ['category', 'group', 'form'] as const) {
    app.post<{ Params: { id: string }; Body: Body }>(
      `/admin/areas/:id/${kind === 'category' ? 'categories' : `${kind}s`}`,
      { schema: { params: idParams } },
      async (request, reply) => {
        requirePermission(request.viewer, 'admin.view');
        const id = await existingArea(request.params.id);
        const input = named(request.body ?? {});
        const problems = await addToArea(db, request.audit, id, kind, input);
        if (Object.keys(problems).length > 0) return areaPage(reply, id, { form: kind, values: input, problems }, 422);
        return done(request, reply, `/admin/areas/${id}`);
      },
    );
  }

  app.post<{ Params: { id: string }; Body: Body }>(
    '/admin/areas/:id/active',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const id = await existingArea(request.params.id);
      const body = request.body ?? {};
      const kind = body.kind === 'group' ? 'group' : body.kind === 'category' ? 'category' : undefined;
      const target = idOf(body.target);
      if (
        !kind ||
        target === undefined ||
        !(await setActive(db, request.audit, id, kind, target, body.active === 'true'))
      )
        throw notFound();
      return done(request, reply, `/admin/areas/${id}`);
    },
  );

  for (const [path, add] of [
    ['/admin/areas/:id/group-members', true],
    ['/admin/areas/:id/group-members/removal', false],
  ] as const) {
    app.post<{ Params: { id: string }; Body: Body }>(path, { schema: { params: idParams } }, async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const id = await existingArea(request.params.id);
      const group = idOf(request.body?.group);
      if (group === undefined) throw notFound();
      const result = await changeGroupMember(db, request.audit, id, group, idOf(request.body?.user), add);
      if (result === undefined) throw notFound();
      if (Object.keys(result).length > 0) return areaPage(reply, id, { form: 'member', problems: result }, 422);
      return done(request, reply, `/admin/areas/${id}`);
    });
  }

  app.post<{ Params: { id: string }; Body: Body }>(
    '/admin/areas/:id/routing',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const id = await existingArea(request.params.id);
      const values = {
        routing_form: line(request.body?.routing_form, 20),
        routing_group: line(request.body?.routing_group, 20),
      };
      const problems = await setRouting(db, request.audit, id, values.routing_form, values.routing_group);
      if (Object.keys(problems).length > 0) return areaPage(reply, id, { form: 'routing', values, problems }, 422);
      return done(request, reply, `/admin/areas/${id}`);
    },
  );

  app.post<{ Params: { id: string }; Body: Body }>(
    '/admin/areas/:id/routing/removal',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const id = await existingArea(request.params.id);
      const rule = idOf(request.body?.rule);
      if (rule === undefined || !(await removeRouting(db, request.audit, id, rule))) throw notFound();
      return done(request, reply, `/admin/areas/${id}`);
    },
  );

  const formPage = async (reply: FastifyReply, id: number, state: State = {}, status = 200) => {
    const form = await formWithArea(db, id);
    if (!form) throw notFound();
    const values = state.values ?? { ...form, fields: JSON.stringify(form.fields, null, 2) };
    return reply.render({ page: 'admin/form' }, { form, values, problems: state.problems ?? {} }, status);
  };

  app.get<{ Params: { id: string } }>('/admin/forms/:id', { schema: { params: idParams } }, async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    return formPage(reply, Number(request.params.id));
  });

  app.post<{ Params: { id: string }; Body: Body }>(
    '/admin/forms/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const id = Number(request.params.id);
      const body = request.body ?? {};
      const input = {
        ...named(body),
        description_nb: line(body.description_nb, 1000),
        description_en: line(body.description_en, 1000),
        fields: multiline(body.fields, 100_000),
        active: body.active === 'on',
      };
      const problems = await saveForm(db, request.audit, id, input);
      if (problems === undefined) throw notFound();
      if (Object.keys(problems).length > 0) return formPage(reply, id, { values: input, problems }, 422);
      return done(request, reply, `/admin/forms/${id}`);
    },
  );

  const templatesPage = async (reply: FastifyReply, state: State & { q?: string } = {}, status = 200) => {
    const [templates, areas] = await Promise.all([listTemplates(db, state.q), areaNames(db)]);
    return reply.render(
      { page: 'admin/templates' },
      { q: state.q ?? '', templates, areas, values: state.values ?? {}, problems: state.problems ?? {} },
      status,
    );
  };

  app.get<{ Querystring: { q?: string } }>('/admin/templates', { schema: query }, async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    return templatesPage(reply, { q: line(request.query.q) });
  });

  app.post<{ Body: Body }>(
    '/admin/templates',
    {
      schema: {
        body: formBody({
          template_kind: 'short',
          template_name: 'short',
          template_area: 'short',
          template_title: 'short',
          template_body: 'long',
        }),
      },
    },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const body = request.body ?? {};
      const values = {
        template_kind: line(body.template_kind, 10),
        template_name: line(body.template_name),
        template_area: line(body.template_area, 20),
        template_title: line(body.template_title),
        template_body: multiline(body.template_body),
      };
      const problems = await addTemplate(db, request.audit, {
        kind: values.template_kind,
        name: values.template_name,
        area: values.template_area,
        title: values.template_title,
        body: values.template_body,
      });
      if (Object.keys(problems).length > 0) return templatesPage(reply, { values, problems }, 422);
      return done(request, reply, '/admin/templates');
    },
  );

  app.post<{ Body: Body }>(
    '/admin/templates/active',
    { schema: { body: formBody({ template: 'short', active: 'short' }) } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const id = idOf(request.body?.template);
      if (id === undefined || !(await setTemplateActive(db, request.audit, id, request.body?.active === 'true')))
        throw notFound();
      return done(request, reply, '/admin/templates');
    },
  );
}
