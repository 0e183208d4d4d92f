// The list's filter written back into a URL's query, for the links a list page holds (sorting, paging,
// export, "Neste sak"), and read back from one.
import type { ListFilter, ListQuery } from './filter.js';

/** A list's query string read back as the URL's query would be: repeated names become arrays. */
export function listQueryOf(queryString: string): ListQuery {
  const query: Record<string, string | string[]> = {};
  for (const [name, value] of new URLSearchParams(queryString)) {
    const had = query[name];
    query[name] = had === undefined ? value : [had].flat().concat(value);
  }
  return query;
}

// The URL's names for the filter's fields, in the order the links write them.
const textParameters = [
  ['q', 'q'],
  ['number', 'number'],
  ['title', 'title'],
  ['requester', 'requester'],
  ['created_from', 'createdFrom'],
  ['created_to', 'createdTo'],
  ['updated_from', 'updatedFrom'],
  ['updated_to', 'updatedTo'],
] as const satisfies readonly (readonly [string, keyof ListFilter])[];
const choiceParameters = [
  ['status', 'status'],
  ['area', 'area'],
  ['form_id', 'form'],
  ['category', 'category'],
  ['channel', 'channel'],
  ['group', 'group'],
  ['agency', 'agency'],
  ['priority', 'priority'],
] as const satisfies readonly (readonly [string, keyof ListFilter])[];

/**
 * The URL query for a filter, for links that keep every choice (sorting, paging, export). A link that sets
 * one end of the page (`after` or `before`) clears the other.
 */
export function listQueryString(filter: ListFilter, overrides: Partial<ListFilter> = {}): string {
  const f = { ...filter, ...overrides };
  if ('after' in overrides && !('before' in overrides)) f.before = '';
  if ('before' in overrides && !('after' in overrides)) f.after = '';
  // Written pair by pair, as URLSearchParams would write them: a list page asks for about ten of
  // these links, and a URLSearchParams object for each cost more than the rest of the list's own logic.
  const pairs: string[] = [f.queue ? formPair('queue', f.queue) : formPair('scope', f.scope)];
  for (const [name, field] of textParameters) {
    const value = f[field];
    if (value) pairs.push(formPair(name, value));
  }
  for (const [name, field] of choiceParameters) for (const value of f[field]) pairs.push(formPair(name, String(value)));
  if (f.sort !== 'created' || f.dir !== 'desc') pairs.push(formPair('sort', f.sort), formPair('dir', f.dir));
  if (f.after) pairs.push(formPair('after', f.after));
  else if (f.before) pairs.push(formPair('before', f.before));
  return pairs.join('&');
}

/** Characters a form's encoding leaves as they are (the WHATWG application/x-www-form-urlencoded set). */
const formSafe = /^[\w*.-]*$/;

/** `name=value` encoded exactly as URLSearchParams encodes it: space as "+", everything else unsafe as %XX. */
function formPair(name: string, value: string): string {
  if (formSafe.test(value)) return `${name}=${value}`;
  let encoded: string;
  try {
    encoded = encodeURIComponent(value);
  } catch {
    // A lone surrogate: URLSearchParams writes it as U+FFFD, and knows best.
    return new URLSearchParams([[name, value]]).toString();
  }
  return `${name}=${encoded.replace(/%20|[!'()~]/g, (c) => (c === '%20' ? '+' : `%${c.charCodeAt(0).toString(16).toUpperCase()}`))}`;
}
