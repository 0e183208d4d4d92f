// Admin settings that the service-level clock reads: extra closed days and targets per area, form and classification.
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/index.js';
import { requirePermission } from '../auth/guards.js';
import { isIsoDate, type Problems } from '../forms/answers.js';
import { cleanText } from '../cases/service.js';
import { calendar } from '../sla/calendar.js';

async function settings(db: Db) {
  const [closedDays, targets, areas, forms] = await Promise.all([
    db.selectFrom('closed_days').select(['day', 'reason_nb', 'reason_en']).where('day', '>=', new Date(Date.now() - 366 * 86_400_000).toISOString().slice(0, 10)).orderBy('day').execute(),
    db
      .selectFrom('service_targets')
      .leftJoin('areas', 'areas.id', 'service_targets.area_id')
      .leftJoin('forms', 'forms.id', 'service_targets.form_id')
      .select(['service_targets.id', 'service_targets.working_days', 'service_targets.classification', 'areas.name_nb as area_nb', 'areas.name_en as area_en', 'forms.name_nb as form_nb', 'forms.name_en as form_en'])
      .orderBy('service_targets.id')
      .execute(),
    db.selectFrom('areas').select(['id', 'name_nb', 'name_en']).where('active', '=', true).orderBy('sort_order').execute(),
    db.selectFrom('forms').innerJoin('areas', 'areas.id', 'forms.area_id').select(['forms.id', 'forms.name_nb', 'forms.name_en', 'areas.name_nb as area_nb', 'areas.name_en as area_en']).orderBy('areas.sort_order').orderBy('forms.sort_order').execute(),
  ]);
  return { closedDays, targets, areas, forms };
}

export async function adminRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const page = async (reply: import('fastify').FastifyReply, values: Record<string, string>, problems: Problems, status = 200) =>
    reply.render({ page: 'admin/service-levels' }, { ...(await settings(db)), values, problems }, status);

  app.get('/admin', async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    return reply.redirect('/admin/service-levels', 303);
  });

  app.get('/admin/service-levels', async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    return page(reply, {}, {});
  });

  app.post<{ Body: Record<string, string | undefined> }>('/admin/closed-days', async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'admin.view');
    const values = { day: cleanText(request.body.day, false), reason_nb: cleanText(request.body.reason_nb, false), reason_en: cleanText(request.body.reason_en, false) };
    const problems: Problems = {};
    if (!isIsoDate(values.day)) problems.day = { key: 'admin.errors.day' };
    else if (!calendar().isWorkingDay(values.day)) problems.day = { key: 'admin.errors.notWorkingDay' };
    if (values.reason_nb.length === 0 || values.reason_nb.length > 200) problems.reason_nb = { key: 'admin.errors.reason' };
    if (values.reason_en.length === 0 || values.reason_en.length > 200) problems.reason_en = { key: 'admin.errors.reason' };
    if (Object.keys(problems).length > 0) return page(reply, values, problems, 422);
    await db.insertInto('closed_days').values({ day: values.day, reason_nb: values.reason_nb, reason_en: values.reason_en, created_by: viewer.userId }).onConflict((oc) => oc.column('day').doNothing()).execute();
    request.session.set('flash', 'admin.saved');
    return reply.redirect('/admin/service-levels', 303);
  });

  app.post<{ Body: { day?: string } }>('/admin/closed-days/removal', async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    if (!isIsoDate(request.body.day ?? '')) return page(reply, {}, { day: { key: 'admin.errors.day' } }, 422);
    await db.deleteFrom('closed_days').where('day', '=', request.body.day!).execute();
    request.session.set('flash', 'admin.saved');
    return reply.redirect('/admin/service-levels', 303);
  });

  app.post<{ Body: Record<string, string | undefined> }>('/admin/service-targets', async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    const values = { area: request.body.area ?? '', form: request.body.form ?? '', classification: request.body.classification ?? '', working_days: (request.body.working_days ?? '').trim() };
    const problems: Problems = {};
    const days = Number(values.working_days);
    if (!/^\d{1,3}$/.test(values.working_days) || days < 1 || days > 250) problems.working_days = { key: 'admin.errors.workingDays' };
    const id = (value: string) => (value === '' ? null : /^\d{1,15}$/.test(value) ? Number(value) : -1);
    const areaId = id(values.area);
    const formId = id(values.form);
    const { areas, forms } = await settings(db);
    if (areaId !== null && !areas.some((a) => a.id === areaId)) problems.area = { key: 'admin.errors.area' };
    if (formId !== null && !forms.some((f) => f.id === formId)) problems.form = { key: 'admin.errors.form' };
    if (values.classification !== '' && values.classification !== 'change_request') problems.classification = { key: 'admin.errors.classification' };
    if (Object.keys(problems).length > 0) return page(reply, values, problems, 422);
    await db
      .insertInto('service_targets')
      .values({ area_id: areaId, form_id: formId, classification: values.classification === '' ? null : 'change_request', working_days: days })
      .onConflict((oc) => oc.columns(['area_id', 'form_id', 'classification']).doUpdateSet({ working_days: days }))
      .execute();
    request.session.set('flash', 'admin.saved');
    return reply.redirect('/admin/service-levels', 303);
  });

  // Editors write the knowledge base and news; admins grant and remove the role.
  const editors = () =>
    db.selectFrom('users').innerJoin('user_roles', 'user_roles.user_id', 'users.id').select(['users.id', 'users.name', 'users.email']).where('user_roles.role', '=', 'editor').orderBy('users.name').execute();

  app.get('/admin/editors', async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    return reply.render({ page: 'admin/editors' }, { editors: await editors(), values: {}, problems: {} });
  });

  app.post<{ Body: { email?: string } }>('/admin/editors', async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    const email = cleanText(request.body.email, false).toLowerCase();
    const user = email ? await db.selectFrom('users').select('id').where('email', '=', email).where('active', '=', true).executeTakeFirst() : undefined;
    if (!user) return reply.render({ page: 'admin/editors' }, { editors: await editors(), values: { email }, problems: { email: { key: 'admin.errors.user' } } }, 422);
    await db.insertInto('user_roles').values({ user_id: user.id, role: 'editor' }).onConflict((oc) => oc.doNothing()).execute();
    request.session.set('flash', 'admin.saved');
    return reply.redirect('/admin/editors', 303);
  });

  app.post<{ Body: { user?: string } }>('/admin/editors/removal', async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    if (!/^\d{1,15}$/.test(request.body.user ?? '')) return reply.redirect('/admin/editors', 303);
    await db.deleteFrom('user_roles').where('user_id', '=', Number(request.body.user)).where('role', '=', 'editor').execute();
    request.session.set('flash', 'admin.saved');
    return reply.redirect('/admin/editors', 303);
  });
}
