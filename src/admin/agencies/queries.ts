import { naturalOrder, peoplePage, peoplePageSize, personMatches, type PeopleQuery } from '../../db/people.js';
import { containsPattern } from '../../db/text-search.js';
import { sql } from 'kysely';
import type { Db } from '../../db/index.js';

export const contactRoles = ['technical', 'payroll', 'accounting', 'invoice', 'management', 'security'] as const;

export type ContactRole = (typeof contactRoles)[number];

/** A page of agencies (by name, 50 at a time) whose name, organisation number or domain holds the search. */
export async function searchAgencies(db: Db, q: string, page = 1) {
  let query = db
    .selectFrom('agencies')
    .select((eb) => [
      'agencies.id',
      'agencies.name',
      'agencies.org_number',
      'agencies.self_registration',
      eb
        .selectFrom('agency_members')
        .select((m) => m.fn.countAll<string>().as('n'))
        .whereRef('agency_members.agency_id', '=', 'agencies.id')
        .as('members'),
      sql<string>`(SELECT string_agg(domain, ', ' ORDER BY domain) FROM agency_domains WHERE agency_domains.agency_id = agencies.id)`.as(
        'domains',
      ),
      sql<string>`count(*) OVER ()`.as('total'),
    ])
    .orderBy(naturalOrder(sql.ref('agencies.name')))
    .orderBy('agencies.id')
    .limit(peoplePageSize)
    .offset((page - 1) * peoplePageSize);
  if (q) {
    const like = containsPattern(q);
    query = query.where((eb) =>
      eb.or([
        eb('agencies.name', 'ilike', like),
        eb('agencies.org_number', 'like', like),
        eb.exists(
          eb
            .selectFrom('agency_domains')
            .select('domain')
            .whereRef('agency_domains.agency_id', '=', 'agencies.id')
            .where('domain', 'ilike', like),
        ),
      ]),
    );
  }
  const rows = await query.execute();
  const total = rows.length > 0 ? Number(rows[0]!.total) : 0;
  return {
    agencies: rows.map((a) => ({ ...a, members: Number(a.members ?? 0) })),
    paging: peoplePage({ who: q, page }, total, rows.length),
  };
}

export async function agencyDetail(db: Db, id: number, people: PeopleQuery = { who: '', page: 1 }) {
  const agency = await db
    .selectFrom('agencies')
    .select(['id', 'name', 'org_number', 'self_registration'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!agency) return undefined;
  const [domains, areas, contacts, members] = await Promise.all([
    db.selectFrom('agency_domains').select('domain').where('agency_id', '=', id).orderBy('domain').execute(),
    db
      .selectFrom('areas')
      .leftJoin('agency_areas', (join) =>
        join.onRef('agency_areas.area_id', '=', 'areas.id').on('agency_areas.agency_id', '=', id),
      )
      .select([
        'areas.id',
        'areas.name_nb',
        'areas.name_en',
        sql<boolean>`agency_areas.area_id IS NOT NULL`.as('bought'),
      ])
      .orderBy('areas.sort_order')
      .execute(),
    agencyContacts(db, id),
    db
      .selectFrom('agency_members')
      .innerJoin('users', 'users.id', 'agency_members.user_id')
      .select(['users.id', 'users.name', 'users.email', 'users.active', sql<string>`count(*) OVER ()`.as('total')])
      .where('agency_members.agency_id', '=', id)
      .where(personMatches(people.who))
      .orderBy(naturalOrder(sql.ref('users.name')))
      .orderBy('users.id')
      .limit(peoplePageSize)
      .offset((people.page - 1) * peoplePageSize)
      .execute(),
  ]);
  const total = members.length > 0 ? Number(members[0]!.total) : 0;
  return {
    ...agency,
    domains: domains.map((d) => d.domain),
    areas,
    contacts,
    members,
    memberSearch: people.who,
    memberPaging: peoplePage(people, total, members.length),
  };
}

/** The agency's contact persons, in the order of the roles, then by name. */
export async function agencyContacts(db: Db, agencyId: number) {
  const rows = await db
    .selectFrom('agency_contacts')
    .select(['id', 'role', 'name', 'email', 'phone'])
    .where('agency_id', '=', agencyId)
    .orderBy('name')
    .execute();
  return rows.sort((a, b) => contactRoles.indexOf(a.role as ContactRole) - contactRoles.indexOf(b.role as ContactRole));
}

export async function agencyExists(db: Db, id: number): Promise<boolean> {
  return (await db.selectFrom('agencies').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}
