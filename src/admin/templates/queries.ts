// One template with what its editor offers: areas, and each area's forms, categories and groups.
import type { Db } from '../../db/index.js';

export function templateById(db: Db, id: number) {
  return db.selectFrom('templates').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function templateChoices(db: Db) {
  const [areas, forms, categories, groups] = await Promise.all([
    db.selectFrom('areas').select(['id', 'name_nb', 'name_en']).orderBy('sort_order').orderBy('id').execute(),
    db
      .selectFrom('forms')
      .select(['id', 'area_id', 'name_nb', 'name_en'])
      .where('purpose', '=', 'case')
      .orderBy('sort_order')
      .execute(),
    db
      .selectFrom('categories')
      .select(['id', 'area_id', 'name_nb', 'name_en'])
      .where('active', '=', true)
      .orderBy('name_nb')
      .execute(),
    db
      .selectFrom('groups')
      .select(['id', 'area_id', 'name_nb', 'name_en'])
      .where('active', '=', true)
      .orderBy('name_nb')
      .execute(),
  ]);
  return { areas, forms, categories, groups };
}

export type TemplateChoices = Awaited<ReturnType<typeof templateChoices>>;
