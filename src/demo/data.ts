// The demo agencies, areas and users of CONTRACT.md: seeded by `npm start` and into every test database.
import { demoUsers } from '../auth/demo-users.js';
import { seedReporting } from './reporting.js';
import type { Db } from '../db/index.js';
import {
  demoArticles,
  demoMailboxes,
  demoCategories,
  demoForms,
  demoGroups,
  demoNews,
  demoRouting,
  demoTargets,
  demoTemplates,
} from './forms.js';

export const demoAreas = [
  {
    code: 'lonn',
    name_nb: 'Lønn',
    name_en: 'Payroll',
    description_nb: 'Lønn, refusjoner, reiser og personalsystemer',
    description_en: 'Payroll, refunds, travel and HR systems',
    sort_order: 10,
    contact_phone: '+47 40 00 00 10',
    contact_email: 'lonn@kundesenter.no',
    opening_hours_nb: 'Hverdager 08.00–15.30',
    opening_hours_en: 'Weekdays 08:00–15:30',
  },
  {
    code: 'regnskap',
    name_nb: 'Regnskap',
    name_en: 'Accounting',
    description_nb: 'Regnskap, bilag, fakturaer og periodeavslutning',
    description_en: 'Accounting, vouchers, invoices and period close',
    sort_order: 20,
    contact_phone: '+47 40 00 00 20',
    contact_email: 'regnskap@kundesenter.no',
    opening_hours_nb: 'Hverdager 08.00–15.30',
    opening_hours_en: 'Weekdays 08:00–15:30',
  },
];

export const demoAgencies = [
  { org_number: '910000001', name: 'Demoetaten', self_registration: true },
  { org_number: '910000002', name: 'Testdirektoratet', self_registration: false },
];

/** What the centre knows of each demo agency: its e-mail domains, the areas it buys, its contact persons. */
const demoAgencyProfiles: Record<
  string,
  { domains: string[]; areas: string[]; contacts: { role: string; name: string; email: string; phone: string }[] }
> = {
  Demoetaten: {
    domains: ['demoetaten.no'],
    areas: ['lonn', 'regnskap'],
    contacts: [
      { role: 'payroll', name: 'Kari Nordmann', email: 'kari@demoetaten.no', phone: '+47 22 00 00 01' },
      { role: 'accounting', name: 'Lise Regnskap', email: 'lise@demoetaten.no', phone: '+47 22 00 00 02' },
      { role: 'technical', name: 'Tor Teknikk', email: 'it@demoetaten.no', phone: '+47 22 00 00 03' },
      { role: 'invoice', name: 'Fakturamottak Demoetaten', email: 'faktura@demoetaten.no', phone: '' },
    ],
  },
  Testdirektoratet: {
    domains: ['testdirektoratet.no'],
    areas: ['regnskap', 'lonn'],
    contacts: [{ role: 'accounting', name: 'Per Hansen', email: 'per@testdirektoratet.no', phone: '+47 23 00 00 01' }],
  },
};

/**
 * Demo data for a development start, only into an empty database: an ordinary restart does no seeding.
 * `npm run seed` brings an existing database up to the current demo data.
 */
export async function seedDemoDataIfEmpty(db: Db): Promise<boolean> {
  const any = await db.selectFrom('areas').select('id').limit(1).executeTakeFirst();
  if (any) return false;
  await seedDemoData(db);
  return true;
}

/** Idempotent: adds what is missing of the demo data and leaves the rest. */
export async function seedDemoData(db: Db): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('areas')
      .values(demoAreas)
      .onConflict((oc) => oc.column('code').doNothing())
      .execute();
    // Areas made before they had contact details get the demo's, unless an admin has filled them in.
    for (const { code, contact_phone, contact_email, opening_hours_nb, opening_hours_en } of demoAreas)
      await trx
        .updateTable('areas')
        .set({ contact_phone, contact_email, opening_hours_nb, opening_hours_en })
        .where('code', '=', code)
        .where('contact_phone', '=', '')
        .where('contact_email', '=', '')
        .execute();
    await trx
      .insertInto('agencies')
      .values(demoAgencies)
      .onConflict((oc) => oc.column('org_number').doNothing())
      .execute();
    const areas = new Map((await trx.selectFrom('areas').select(['id', 'code']).execute()).map((a) => [a.code, a.id]));
    const agencies = new Map(
      (await trx.selectFrom('agencies').select(['id', 'name']).execute()).map((a) => [a.name, a.id]),
    );
    for (const [name, profile] of Object.entries(demoAgencyProfiles)) {
      const agency_id = agencies.get(name)!;
      await trx
        .insertInto('agency_domains')
        .values(profile.domains.map((domain) => ({ agency_id, domain })))
        .onConflict((oc) => oc.doNothing())
        .execute();
      await trx
        .insertInto('agency_areas')
        .values(profile.areas.map((area) => ({ agency_id, area_id: areas.get(area)! })))
        .onConflict((oc) => oc.doNothing())
        .execute();
      await trx
        .insertInto('agency_contacts')
        .values(profile.contacts.map((contact) => ({ agency_id, ...contact })))
        .onConflict((oc) => oc.doNothing())
        .execute();
    }
    for (const { area, fields, ...form } of demoForms) {
      await trx
        .insertInto('forms')
        .values({ ...form, area_id: areas.get(area)!, fields: JSON.stringify(fields) })
        .onConflict((oc) => oc.columns(['area_id', 'code']).doNothing())
        .execute();
    }
    for (const { area, ...category } of demoCategories) {
      await trx
        .insertInto('categories')
        .values({ ...category, area_id: areas.get(area)! })
        .onConflict((oc) => oc.columns(['area_id', 'code']).doNothing())
        .execute();
    }
    for (const user of demoUsers) {
      const inserted = await trx
        .insertInto('users')
        .values({ email: user.email, name: user.name })
        .onConflict((oc) => oc.column('email').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) continue; // already seeded: leave any changes an admin made alone
      if (user.agency)
        await trx
          .insertInto('agency_members')
          .values({ user_id: inserted.id, agency_id: agencies.get(user.agency)! })
          .execute();
      for (const role of user.roles) {
        await trx
          .insertInto('user_roles')
          .values({
            user_id: inserted.id,
            role: role.role,
            agency_id: role.agency ? agencies.get(role.agency)! : null,
            area_id: role.area ? areas.get(role.area)! : null,
          })
          .execute();
      }
    }
    // Demoetaten's payroll team shares a mailbox: Kari (its administrator) and Ola.
    const mailbox = await trx
      .insertInto('shared_mailboxes')
      .values({ agency_id: agencies.get('Demoetaten')!, name: 'Lønnsteamet', email: 'lonnsteamet@demoetaten.no' })
      .onConflict((oc) => oc.doNothing())
      .returning('id')
      .executeTakeFirst();
    if (mailbox) {
      const members = await trx
        .selectFrom('users')
        .select('id')
        .where('email', 'in', ['kari@demoetaten.no', 'ola@demoetaten.no'])
        .execute();
      await trx
        .insertInto('shared_mailbox_members')
        .values(members.map((m) => ({ mailbox_id: mailbox.id, user_id: m.id })))
        .execute();
    }
    for (const { area, members, ...group } of demoGroups) {
      const created = await trx
        .insertInto('groups')
        .values({ ...group, area_id: areas.get(area)! })
        .onConflict((oc) => oc.column('code').doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!created) continue;
      for (const email of members) {
        const user = await trx.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
        if (user) await trx.insertInto('group_members').values({ group_id: created.id, user_id: user.id }).execute();
      }
    }
    for (const rule of demoRouting) {
      const group = await trx
        .selectFrom('groups')
        .select('id')
        .where('code', '=', rule.group)
        .executeTakeFirstOrThrow();
      const form = rule.form
        ? await trx
            .selectFrom('forms')
            .select('id')
            .where('code', '=', rule.form)
            .where('area_id', '=', areas.get(rule.area)!)
            .executeTakeFirst()
        : undefined;
      await trx
        .insertInto('routing_rules')
        .values({ area_id: areas.get(rule.area)!, form_id: form?.id ?? null, group_id: group.id })
        .onConflict((oc) => oc.columns(['area_id', 'form_id']).doNothing())
        .execute();
    }
    const formId = async (area: string | null | undefined, code: string | null | undefined) =>
      area && code
        ? ((
            await trx
              .selectFrom('forms')
              .select('id')
              .where('code', '=', code)
              .where('area_id', '=', areas.get(area)!)
              .executeTakeFirst()
          )?.id ?? null)
        : null;
    if (!(await trx.selectFrom('templates').select('id').limit(1).executeTakeFirst())) {
      for (const template of demoTemplates) {
        const category =
          'category' in template && template.category
            ? await trx.selectFrom('categories').select('id').where('code', '=', template.category).executeTakeFirst()
            : undefined;
        await trx
          .insertInto('templates')
          .values({
            kind: template.kind,
            name: template.name,
            body: template.body,
            area_id: template.area ? areas.get(template.area)! : null,
            ...('title' in template
              ? {
                  title: template.title,
                  channel: template.channel,
                  form_id: await formId(template.area, template.form),
                  category_id: category?.id ?? null,
                }
              : {}),
          })
          .execute();
      }
    }
    for (const target of demoTargets) {
      const area = target.area ? areas.get(target.area)! : null;
      const category =
        'category' in target && area !== null
          ? await trx
              .selectFrom('categories')
              .select('id')
              .where('area_id', '=', area)
              .where('code', '=', target.category)
              .executeTakeFirst()
          : undefined;
      await trx
        .insertInto('service_targets')
        .values({
          area_id: area,
          form_id: await formId(target.area, target.form),
          category_id: category?.id ?? null,
          classification: target.classification,
          working_days: target.working_days,
          calendar: target.calendar,
        })
        .onConflict((oc) => oc.columns(['area_id', 'form_id', 'category_id', 'classification']).doNothing())
        .execute();
    }
    if (!(await trx.selectFrom('articles').select('id').limit(1).executeTakeFirst())) {
      for (const { area, ...article } of demoArticles) {
        const saved = await trx
          .insertInto('articles')
          .values({ ...article, area_id: areas.get(area)!, status: 'published' })
          .returning('id')
          .executeTakeFirstOrThrow();
        await trx
          .insertInto('article_revisions')
          .values({ article_id: saved.id, title: article.title, body: article.body })
          .execute();
      }
      for (const { area, ...item } of demoNews)
        await trx
          .insertInto('news')
          .values({ ...item, area_id: areas.get(area)! })
          .execute();
    }
    await seedReporting(trx, areas, agencies);
    for (const { address, area } of demoMailboxes) {
      await trx
        .insertInto('mailbox_addresses')
        .values({ address, area_id: areas.get(area)! })
        .onConflict((oc) => oc.column('address').doNothing())
        .execute();
    }
  });
}
