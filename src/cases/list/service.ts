import type { ListColumn } from './filter.js';
import type { Db } from '../../db/index.js';

export async function saveColumns(db: Db, userId: number, columns: readonly ListColumn[]): Promise<void> {
  await db
    .updateTable('users')
    .set({ case_list_columns: [...columns] })
    .where('id', '=', userId)
    .execute();
}
