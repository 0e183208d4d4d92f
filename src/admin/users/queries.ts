import { naturalOrder, peoplePage, peoplePageSize, personMatches, type PeopleQuery } from '../../db/people.js';
import { sql, type ExpressionBuilder } from 'kysely';
import type { DB } from '../../db/schema.js';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../../db/index.js';

/** The agencies a user belongs to, by name, as a JSON array in the user's row. */
const agenciesOf = (eb: ExpressionBuilder<DB, 'users'>) =>
  jsonArrayFrom(
    eb
      .selectFrom('agency_members')
      .innerJoin('agencies', 'agencies.id', 'agency_members.agency_id')
      .select(['agencies.id', 'agencies.name'])
      .whereRef('agency_members.user_id', '=', 'users.id')
      .orderBy('agencies.name'),
  ).as('agencies');

/** Users with what every admin view of them shows. */
const usersWithAgencies = (db: Db) =>
  db.selectFrom('users').select((eb) => ['users.id', 'users.name', 'users.email', 'users.active', agenciesOf(eb)]);

/** A page of users whose name or e-mail holds the search, sorted as people read numbers, and how many match. */
export async function searchUsers(db: Db, query: PeopleQuery) {
  const rows = await usersWithAgencies(db)
    .select(sql<string>`count(*) OVER ()`.as('total'))
    .where(personMatches(query.who))
    .orderBy(naturalOrder(sql.ref('users.name')))
    .orderBy('users.id')
    .limit(peoplePageSize)
    .offset((query.page - 1) * peoplePageSize)
    .execute();
  const total = rows.length > 0 ? Number(rows[0]!.total) : 0;
  return { users: rows, paging: peoplePage(query, total, rows.length) };
}

export async function userDetail(db: Db, id: number) {
  const user = await usersWithAgencies(db)
    .select(['users.consultant', 'users.consent_accepted_at', 'users.consent_declaration_id'])
    .select((eb) => [
      jsonArrayFrom(
        eb
          .selectFrom('user_roles')
          .leftJoin('agencies', 'agencies.id', 'user_roles.agency_id')
          .leftJoin('areas', 'areas.id', 'user_roles.area_id')
          .select([
            'user_roles.id',
            'user_roles.role',
            'user_roles.granted_at',
            'agencies.name as agency',
            'areas.name_nb as area_nb',
            'areas.name_en as area_en',
          ])
          .whereRef('user_roles.user_id', '=', 'users.id')
          .orderBy('user_roles.id'),
      ).as('roles'),
      eb
        .selectFrom('sessions')
        .select((s) => s.fn.countAll<number>().as('n'))
        .whereRef('sessions.user_id', '=', 'users.id')
        .where('sessions.revoked_at', 'is', null)
        .as('sessions'),
    ])
    .where('users.id', '=', id)
    .executeTakeFirst();
  return user && { ...user, sessions: Number(user.sessions ?? 0) };
}
