// Changing a template: the same checks as adding one, and for what it sets (case templates: form,
// category, channel; answer templates: a macro's status, group, assignee, category, priority), that each
// belongs to the template's area. Written with its audit entry.
import type { Audit } from '../../audit/log.js';
import type { Db } from '../../db/index.js';
import { statuses } from '../../cases/queries.js';
import { priorities } from '../../cases/rules.js';
import { fillTemplate } from '../../work/templates.js';
import type { Problems } from '../../web/input.js';
import type { TemplateChoices } from './queries.js';

export interface TemplateEdit {
  name: string;
  areaId: number | null;
  body: string;
  active: boolean;
  title: string;
  formId: number | null;
  categoryId: number | null;
  channel: string;
  setStatus: string;
  setGroupId: number | null;
  setAssignSelf: boolean;
  setCategoryId: number | null;
  setPriority: string;
}

export function checkTemplate(kind: string, input: TemplateEdit, choices: TemplateChoices): Problems {
  const problems: Problems = {};
  const inArea = (list: { id: number; area_id: number }[], id: number | null) =>
    id === null || list.some((x) => x.id === id && x.area_id === input.areaId);
  if (input.name.length < 2 || input.name.length > 200) problems.name = { key: 'admin.catalogue.errors.name' };
  if (input.body.length < 1 || input.body.length > 20000) problems.body = { key: 'admin.catalogue.errors.body' };
  if (input.areaId !== null && !choices.areas.some((a) => a.id === input.areaId))
    problems.area = { key: 'admin.catalogue.errors.area' };
  if (kind === 'case') {
    if (input.areaId === null) problems.area = { key: 'admin.catalogue.errors.area' };
    if (input.title.length < 1 || input.title.length > 200) problems.title = { key: 'admin.catalogue.errors.title' };
    if (!inArea(choices.forms, input.formId)) problems.form = { key: 'admin.templates.errors.inArea' };
    if (!inArea(choices.categories, input.categoryId)) problems.category = { key: 'admin.templates.errors.inArea' };
    if (!['phone', 'email', 'web'].includes(input.channel))
      problems.channel = { key: 'admin.templates.errors.channel' };
    return problems;
  }
  const filled = fillTemplate(input.body, { kunde: '', saksnummer: '', frist: '' });
  if ('unknown' in filled)
    problems.body = {
      key: 'admin.catalogue.errors.placeholder',
      params: { names: filled.unknown.map((n) => `{${n}}`).join(', ') },
    };
  if (input.setStatus !== '' && !(statuses as readonly string[]).includes(input.setStatus))
    problems.set_status = { key: 'admin.templates.errors.status' };
  if (input.setPriority !== '' && !(priorities as readonly string[]).includes(input.setPriority))
    problems.set_priority = { key: 'admin.templates.errors.priority' };
  // A group or a category is one area's: the template must be that area's.
  if (!inArea(choices.groups, input.setGroupId)) problems.set_group_id = { key: 'admin.templates.errors.inArea' };
  if (!inArea(choices.categories, input.setCategoryId))
    problems.set_category_id = { key: 'admin.templates.errors.inArea' };
  return problems;
}

export async function saveTemplate(db: Db, audit: Audit, id: number, kind: string, input: TemplateEdit) {
  const values =
    kind === 'case'
      ? {
          name: input.name,
          area_id: input.areaId,
          body: input.body,
          active: input.active,
          title: input.title,
          form_id: input.formId,
          category_id: input.categoryId,
          channel: input.channel,
        }
      : {
          name: input.name,
          area_id: input.areaId,
          body: input.body,
          active: input.active,
          set_status: input.setStatus || null,
          set_group_id: input.setGroupId,
          set_assign_self: input.setAssignSelf,
          set_category_id: input.setCategoryId,
          set_priority: input.setPriority || null,
        };
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('templates').set(values).where('id', '=', id).execute();
    await audit(trx, { action: 'admin.change', objectType: 'template', objectId: id, details: { changed: values } });
  });
}
