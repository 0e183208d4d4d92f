// What every route shares to read input: clean text, calendar dates, the problems a form shows next
// to its fields, and the patterns and schemas of ids and case numbers (written once, here).

/** A problem shown next to a field: a catalogue key and its parameters. */
export interface Problem {
  key: string;
  params?: Record<string, string | number>;
}
export type Problems = Record<string, Problem>;

export const hasProblems = (problems: Problems): boolean => Object.keys(problems).length > 0;

/**
 * Whether a parsed query or form body carries a NUL character anywhere: no text of ours may hold one,
 * and PostgreSQL refuses it in text, so such a request is refused before any route sees it.
 */
export function carriesNul(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (depth > 4 || value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return false;
  return Object.entries(value).some(([key, inner]) => key.includes('\u0000') || carriesNul(inner, depth + 1));
}

/** Normalises what a form sends: trims, unifies line breaks, drops control characters. */
export function cleanText(value: unknown, multiline: boolean): string {
  if (typeof value !== 'string') return '';
  const unified = value.replace(/\r\n?/g, '\n');
  const stripped = multiline
    ? unified.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '')
    : unified.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return stripped.trim();
}

/** A real calendar day written YYYY-MM-DD (not 2026-02-30). */
export function isIsoDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(value);
}

/** An e-mail address as we accept it from a form: one @, a domain with a dot, no spaces or brackets. */
export const emailPattern = /^[^\s@<>"]{1,64}@([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** Row ids as they travel in URLs and forms: decimal, at most 15 digits, so they stay exact numbers. */
const idRegExp = /^\d{1,15}$/;
/** A case's version, sent back by forms for optimistic concurrency. */
const versionRegExp = /^\d{1,9}$/;
/** A case number as users see it: year, dash, a sequence of at least six digits (2026-000123). */
const caseNumberPattern = /^\d{4}-\d{6,}$/;

export const isId = (value: unknown): value is string => typeof value === 'string' && idRegExp.test(value);
/** The id a form sent, or undefined when it is not one. */
export const idOf = (value: unknown): number | undefined => (isId(value) ? Number(value) : undefined);
export const isVersion = (value: unknown): value is string => typeof value === 'string' && versionRegExp.test(value);
export const versionOf = (value: unknown): number | undefined => (isVersion(value) ? Number(value) : undefined);
export const isCaseNumber = (value: unknown): value is string =>
  typeof value === 'string' && caseNumberPattern.test(value);

/** JSON-schema pieces for route schemas. A path parameter that does not fit answers 404 (see the error handler). */
export const idString = { type: 'string', pattern: '^[0-9]{1,15}$' } as const;
export const versionString = { type: 'string', pattern: '^[0-9]{1,9}$' } as const;
export const caseNumberString = { type: 'string', pattern: '^[0-9]{4}-[0-9]{6,}$' } as const;
export const idParams = { type: 'object', required: ['id'], properties: { id: idString } } as const;
export const caseNumberParams = {
  type: 'object',
  required: ['number'],
  properties: { number: caseNumberString },
} as const;

const shortField = 2000;
const longField = 200_000;

/**
 * The body schema of a form post: each named field a string (`'short'` up to 2,000 characters, `'long'`
 * for text areas and JSON), `'list'` for a field that may repeat. Fields not named pass unchecked (the
 * CSRF token among them); what a verb needs beyond the shape, it checks and explains itself.
 */
export function formBody(fields: Record<string, 'short' | 'long' | 'list'>) {
  const string = (maxLength: number) => ({ type: 'string', maxLength });
  const properties = Object.fromEntries(
    Object.entries(fields).map(([name, kind]) => [
      name,
      kind === 'list'
        ? { anyOf: [string(shortField), { type: 'array', maxItems: 500, items: string(shortField) }] }
        : string(kind === 'long' ? longField : shortField),
    ]),
  );
  return { type: 'object', properties } as const;
}

/**
 * Route options that limit how often one address may use a route an anonymous visitor can reach
 * (starting a login, registering, feedback, the language switch); beyond it 429 with Retry-After.
 */
export function anonymousLimit(perMinute: number) {
  return { rateLimit: { max: perMinute, timeWindow: 60_000 } };
}
