// What the service-level page reads: closed days of the last year and ahead, targets, areas and forms.
import type { Db } from '../../db/index.js';

export async function serviceLevelSettings(db: Db) {
  const [closedDays, targets, areas, forms, categories] = await Promise.all([
    db
      .selectFrom('closed_days')
      .select(['day', 'reason_nb', 'reason_en'])
      .where('day', '>=', new Date(Date.now() - 366 * 86_400_000).toISOString().slice(0, 10))
      .orderBy('day')
      .execute(),
    db
      .selectFrom('service_targets')
      .leftJoin('areas', 'areas.id', 'service_targets.area_id')
      .leftJoin('forms', 'forms.id', 'service_targets.form_id')
      .leftJoin('categories', 'categories.id', 'service_targets.category_id')
      .select([
        'categories.name_nb as category_nb',
        'categories.name_en as category_en',
        'service_targets.id',
        'service_targets.working_days',
        'service_targets.calendar',
        'service_targets.classification',
        'areas.name_nb as area_nb',
        'areas.name_en as area_en',
        'forms.name_nb as form_nb',
        'forms.name_en as form_en',
      ])
      .orderBy('service_targets.id')
      .execute(),
    db
      .selectFrom('areas')
      .select(['id', 'name_nb', 'name_en'])
      .where('active', '=', true)
      .orderBy('sort_order')
      .execute(),
    db
      .selectFrom('forms')
      .innerJoin('areas', 'areas.id', 'forms.area_id')
      .select(['forms.id', 'forms.name_nb', 'forms.name_en', 'areas.name_nb as area_nb', 'areas.name_en as area_en'])
      .orderBy('areas.sort_order')
      .orderBy('forms.sort_order')
      .execute(),
    db
      .selectFrom('categories')
      .innerJoin('areas', 'areas.id', 'categories.area_id')
      .select([
        'categories.id',
        'categories.area_id',
        'categories.name_nb',
        'categories.name_en',
        'areas.name_nb as area_nb',
        'areas.name_en as area_en',
      ])
      .orderBy('areas.sort_order')
      .orderBy('categories.id')
      .execute(),
  ]);
  return { closedDays, targets, areas, forms, categories };
}
