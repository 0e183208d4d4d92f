// Admin settings that the service-level clock reads: extra closed days and targets per area, form and classification.
import { type Problems, cleanText, isIsoDate } from '../web/input.js';
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/index.js';
import { requirePermission } from '../auth/guards.js';
import { calendar } from '../sla/calendar.js';
import {
  addClosedDay,
  grantEditor,
  listEditors,
  removeClosedDay,
  removeEditor,
  setServiceTarget,
  settings,
} from './queries.js';

export async function adminRoutes(app: FastifyInstance, { db }: { db: Db }) {
  const page = async (
    reply: import('fastify').FastifyReply,
    values: Record<string, string>,
    problems: Problems,
    status = 200,
  ) => reply.render({ page: 'admin/service-levels' }, { ...(await settings(db)), values, problems }, status);

  app.get('/admin', async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    return reply.redirect('/admin/agencies', 303);
  });

  app.get('/admin/service-levels', async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    return page(reply, {}, {});
  });

  app.post<{ Body: Record<string, string | undefined> }>('/admin/closed-days', async (request, reply) => {
    const viewer = requirePermission(request.viewer, 'admin.view');
    const values = {
      day: cleanText(request.body.day, false),
      reason_nb: cleanText(request.body.reason_nb, false),
      reason_en: cleanText(request.body.reason_en, false),
    };
    const problems: Problems = {};
    if (!isIsoDate(values.day)) problems.day = { key: 'admin.errors.day' };
    else if (!calendar().isWorkingDay(values.day)) problems.day = { key: 'admin.errors.notWorkingDay' };
    if (values.reason_nb.length === 0 || values.reason_nb.length > 200)
      problems.reason_nb = { key: 'admin.errors.reason' };
    if (values.reason_en.length === 0 || values.reason_en.length > 200)
      problems.reason_en = { key: 'admin.errors.reason' };
    if (Object.keys(problems).length > 0) return page(reply, values, problems, 422);
    await db.transaction().execute(async (trx) => {
      await addClosedDay(trx, viewer, values);
      await request.audit(trx, {
        action: 'admin.change',
        objectType: 'closed_day',
        objectId: values.day,
        details: { added: values },
      });
    });
    request.session.set('flash', 'admin.saved');
    return reply.redirect('/admin/service-levels', 303);
  });

  app.post<{ Body: { day?: string } }>('/admin/closed-days/removal', async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    if (!isIsoDate(request.body.day ?? '')) return page(reply, {}, { day: { key: 'admin.errors.day' } }, 422);
    await db.transaction().execute(async (trx) => {
      await removeClosedDay(trx, request.body.day!);
      await request.audit(trx, {
        action: 'admin.change',
        objectType: 'closed_day',
        objectId: request.body.day!,
        details: { removed: true },
      });
    });
    request.session.set('flash', 'admin.saved');
    return reply.redirect('/admin/service-levels', 303);
  });

  app.post<{ Body: Record<string, string | undefined> }>('/admin/service-targets', async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    const values = {
      area: request.body.area ?? '',
      form: request.body.form ?? '',
      classification: request.body.classification ?? '',
      working_days: (request.body.working_days ?? '').trim(),
    };
    const problems: Problems = {};
    const days = Number(values.working_days);
    if (!/^\d{1,3}$/.test(values.working_days) || days < 1 || days > 250)
      problems.working_days = { key: 'admin.errors.workingDays' };
    const id = (value: string) => (value === '' ? null : /^\d{1,15}$/.test(value) ? Number(value) : -1);
    const areaId = id(values.area);
    const formId = id(values.form);
    const { areas, forms } = await settings(db);
    if (areaId !== null && !areas.some((a) => a.id === areaId)) problems.area = { key: 'admin.errors.area' };
    if (formId !== null && !forms.some((f) => f.id === formId)) problems.form = { key: 'admin.errors.form' };
    if (values.classification !== '' && values.classification !== 'change_request')
      problems.classification = { key: 'admin.errors.classification' };
    if (Object.keys(problems).length > 0) return page(reply, values, problems, 422);
    const target = {
      areaId,
      formId,
      classification: values.classification === '' ? null : ('change_request' as const),
      workingDays: days,
    };
    await db.transaction().execute(async (trx) => {
      await setServiceTarget(trx, target);
      await request.audit(trx, { action: 'admin.change', objectType: 'service_target', details: target });
    });
    request.session.set('flash', 'admin.saved');
    return reply.redirect('/admin/service-levels', 303);
  });

  // Editors write the knowledge base and news; admins grant and remove the role.
  const editors = () => listEditors(db);

  app.get('/admin/editors', async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    return reply.render({ page: 'admin/editors' }, { editors: await editors(), values: {}, problems: {} });
  });

  app.post<{ Body: { email?: string } }>('/admin/editors', async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    const email = cleanText(request.body.email, false).toLowerCase();
    const granted =
      email !== '' &&
      (await db.transaction().execute(async (trx) => {
        const user = await grantEditor(trx, email);
        if (user !== undefined)
          await request.audit(trx, {
            action: 'role.grant',
            objectType: 'user',
            objectId: user,
            details: { role: 'editor', email },
          });
        return user !== undefined;
      }));
    if (!granted)
      return reply.render(
        { page: 'admin/editors' },
        { editors: await editors(), values: { email }, problems: { email: { key: 'admin.errors.user' } } },
        422,
      );
    request.session.set('flash', 'admin.saved');
    return reply.redirect('/admin/editors', 303);
  });

  app.post<{ Body: { user?: string } }>('/admin/editors/removal', async (request, reply) => {
    requirePermission(request.viewer, 'admin.view');
    if (!/^\d{1,15}$/.test(request.body.user ?? '')) return reply.redirect('/admin/editors', 303);
    await db.transaction().execute(async (trx) => {
      const removed = await removeEditor(trx, Number(request.body.user));
      if (removed)
        await request.audit(trx, {
          action: 'role.revoke',
          objectType: 'user',
          objectId: Number(request.body.user),
          details: { role: 'editor' },
        });
    });
    request.session.set('flash', 'admin.saved');
    return reply.redirect('/admin/editors', 303);
  });
}
