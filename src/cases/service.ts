// Domain verbs on cases: each opens its transaction and writes the event with the change.
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import type { Viewer } from '../auth/viewer.js';
import { can } from '../auth/guards.js';
import { HttpError } from '../web/errors.js';
import type { Language } from '../web/i18n.js';
import { enqueueMail } from '../mail/outbox.js';

export interface NewCaseInput {
  area: string;
  title: string;
  body: string;
}

export type FieldErrors = Partial<Record<keyof NewCaseInput, string>>;

export const titleMaxLength = 200;
export const bodyMaxLength = 20_000;

export function validateNewCase(input: NewCaseInput, areaCodes: readonly string[]): FieldErrors {
  const errors: FieldErrors = {};
  if (!areaCodes.includes(input.area)) errors.area = 'cases.errors.areaRequired';
  if (input.title.length === 0) errors.title = 'cases.errors.titleRequired';
  else if (input.title.length > titleMaxLength) errors.title = 'cases.errors.titleTooLong';
  if (input.body.length === 0) errors.body = 'cases.errors.bodyRequired';
  else if (input.body.length > bodyMaxLength) errors.body = 'cases.errors.bodyTooLong';
  return errors;
}

/** Normalises what a form sends: trims, unifies line breaks, drops control characters. */
export function cleanText(value: unknown, multiline: boolean): string {
  if (typeof value !== 'string') return '';
  const unified = value.replace(/\r\n?/g, '\n');
  const stripped = multiline ? unified.replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '') : unified.replace(/[\u0000-\u001f\u007f]/g, ' ');
  return stripped.trim();
}

export type CreateResult = { number: string } | { errors: FieldErrors };

/** What a verb needs to know about where it runs: links in mail, the language the user works in. */
export interface VerbContext {
  publicUrl: URL;
  language: Language;
}

export function caseLink(publicUrl: URL, number: string): string {
  return new URL(`cases/${number}`, publicUrl.href.endsWith('/') ? publicUrl : `${publicUrl.href}/`).href;
}

export async function createCase(db: Db, viewer: Viewer, input: NewCaseInput, context: VerbContext): Promise<CreateResult> {
  if (!can(viewer, 'case.create') || viewer.agencyId === null) throw new HttpError(403, 'forbidden');
  const agencyId = viewer.agencyId;
  return db.transaction().execute(async (trx) => {
    const area = await trx.selectFrom('areas').select(['id', 'code']).where('code', '=', input.area).where('active', '=', true).executeTakeFirst();
    const errors = validateNewCase(input, area ? [area.code] : []);
    if (!area || Object.keys(errors).length > 0) return { errors };

    const year = Number(new Intl.DateTimeFormat('en', { year: 'numeric', timeZone: 'Europe/Oslo' }).format(new Date()));
    // The counter row lock orders concurrent submissions; a rolled-back case never consumes a number.
    const { last_value } = await trx
      .insertInto('case_number_counters')
      .values({ year, last_value: 1 })
      .onConflict((oc) => oc.column('year').doUpdateSet({ last_value: sql`case_number_counters.last_value + 1` }))
      .returning('last_value')
      .executeTakeFirstOrThrow();
    const number = `${year}-${String(last_value).padStart(6, '0')}`;
    const created = await trx
      .insertInto('cases')
      .values({ number, title: input.title, body: input.body, area_id: area.id, agency_id: agencyId, requester_id: viewer.userId, channel: 'web' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx.insertInto('case_events').values({ case_id: created.id, kind: 'created', actor_id: viewer.userId, data: { channel: 'web' } }).execute();
    // The acknowledgement carries the number and a link, never the title or the description.
    await enqueueMail(trx, {
      kind: 'case_acknowledgement',
      idempotencyKey: `case-acknowledgement:${created.id}`,
      recipient: viewer.email,
      language: context.language,
      payload: { name: viewer.name, number, link: caseLink(context.publicUrl, number) },
    });
    return { number };
  });
}
