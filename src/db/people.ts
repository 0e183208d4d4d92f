// Lists of people (an agency's members, who has which access) can run to thousands: they are searched by
// name or e-mail, paged, and sorted as people read numbers ("Bruker 2" before "Bruker 10"). The other
// long lists of the admin pages (agencies, feedback comments) page the same way.
import { sql, type RawBuilder } from 'kysely';
import { containsPattern } from './text-search.js';

export const peoplePageSize = 50;

/** What a people list was asked for: a search and a page (from 1). */
export interface PeopleQuery {
  who: string;
  page: number;
}

/** Reads `who` and `page` from a query string; anything odd is the first page of everyone. */
export function peopleQuery(query: Record<string, unknown> | undefined): PeopleQuery {
  const who = typeof query?.who === 'string' ? query.who.trim().slice(0, 200) : '';
  const raw = typeof query?.page === 'string' && /^[1-9][0-9]{0,5}$/.test(query.page) ? Number(query.page) : 1;
  return { who, page: raw };
}

/**
 * A sort key that orders digits by their value: every run of digits is padded to ten places ("Bruker 2" →
 * "Bruker 0000000002"), so the text sort puts 2 before 10. Case is ignored, as people read names.
 */
export function naturalOrder(column: RawBuilder<string>): RawBuilder<string> {
  return sql<string>`regexp_replace(regexp_replace(lower(${column}), '([0-9]+)', '0000000000\\1', 'g'), '0*([0-9]{10})', '\\1', 'g')`;
}

/** Name or e-mail contains the search (ignoring case), or everyone when there is none. */
export function personMatches(who: string): RawBuilder<boolean> {
  if (who === '') return sql<boolean>`true`;
  const pattern = containsPattern(who);
  return sql<boolean>`(users.name ILIKE ${pattern} OR users.email ILIKE ${pattern})`;
}

/** Where a page of people is: its number, how many pages and people there are, and the rows it shows. */
export interface PeoplePage {
  page: number;
  pages: number;
  total: number;
  from: number;
  to: number;
}

export function peoplePage(query: PeopleQuery, total: number, shown: number): PeoplePage {
  const pages = Math.max(1, Math.ceil(total / peoplePageSize));
  const from = shown === 0 ? 0 : (query.page - 1) * peoplePageSize + 1;
  return { page: query.page, pages, total, from, to: from === 0 ? 0 : from + shown - 1 };
}
