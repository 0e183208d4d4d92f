// What the list's filter form offers (areas, forms, categories), remembered for seconds: every list
// request reads it and it changes a few times a year.
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../../db/index.js';
import { shortCache } from '../../db/cache.js';
import type { ListChoices } from './filter.js';

const choices = shortCache(10_000, (db: Db) => loadListChoices(db));

export function listChoices(db: Db): Promise<ListChoices> {
  return choices.get(db, undefined);
}

/** Areas, forms and categories in one round trip. */
async function loadListChoices(db: Db): Promise<ListChoices> {
  const row = await db
    .selectNoFrom((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom('areas')
          .select(['code', 'name_nb', 'name_en'])
          .where('active', '=', true)
          .orderBy('sort_order')
          .orderBy('id'),
      ).as('areas'),
      jsonArrayFrom(
        eb
          .selectFrom('forms')
          .innerJoin('areas', 'areas.id', 'forms.area_id')
          .select([
            'forms.id',
            'areas.name_nb as area_nb',
            'areas.name_en as area_en',
            'forms.name_nb',
            'forms.name_en',
          ])
          .orderBy('areas.sort_order')
          .orderBy('forms.sort_order')
          .orderBy('forms.id'),
      ).as('forms'),
      jsonArrayFrom(
        eb
          .selectFrom('categories')
          .innerJoin('areas', 'areas.id', 'categories.area_id')
          .select([
            'categories.id',
            'areas.name_nb as area_nb',
            'areas.name_en as area_en',
            'categories.name_nb',
            'categories.name_en',
          ])
          .orderBy('areas.sort_order')
          .orderBy('categories.name_nb'),
      ).as('categories'),
    ])
    .executeTakeFirstOrThrow();
  return row as unknown as ListChoices;
}
