// The service catalogue as admins keep it: areas, their categories and forms (with their fields),
// caseworker groups and their members, routing rules, and answer and case templates. Each change is
// checked with a message per field and written in one transaction with its audit entry.
import { idOf, type Problems } from '../../web/input.js';
import type { Db } from '../../db/index.js';
import { forgetCaseNames } from '../../cases/list/names.js';
import type { Audit } from '../../audit/log.js';
import { checkDefinition } from '../../forms/definition.js';
import { fillTemplate } from '../../work/templates.js';
import { closingFields } from '../../cases/rules.js';

const codePattern = /^[a-z][a-z0-9_-]{0,39}$/;

/** Names in both languages, and a code where the thing has one. */
export interface Named {
  code?: string;
  name_nb: string;
  name_en: string;
}

function checkNamed(input: Named, withCode: boolean): Problems {
  const problems: Problems = {};
  if (withCode && !codePattern.test(input.code ?? '')) problems.code = { key: 'admin.catalogue.errors.code' };
  if (input.name_nb.length < 1 || input.name_nb.length > 200) problems.name_nb = { key: 'admin.catalogue.errors.name' };
  if (input.name_en.length < 1 || input.name_en.length > 200) problems.name_en = { key: 'admin.catalogue.errors.name' };
  return problems;
}

export interface AreaInput extends Named {
  description_nb: string;
  description_en: string;
  sort_order: string;
  active: boolean;
}

/** Creates an area (with a code) or updates one; the code never changes, links and mail addresses use it. */
export async function saveArea(
  db: Db,
  audit: Audit,
  input: AreaInput,
  id?: number,
): Promise<{ id: number } | { problems: Problems } | undefined> {
  const problems = checkNamed(input, id === undefined);
  const order = Number(input.sort_order || '0');
  if (!Number.isInteger(order) || order < -1000 || order > 1000)
    problems.sort_order = { key: 'admin.catalogue.errors.order' };
  if (input.description_nb.length > 1000 || input.description_en.length > 1000)
    problems.description_nb = { key: 'admin.catalogue.errors.description' };
  if (Object.keys(problems).length > 0) return { problems };
  const outcome = await db.transaction().execute(async (trx) => {
    const values = {
      name_nb: input.name_nb,
      name_en: input.name_en,
      description_nb: input.description_nb,
      description_en: input.description_en,
      sort_order: order,
      active: input.active,
    };
    let saved: { id: number } | undefined;
    if (id === undefined) {
      saved = await trx
        .insertInto('areas')
        .values({ ...values, code: input.code! })
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!saved) return { problems: { code: { key: 'admin.catalogue.errors.codeTaken' } } };
    } else {
      saved = await trx.updateTable('areas').set(values).where('id', '=', id).returning('id').executeTakeFirst();
      if (!saved) return undefined;
    }
    await audit(trx, {
      action: 'admin.change',
      objectType: 'area',
      objectId: saved.id,
      details: { ...values, ...(id === undefined ? { created: input.code } : {}) },
    });
    return saved;
  });
  // The case lists show the new name at once in this process (other processes within seconds).
  forgetCaseNames(db);
  return outcome;
}

/** Adds a category, a group or a form to an area; all three have a code unique where it counts. */
export async function addToArea(
  db: Db,
  audit: Audit,
  areaId: number,
  kind: 'category' | 'group' | 'form',
  input: Named,
): Promise<Problems> {
  const problems = checkNamed(input, true);
  if (Object.keys(problems).length > 0) return problems;
  return db.transaction().execute(async (trx): Promise<Problems> => {
    const values = { area_id: areaId, code: input.code!, name_nb: input.name_nb, name_en: input.name_en };
    const table = kind === 'category' ? 'categories' : kind === 'group' ? 'groups' : 'forms';
    // New forms start inactive with the general description field only, until their fields are set.
    const added = await trx
      .insertInto(table)
      .values(kind === 'form' ? { ...values, active: false } : values)
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (!added) return { code: { key: 'admin.catalogue.errors.codeTaken' } };
    await audit(trx, { action: 'admin.change', objectType: kind, objectId: added.id, details: { created: values } });
    return {};
  });
}

/** Switches a category or group of the area on or off; undefined when it is not the area's. */
export async function setActive(
  db: Db,
  audit: Audit,
  areaId: number,
  kind: 'category' | 'group',
  id: number,
  active: boolean,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const table = kind === 'category' ? 'categories' : 'groups';
    const changed = await trx
      .updateTable(table)
      .set({ active })
      .where('id', '=', id)
      .where('area_id', '=', areaId)
      .returning('id')
      .executeTakeFirst();
    if (changed) await audit(trx, { action: 'admin.change', objectType: kind, objectId: id, details: { active } });
    return changed !== undefined;
  });
}

/** Adds or removes a caseworker of the area to or from one of its groups. */
export async function changeGroupMember(
  db: Db,
  audit: Audit,
  areaId: number,
  groupId: number,
  userId: number | undefined,
  add: boolean,
): Promise<Problems | undefined> {
  return db.transaction().execute(async (trx): Promise<Problems | undefined> => {
    const group = await trx
      .selectFrom('groups')
      .select('id')
      .where('id', '=', groupId)
      .where('area_id', '=', areaId)
      .executeTakeFirst();
    if (!group) return undefined;
    const caseworker =
      userId === undefined
        ? undefined
        : await trx
            .selectFrom('user_roles')
            .select('user_id')
            .where('user_id', '=', userId)
            .where('role', '=', 'caseworker')
            .where('area_id', '=', areaId)
            .executeTakeFirst();
    if (!caseworker) return { [`group-${groupId}`]: { key: 'admin.catalogue.errors.caseworker' } };
    const changed = add
      ? await trx
          .insertInto('group_members')
          .values({ group_id: groupId, user_id: caseworker.user_id })
          .onConflict((oc) => oc.doNothing())
          .returning('user_id')
          .executeTakeFirst()
      : await trx
          .deleteFrom('group_members')
          .where('group_id', '=', groupId)
          .where('user_id', '=', caseworker.user_id)
          .returning('user_id')
          .executeTakeFirst();
    if (!changed)
      return { [`group-${groupId}`]: { key: add ? 'me.mailboxes.errors.already' : 'me.mailboxes.errors.notMember' } };
    await audit(trx, {
      action: 'admin.change',
      objectType: 'group_member',
      objectId: groupId,
      details: { [add ? 'added' : 'removed']: caseworker.user_id },
    });
    return {};
  });
}

/**
 * Routes new cases of the area (of one form, or of all its forms) to a group; replaces an earlier rule for the same.
 */
export async function setRouting(
  db: Db,
  audit: Audit,
  areaId: number,
  formValue: string,
  groupValue: string,
): Promise<Problems> {
  return db.transaction().execute(async (trx): Promise<Problems> => {
    const formId = formValue === '' ? null : idOf(formValue);
    const form =
      formId === null
        ? true
        : formId !== undefined &&
          (await trx
            .selectFrom('forms')
            .select('id')
            .where('id', '=', formId)
            .where('area_id', '=', areaId)
            .executeTakeFirst());
    const groupId = idOf(groupValue);
    const group =
      groupId !== undefined &&
      (await trx
        .selectFrom('groups')
        .select('id')
        .where('id', '=', groupId)
        .where('area_id', '=', areaId)
        .executeTakeFirst());
    const problems: Problems = {};
    if (!form) problems.routing_form = { key: 'admin.catalogue.errors.form' };
    if (!group) problems.routing_group = { key: 'admin.catalogue.errors.group' };
    if (Object.keys(problems).length > 0 || !group) return problems;
    await trx
      .insertInto('routing_rules')
      .values({ area_id: areaId, form_id: formId ?? null, group_id: group.id })
      .onConflict((oc) => oc.columns(['area_id', 'form_id']).doUpdateSet({ group_id: group.id }))
      .execute();
    await audit(trx, {
      action: 'admin.change',
      objectType: 'routing_rule',
      objectId: areaId,
      details: { form: formId ?? null, group: group.id },
    });
    return {};
  });
}

export async function removeRouting(db: Db, audit: Audit, areaId: number, ruleId: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom('routing_rules')
      .where('id', '=', ruleId)
      .where('area_id', '=', areaId)
      .returning(['id', 'form_id', 'group_id'])
      .executeTakeFirst();
    if (removed)
      await audit(trx, { action: 'admin.change', objectType: 'routing_rule', objectId: areaId, details: { removed } });
    return removed !== undefined;
  });
}

export interface FormInput extends Named {
  description_nb: string;
  description_en: string;
  fields: string;
  active: boolean;
}

/** Updates a form; its fields (JSON) must pass the same check the form renderer relies on. */
export async function saveForm(db: Db, audit: Audit, id: number, input: FormInput): Promise<Problems | undefined> {
  const problems = checkNamed(input, false);
  let fields: unknown;
  try {
    fields = JSON.parse(input.fields || '[]');
  } catch {
    problems.fields = { key: 'admin.catalogue.errors.json' };
  }
  if (!problems.fields) {
    const found = checkDefinition(fields);
    if (found.length > 0) problems.fields = { key: found[0]!.key, params: found[0]!.params };
  }
  if (Object.keys(problems).length > 0) return problems;
  const outcome = await db.transaction().execute(async (trx): Promise<Problems | undefined> => {
    const values = {
      name_nb: input.name_nb,
      name_en: input.name_en,
      description_nb: input.description_nb.slice(0, 1000),
      description_en: input.description_en.slice(0, 1000),
      active: input.active,
      fields: JSON.stringify(fields),
    };
    const saved = await trx.updateTable('forms').set(values).where('id', '=', id).returning('id').executeTakeFirst();
    if (!saved) return undefined;
    await audit(trx, { action: 'admin.change', objectType: 'form', objectId: id, details: { ...values, fields } });
    return {};
  });
  // The case lists show the new name at once in this process (other processes within seconds).
  forgetCaseNames(db);
  return outcome;
}

export interface TemplateInput {
  kind: string;
  name: string;
  area: string;
  title: string;
  body: string;
}

/** A new answer template (placeholders checked) or case template (needs an area and a title). */
export async function addTemplate(db: Db, audit: Audit, input: TemplateInput): Promise<Problems> {
  const problems: Problems = {};
  if (input.kind !== 'answer' && input.kind !== 'case') problems.template_kind = { key: 'admin.catalogue.errors.kind' };
  if (input.name.length < 2 || input.name.length > 200) problems.template_name = { key: 'admin.catalogue.errors.name' };
  if (input.body.length < 1 || input.body.length > 20000)
    problems.template_body = { key: 'admin.catalogue.errors.body' };
  const filled = fillTemplate(input.body, { kunde: '', saksnummer: '', frist: '' });
  if (input.kind === 'answer' && 'unknown' in filled)
    problems.template_body = {
      key: 'admin.catalogue.errors.placeholder',
      params: { names: filled.unknown.map((n) => `{${n}}`).join(', ') },
    };
  if (input.kind === 'case' && (input.title.length < 1 || input.title.length > 200))
    problems.template_title = { key: 'admin.catalogue.errors.title' };
  return db.transaction().execute(async (trx): Promise<Problems> => {
    const areaId = input.area === '' ? null : idOf(input.area);
    const area =
      areaId === null
        ? null
        : areaId === undefined
          ? undefined
          : await trx.selectFrom('areas').select('id').where('id', '=', areaId).executeTakeFirst();
    if (area === undefined || (input.kind === 'case' && area === null))
      problems.template_area = { key: 'admin.catalogue.errors.area' };
    if (Object.keys(problems).length > 0) return problems;
    const values = {
      kind: input.kind,
      name: input.name,
      area_id: area?.id ?? null,
      body: input.body,
      title: input.kind === 'case' ? input.title : null,
    };
    const added = await trx.insertInto('templates').values(values).returning('id').executeTakeFirstOrThrow();
    await audit(trx, {
      action: 'admin.change',
      objectType: 'template',
      objectId: added.id,
      details: { created: values },
    });
    return {};
  });
}

export async function setTemplateActive(db: Db, audit: Audit, id: number, active: boolean): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const changed = await trx
      .updateTable('templates')
      .set({ active })
      .where('id', '=', id)
      .returning('id')
      .executeTakeFirst();
    if (changed)
      await audit(trx, { action: 'admin.change', objectType: 'template', objectId: id, details: { active } });
    return changed !== undefined;
  });
}

/** The fields an area requires before a case is closed; anything else sent is refused as a whole. */
export async function setClosingRules(db: Db, audit: Audit, areaId: number, fields: string[]): Promise<boolean> {
  if (!fields.every((field) => (closingFields as readonly string[]).includes(field))) return false;
  const chosen = closingFields.filter((field) => fields.includes(field));
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('areas').set({ closing_requires: chosen }).where('id', '=', areaId).execute();
    await audit(trx, {
      action: 'admin.change',
      objectType: 'area',
      objectId: areaId,
      details: { closing_requires: chosen },
    });
  });
  return true;
}
