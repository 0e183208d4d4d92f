// Who writes the knowledge base and news.
import type { Db } from '../../db/index.js';

export function listEditors(db: Db) {
  return db
    .selectFrom('users')
    .innerJoin('user_roles', 'user_roles.user_id', 'users.id')
    .select(['users.id', 'users.name', 'users.email'])
    .where('user_roles.role', '=', 'editor')
    .orderBy('users.name')
    .execute();
}
