// Statements pinned with their values. A case list's statement is kept per viewer and list (its SQL and
// its values the same every time), yet PostgreSQL planned it again on every execution: 0.5–0.8 ms of
// planning against 0.05–0.5 ms of running it. Preparing it with its parameters would let PostgreSQL
// settle on one generic plan for every value, which for a large agency's list was a thousand times
// slower (see preparedMark). With the values written into the SQL there is nothing left to be generic
// about: the plan made once per connection is the plan for exactly these values.
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { CompiledQuery } from 'kysely';
import pg from 'pg';

// The text pg itself sends for a value (pg exports its utilities under lib/).
const { prepareValue } = createRequire(import.meta.url)('pg/lib/utils.js') as {
  prepareValue: (value: unknown) => string | Buffer | null;
};

// A pinned statement's SQL ends with a comment holding its name ("pinned p" and 24 hex digits of its
// text's hash), which each connection prepares it under once (see src/db/index.ts).
const pinnedStart = '/* pinned ';
const pinnedLength = pinnedStart.length + 25 + ' */'.length;

/** The name a pinned statement is prepared under, or undefined when `text` is not one. */
export function pinnedName(text: string): string | undefined {
  if (!text.endsWith(' */') || !text.startsWith(pinnedStart, text.length - pinnedLength)) return undefined;
  return text.slice(text.length - pinnedLength + pinnedStart.length, text.length - 3);
}

/**
 * The value as a literal of unknown type, which PostgreSQL resolves from its context as it resolves a
 * parameter sent without a type (pg sends them all so): the same text pg would send, quoted.
 */
function literal(value: unknown): string | undefined {
  const text = prepareValue(value);
  if (text === null) return 'NULL';
  if (typeof text !== 'string') return undefined;
  return pg.escapeLiteral(text);
}

/**
 * `query` with each `$n` outside quotes and comments replaced by its value's literal, or undefined when
 * the SQL has anything this does not read (dollar quoting, escape strings) or a value that is not text
 * to pg (bytes).
 */
export function pinnedQuery<R>(query: CompiledQuery<R>): CompiledQuery<R> | undefined {
  const { sql, parameters } = query;
  let out = '';
  let from = 0;
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (c === "'" || c === '"') {
      // An escape string (E'…', U&'…') reads backslashes: not written by us, so not read here.
      if (c === "'" && /(^|[^\w$])([eE]|[uU]&)$/.test(sql.slice(Math.max(0, i - 3), i))) return undefined;
      // A quoted string or identifier; a doubled quote inside is the quote itself.
      i++;
      while (i < sql.length && !(sql[i] === c && sql[i + 1] !== c)) i += sql[i] === c ? 2 : 1;
      if (i >= sql.length) return undefined;
      i++;
    } else if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      i = end === -1 ? sql.length : end;
    } else if (c === '/' && sql[i + 1] === '*') {
      // Nested block comments are not written by us: the first end closes it, else nothing is pinned.
      const end = sql.indexOf('*/', i + 2);
      if (end === -1 || sql.slice(i + 2, end).includes('/*')) return undefined;
      i = end + 2;
    } else if (c === '$' && /[\w$]/.test(sql[i - 1] ?? ' ')) {
      // Part of a name (PostgreSQL allows `$` after a name's first character), not a placeholder.
      i++;
    } else if (c === '$') {
      const digits = /^\$(\d+)/.exec(sql.slice(i, i + 8));
      if (!digits) return undefined;
      const index = Number(digits[1]) - 1;
      if (index < 0 || index >= parameters.length) return undefined;
      const value = literal(parameters[index]);
      if (value === undefined) return undefined;
      out += `${sql.slice(from, i)}${value}`;
      i += digits[0].length;
      from = i;
    } else i++;
  }
  const text = `${out}${sql.slice(from)}`;
  const name = `p${createHash('sha256').update(text).digest('hex').slice(0, 24)}`;
  return { ...query, sql: `${text} ${pinnedStart}${name} */`, parameters: [] };
}
