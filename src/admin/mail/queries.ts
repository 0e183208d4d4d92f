// What the mail settings page reads: receiving addresses with what each decides, the areas' senders,
// and the groups, forms and categories an address may point at.
import type { Db } from '../../db/index.js';

export async function mailSettingsPage(db: Db) {
  const [addresses, areas, groups, forms, categories] = await Promise.all([
    db
      .selectFrom('mailbox_addresses')
      .innerJoin('areas', 'areas.id', 'mailbox_addresses.area_id')
      .leftJoin('groups', 'groups.id', 'mailbox_addresses.group_id')
      .leftJoin('forms', 'forms.id', 'mailbox_addresses.form_id')
      .leftJoin('categories', 'categories.id', 'mailbox_addresses.category_id')
      .select([
        'mailbox_addresses.address',
        'areas.name_nb as area_nb',
        'areas.name_en as area_en',
        'groups.name_nb as group_nb',
        'groups.name_en as group_en',
        'forms.name_nb as form_nb',
        'forms.name_en as form_en',
        'categories.name_nb as category_nb',
        'categories.name_en as category_en',
      ])
      .orderBy('mailbox_addresses.address')
      .execute(),
    db
      .selectFrom('areas')
      .select(['id', 'name_nb', 'name_en', 'mail_sender_name', 'mail_sender_address'])
      .where('active', '=', true)
      .orderBy('sort_order')
      .execute(),
    db
      .selectFrom('groups')
      .select(['id', 'area_id', 'name_nb', 'name_en'])
      .where('active', '=', true)
      .orderBy('id')
      .execute(),
    db
      .selectFrom('forms')
      .select(['id', 'area_id', 'name_nb', 'name_en'])
      .orderBy('area_id')
      .orderBy('sort_order')
      .execute(),
    db
      .selectFrom('categories')
      .select(['id', 'area_id', 'name_nb', 'name_en'])
      .orderBy('area_id')
      .orderBy('id')
      .execute(),
  ]);
  return { addresses, areas, groups, forms, categories };
}
