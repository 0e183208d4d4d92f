// Macros: an answer template edited in /admin to also set status, group, assignee, category and
// priority; applied with the answer in one action, shown before saving; never across areas.
import t from 'tap';
import { build, enquiry, submitCase, text, type TestApp } from './helpers.js';

async function newCase(app: TestApp, area: 'lonn' | 'regnskap', title: string) {
  const who = area === 'lonn' ? 'ola@demoetaten.no' : 'per@testdirektoratet.no';
  const client = await app.login(who);
  await client.get(`/cases/new?area=${area}&form=henvendelse`);
  const created = await submitCase(client, enquiry(area, title, 'Gjelder november.'));
  return String(created.headers.location).split('/').pop()!;
}

const idOf = (app: TestApp, table: 'areas' | 'groups' | 'categories', column: 'code', value: string) =>
  app.db.selectFrom(table).select('id').where(column, '=', value).executeTakeFirstOrThrow();

t.test('an admin turns an answer template into a macro; a caseworker sees it and applies it in one save', async (t) => {
  const app = await build(t);
  const lonn = await idOf(app, 'areas', 'code', 'lonn');
  const template = await app.db
    .insertInto('templates')
    .values({ kind: 'answer', name: 'Venter på dokumentasjon', body: 'Hei {kunde}, send oss lønnsslippen.' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const category = await app.db
    .selectFrom('categories')
    .select(['id', 'name_nb'])
    .where('area_id', '=', lonn.id)
    .orderBy('id')
    .executeTakeFirstOrThrow();
  const group = await app.db
    .selectFrom('groups')
    .select(['id', 'name_nb'])
    .where('area_id', '=', lonn.id)
    .executeTakeFirstOrThrow();

  const admin = await app.login('admin@kundesenter.no');
  t.match(text((await admin.get('/admin/templates')).body), 'Venter på dokumentasjon');
  const edit = await admin.get(`/admin/templates/${template.id}`);
  t.equal(edit.statusCode, 200);
  const base = { name: 'Venter på dokumentasjon', body: 'Hei {kunde}, send oss lønnsslippen.', active: 'yes' };
  const everyArea = await admin.post(`/admin/templates/${template.id}`, {
    ...base,
    area: '',
    set_group_id: String(group.id),
  });
  t.equal(everyArea.statusCode, 422, 'a template for every area cannot set a group');
  t.match(text(everyArea.body), 'Velg noe fra malens område');
  const badPlaceholder = await admin.post(`/admin/templates/${template.id}`, {
    ...base,
    area: String(lonn.id),
    body: 'Hei {navn}',
  });
  t.equal(badPlaceholder.statusCode, 422);
  const saved = await admin.post(`/admin/templates/${template.id}`, {
    ...base,
    area: String(lonn.id),
    set_status: 'awaiting_customer',
    set_group_id: String(group.id),
    set_assign_self: 'yes',
    set_category_id: String(category.id),
    set_priority: 'high',
  });
  t.equal(saved.statusCode, 303);
  const trail = await app.db
    .selectFrom('audit_log')
    .select('object_type')
    .where('object_type', '=', 'template')
    .execute();
  t.equal(trail.length, 1, 'the change is in the audit trail');

  const number = await newCase(app, 'lonn', 'Mangler lønnsslipp');
  const siri = await app.login('siri@kundesenter.no');
  await siri.get(`/cases/${number}`);
  // Without JavaScript: "Sett inn mal" shows the answer, the status and what else will happen.
  const composed = await siri.postMultipart(`/cases/${number}/compose`, { template: String(template.id), message: '' });
  t.equal(composed.statusCode, 200);
  const shown = text(composed.body);
  t.match(shown, 'Når du lagrer, gjør malen «Venter på dokumentasjon» også dette:');
  t.match(shown, `Saken går til gruppen ${group.name_nb}`);
  t.match(shown, 'Du tar saken');
  t.match(shown, `Kategori blir ${category.name_nb}`);
  t.match(shown, 'Prioritet blir Høy');
  t.match(composed.body, /<option value="awaiting_customer" selected>/, 'the status is set in the form');
  t.match(composed.body, new RegExp(`name="macro" id="macro" value="${template.id}"`));

  const version = /name="version" value="(\d+)"/.exec(composed.body)![1]!;
  const sent = await siri.post(`/cases/${number}/messages`, {
    kind: 'answer',
    message: 'Hei Ola Nordmann, send oss lønnsslippen.',
    status: 'awaiting_customer',
    macro: String(template.id),
    version,
  });
  t.equal(sent.statusCode, 303);
  const row = await app.db
    .selectFrom('cases')
    .innerJoin('users', 'users.id', 'cases.assignee_id')
    .select(['cases.status', 'cases.priority', 'cases.category_id', 'cases.group_id', 'users.email'])
    .where('cases.number', '=', number)
    .executeTakeFirstOrThrow();
  t.same(row, {
    status: 'awaiting_customer',
    priority: 'high',
    category_id: category.id,
    group_id: group.id,
    email: 'siri@kundesenter.no',
  });
});

t.test('a macro of one area cannot be applied to a case of another, nor by a customer', async (t) => {
  const app = await build(t);
  const lonn = await idOf(app, 'areas', 'code', 'lonn');
  const macro = await app.db
    .insertInto('templates')
    .values({ kind: 'answer', name: 'Lønn: høy', body: 'Hei.', area_id: lonn.id, set_priority: 'critical' })
    .returning('id')
    .executeTakeFirstOrThrow();
  const number = await newCase(app, 'regnskap', 'Faktura i feil periode');
  const siri = await app.login('siri@kundesenter.no');
  const page = await siri.get(`/cases/${number}`);
  t.notMatch(page.body, 'Lønn: høy', 'not offered on a case of another area');
  const refused = await siri.post(`/cases/${number}/messages`, {
    kind: 'answer',
    message: 'Hei.',
    macro: String(macro.id),
    version: /name="version" value="(\d+)"/.exec(page.body)![1]!,
  });
  t.equal(refused.statusCode, 422);
  t.match(text(refused.body), 'Malen finnes ikke for sakens område.');
  const per = await app.login('per@testdirektoratet.no');
  await per.get(`/cases/${number}`);
  const customer = await per.postMultipart(`/cases/${number}/messages`, { message: 'Hei', macro: String(macro.id) });
  t.equal(customer.statusCode, 303, 'a customer’s message is a message');
  const { priority } = await app.db
    .selectFrom('cases')
    .select('priority')
    .where('number', '=', number)
    .executeTakeFirstOrThrow();
  t.equal(priority, 'normal', 'and the macro field is ignored for them');
});
