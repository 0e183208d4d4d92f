// How long cases took, kept on each case by the database (migration 0016, working_ms()): the public
// holidays it counts with come from the same library as the app's calendar, and a closed day added or
// removed afterwards re-measures the cases whose time it falls within.
import { sql } from 'kysely';
import type { Db } from '../db/index.js';
import { endOfOsloDay, forgetStoredHolidays, osloDay, publicHolidaysOf, startOfOsloDay } from './calendar.js';

/** Years of public holidays the database knows: well before any case, and ten years ahead. */
const firstYear = 2000;
const yearsAhead = 10;

/**
 * Writes the public holidays the database does not have yet. When any were missing (the first run), the
 * cases already answered or closed are measured again with them.
 */
export async function syncPublicHolidays(db: Db, now = new Date()): Promise<number> {
  const lastYear = Number(osloDay(now).slice(0, 4)) + yearsAhead;
  // Only years not there yet: on an ordinary start this is one small query and nothing else.
  const { rows } = await sql<{ year: number }>`
    SELECT DISTINCT extract(year FROM day)::int AS year FROM public_holidays`.execute(db);
  const present = new Set(rows.map((row) => row.year));
  const days: { day: string }[] = [];
  for (let year = firstYear; year <= lastYear; year++)
    if (!present.has(year)) for (const day of publicHolidaysOf(year)) days.push({ day });
  if (days.length === 0) return 0;
  forgetStoredHolidays();
  const inserted = await db
    .insertInto('public_holidays')
    .values(days)
    .onConflict((oc) => oc.column('day').doNothing())
    .returning('day')
    .execute();
  if (inserted.length > 0) {
    const sorted = inserted.map((row) => row.day).sort();
    await remeasure(db, sorted[0]!, sorted[sorted.length - 1]!);
  }
  return inserted.length;
}

/**
 * Measures again the cases whose time to first answer or to resolution spans these days, after the
 * working-day calendar changed there. Days in the future touch no measured case.
 */
export async function remeasure(db: Db, from: string, to: string): Promise<void> {
  if (from > osloDay(new Date())) return;
  await sql`
    UPDATE cases SET
      first_answer_ms = CASE WHEN first_answered_at IS NOT NULL THEN working_ms(created_at, first_answered_at) END,
      resolution_ms = CASE WHEN closed_at IS NOT NULL THEN working_ms(created_at, closed_at) END
    WHERE created_at < ${endOfOsloDay(to)} AND greatest(first_answered_at, closed_at) >= ${startOfOsloDay(from)}`.execute(
    db,
  );
}
