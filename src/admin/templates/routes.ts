// /admin/templates/:id: an answer or case template, editable after it was created.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Db } from '../../db/index.js';
import { requirePermission } from '../../auth/guards.js';
import { cleanText, idOf, idParams, type Problems } from '../../web/input.js';
import { notFound } from '../../web/errors.js';
import { statuses } from '../../cases/queries.js';
import { priorities } from '../../cases/rules.js';
import { templateById, templateChoices } from './queries.js';
import { checkTemplate, saveTemplate, type TemplateEdit } from './service.js';

type Body = Record<string, unknown>;

function readEdit(body: Body): TemplateEdit {
  const line = (name: string, max = 200) => cleanText(body[name], false).slice(0, max);
  const id = (name: string) => (line(name, 20) === '' ? null : (idOf(line(name, 20)) ?? -1));
  return {
    name: line('name'),
    areaId: id('area'),
    body: cleanText(body.body, true).slice(0, 20001),
    active: body.active === 'yes',
    title: line('title'),
    formId: id('form'),
    categoryId: id('category'),
    channel: line('channel', 10),
    setStatus: line('set_status', 30),
    setGroupId: id('set_group_id'),
    setAssignSelf: body.set_assign_self === 'yes',
    setCategoryId: id('set_category_id'),
    setPriority: line('set_priority', 20),
  };
}

export async function templateRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const page = async (
    reply: FastifyReply,
    id: number,
    state: { values?: TemplateEdit; problems?: Problems } = {},
    status = 200,
  ) => {
    const [template, choices] = await Promise.all([templateById(db, id), templateChoices(db)]);
    if (!template) throw notFound();
    const values: TemplateEdit = state.values ?? {
      name: template.name,
      areaId: template.area_id,
      body: template.body,
      active: template.active,
      title: template.title ?? '',
      formId: template.form_id,
      categoryId: template.category_id,
      channel: template.channel ?? 'phone',
      setStatus: template.set_status ?? '',
      setGroupId: template.set_group_id,
      setAssignSelf: template.set_assign_self,
      setCategoryId: template.set_category_id,
      setPriority: template.set_priority ?? '',
    };
    return reply.render(
      { page: 'admin/template' },
      { template, values, choices, statuses, priorities, problems: state.problems ?? {} },
      status,
    );
  };

  app.get<{ Params: { id: string } }>(
    '/admin/templates/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      return page(reply, Number(request.params.id));
    },
  );

  app.post<{ Params: { id: string }; Body: Body }>(
    '/admin/templates/:id',
    { schema: { params: idParams } },
    async (request, reply) => {
      requirePermission(request.viewer, 'admin.view');
      const id = Number(request.params.id);
      const [template, choices] = await Promise.all([templateById(db, id), templateChoices(db)]);
      if (!template) throw notFound();
      const values = readEdit(request.body ?? {});
      const problems = checkTemplate(template.kind, values, choices);
      if (Object.keys(problems).length > 0) return page(reply, id, { values, problems }, 422);
      await saveTemplate(db, request.audit, id, template.kind, values);
      request.session.set('flash', 'admin.saved');
      return reply.redirect(`/admin/templates/${id}`, 303);
    },
  );
}
