// Norwegian working days for service-level clocks: weekends, public holidays for any year (from
// date-holidays, Easter-based ones included) and the extra closed days admins add. Time counts only on
// working days, measured in Europe/Oslo.
import { createRequire } from 'node:module';
import type HolidaysType from 'date-holidays';
import type { Db } from '../db/index.js';
import { shortCache } from '../db/cache.js';

const zone = 'Europe/Oslo';
const publicHolidays = new Map<number, Set<string>>();
let norway: HolidaysType | undefined;

/**
 * Public holidays of a year as ISO dates; computed once per year. date-holidays (a quarter of a second
 * to load) is loaded on the first call: the running app reads holidays from the database instead
 * (loadCalendar), so an ordinary start never loads it.
 */
export function publicHolidaysOf(year: number): ReadonlySet<string> {
  let days = publicHolidays.get(year);
  if (!days) {
    const Holidays = createRequire(import.meta.url)('date-holidays') as typeof HolidaysType;
    norway ??= new Holidays('NO');
    days = new Set(
      norway
        .getHolidays(year)
        .filter((h) => h.type === 'public')
        .map((h) => h.date.slice(0, 10)),
    );
    publicHolidays.set(year, days);
  }
  return days;
}

const osloDate = new Intl.DateTimeFormat('sv-SE', {
  timeZone: zone,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});
const osloParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: zone,
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});

const hourMs = 3_600_000;
// Oslo has been a whole number of hours from UTC since 1895, so its date changes only on a UTC hour: the date of an
// hour is worked out once (a time-zone conversion costs microseconds, and a queue page asks hundreds).
const osloDayOfHour = new Map<number, string>();

/** The calendar date in Oslo of an instant, as YYYY-MM-DD. */
export function osloDay(instant: Date): string {
  const hour = Math.floor(instant.getTime() / hourMs);
  if (!(hour >= 0)) return osloDate.format(instant); // before 1970, or an invalid date
  let day = osloDayOfHour.get(hour);
  if (day === undefined) {
    if (osloDayOfHour.size >= 100_000) osloDayOfHour.clear();
    day = osloDate.format(instant);
    osloDayOfHour.set(hour, day);
  }
  return day;
}

/** The wall-clock time in Oslo of an instant, as a Date whose UTC fields show it (for Excel cells). */
export function osloWallClock(instant: Date): Date {
  const parts = Object.fromEntries(osloParts.formatToParts(instant).map((p) => [p.type, p.value]));
  return new Date(
    Date.UTC(
      Number(parts.year),
      Number(parts.month) - 1,
      Number(parts.day),
      Number(parts.hour),
      Number(parts.minute),
      Number(parts.second),
    ),
  );
}

/**
 * `compute` remembered per ISO date: every deadline and every row of a queue asks about the same few
 * days, and some answers cost time-zone conversions. A few thousand days cover years, so the memory is
 * emptied when it grows past that.
 */
function perDay<T>(compute: (isoDate: string) => T): (isoDate: string) => T {
  const known = new Map<string, T>();
  return (isoDate) => {
    let value = known.get(isoDate);
    if (value === undefined) {
      if (known.size >= 20_000) known.clear();
      value = compute(isoDate);
      known.set(isoDate, value);
    }
    return value;
  };
}

/** The instant at which an Oslo calendar day begins (handles the DST switch days). */
export function startOfOsloDay(isoDate: string): Date {
  return new Date(osloDayStartMs(isoDate));
}

/** startOfOsloDay as milliseconds, without a Date: asked for by every row of a queue. */
const osloDayStartMs = perDay((isoDate) => osloInstant(isoDate, 0, 0).getTime());

/** The instant the clocks in Oslo show this date and time (a time skipped by DST comes an hour late). */
export function osloInstant(isoDate: string, hours: number, minutes: number): Date {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const wall = Date.UTC(y, m - 1, d, hours, minutes);
  let guess = wall;
  for (let i = 0; i < 2; i++) guess -= osloWallClock(new Date(guess)).getTime() - wall;
  return new Date(guess);
}

/** The ISO date `days` after this one (before it, for a negative number). */
export function addDays(isoDate: string, days: number): string {
  return new Date(Date.parse(`${isoDate}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

const nextDay = perDay((isoDate) => addDays(isoDate, 1));

/** The instant an Oslo calendar day ends (the next one begins): "by this date" means before then. */
export function endOfOsloDay(isoDate: string): Date {
  return startOfOsloDay(nextDay(isoDate));
}

export interface Calendar {
  isWorkingDay(isoDate: string): boolean;
}

/**
 * A calendar with these extra closed days (ISO dates) on top of weekends and public holidays. The
 * holidays are those given, for the years they cover, and date-holidays' for any other year.
 */
export function calendar(closedDays: Iterable<string> = [], holidays: Iterable<string> = []): Calendar {
  const closed = new Set(closedDays);
  const known = new Set(holidays);
  const knownYears = new Set([...known].map((day) => Number(day.slice(0, 4))));
  const decide = (isoDate: string) => {
    const weekday = new Date(`${isoDate}T12:00:00Z`).getUTCDay();
    if (weekday === 0 || weekday === 6) return false;
    if (closed.has(isoDate)) return false;
    const year = Number(isoDate.slice(0, 4));
    return !(knownYears.has(year) ? known : publicHolidaysOf(year)).has(isoDate);
  };
  // Every row of a queue asks about the same few days (today, the deadlines' days): each is decided once.
  return { isWorkingDay: perDay(decide) };
}

/** Public holidays change only when start-up adds a year: read once per process, for ten minutes at most. */
let storedHolidays: { days: Promise<string[]>; until: number } | undefined;

export function forgetStoredHolidays(): void {
  storedHolidays = undefined;
}

/** The calendar with the public holidays stored at start-up and the closed days admins have added. */
export async function loadCalendar(db: Db): Promise<Calendar> {
  if (!storedHolidays || storedHolidays.until < Date.now()) {
    const days = db
      .selectFrom('public_holidays')
      .select('day')
      .execute()
      .then((rows) => rows.map((r) => r.day));
    storedHolidays = { days, until: Date.now() + 600_000 };
    // A failed read is not kept: the next call asks again.
    days.catch(forgetStoredHolidays);
  }
  const [closed, holidays] = await Promise.all([closedDays.get(db, undefined), storedHolidays.days]);
  // The same days give the same calendar object, so what it has summed up (see wholeDays) is kept.
  const key = closed.join(',');
  if (lastCalendar?.key !== key || lastCalendar.holidays !== holidays)
    lastCalendar = { key, holidays, calendar: calendar(closed, holidays) };
  return lastCalendar.calendar;
}

/** The centre's own closed days; the admin page forgets them when it changes one. */
export const closedDays = shortCache(10_000, async (db: Db) =>
  (await db.selectFrom('closed_days').select('day').execute()).map((r) => r.day),
);

let lastCalendar: { key: string; holidays: string[]; calendar: Calendar } | undefined;

const dayMs = 86_400_000;
/** A whole working day of clock time: "two working days" is twice this. */
export const workingDayMs = dayMs;

/** Working time between two instants: the parts of [from, to) that fall on working days in Oslo. */
export function workingTimeBetween(cal: Calendar, from: Date, to: Date): number {
  if (to.getTime() <= from.getTime()) return 0;
  const first = osloDay(from);
  const last = osloDay(to);
  if (first === last) return cal.isWorkingDay(first) ? to.getTime() - from.getTime() : 0;
  const second = nextDay(first);
  let total = cal.isWorkingDay(first) ? osloDayStartMs(second) - from.getTime() : 0;
  total += wholeDays(cal, second, last);
  if (cal.isWorkingDay(last)) total += to.getTime() - osloDayStartMs(last);
  return total;
}

// Working time over whole days, from running sums per calendar: a queue of cases overdue by years would
// otherwise walk every day of those years for every row (half a second for one page of the workspace).
// cum[k] is the working time from the start of day `base` to the start of day `base + k` (day numbers
// count from 1970-01-01); the sums widen to the days asked for and live as long as the calendar.
const runningSums = new WeakMap<Calendar, { base: number; cum: number[] }>();
const dayNumber = perDay((isoDate) => Date.parse(`${isoDate}T00:00:00Z`) / dayMs);
const isoOfDayNumber = (day: number) => new Date(day * dayMs).toISOString().slice(0, 10);
// Beyond this many days (a century) the sums are not kept; such spans are walked day by day.
const maxSummedDays = 36_600;

/** Working time from the start of day `from` to the start of day `to` (ISO dates, from ≤ to). */
function wholeDays(cal: Calendar, from: string, to: string): number {
  const start = dayNumber(from);
  const end = dayNumber(to);
  let sums = runningSums.get(cal);
  if (!sums || start < sums.base || end > sums.base + sums.cum.length - 1) {
    const base = Math.min(start, sums?.base ?? start);
    const last = Math.max(end, sums ? sums.base + sums.cum.length - 1 : end);
    if (last - base > maxSummedDays) return walkDays(cal, start, end);
    const cum = [0];
    let dayStart = osloDayStartMs(isoOfDayNumber(base));
    for (let day = base; day < last; day++) {
      const nextStart = osloDayStartMs(isoOfDayNumber(day + 1));
      cum.push(cum[cum.length - 1]! + (cal.isWorkingDay(isoOfDayNumber(day)) ? nextStart - dayStart : 0));
      dayStart = nextStart;
    }
    sums = { base, cum };
    runningSums.set(cal, sums);
  }
  return sums.cum[end - sums.base]! - sums.cum[start - sums.base]!;
}

function walkDays(cal: Calendar, start: number, end: number): number {
  let total = 0;
  for (let day = start; day < end; day++)
    if (cal.isWorkingDay(isoOfDayNumber(day)))
      total += osloDayStartMs(isoOfDayNumber(day + 1)) - osloDayStartMs(isoOfDayNumber(day));
  return total;
}

/** The instant when `ms` of working time has passed after `from`. */
export function addWorkingTime(cal: Calendar, from: Date, ms: number): Date {
  let left = ms;
  let day = osloDay(from);
  let cursor = from.getTime();
  for (let guard = 0; guard < 3660; guard++) {
    const dayEnd = startOfOsloDay(nextDay(day)).getTime();
    if (cal.isWorkingDay(day)) {
      if (cursor + left <= dayEnd) return new Date(cursor + left);
      left -= dayEnd - cursor;
    }
    cursor = dayEnd;
    day = nextDay(day);
  }
  throw new Error('no working days within ten years');
}

/** The moment a case arriving at `from` is due, `days` working days later. */
export function addWorkingDays(cal: Calendar, from: Date, days: number): Date {
  return addWorkingTime(cal, from, days * workingDayMs);
}

/** The first answer is due within two working days (PRODUCT.md, service level). */
export const firstAnswerWorkingDays = 2;

/**
 * Where a case's clock stands: stopped while it waits, past its deadline, due within a working day
 * (at risk), or fine; with the working time left or overdue.
 */
export function clockState(
  cal: Calendar,
  due: Date,
  pausedAt: Date | null,
  now: Date,
): { state: 'paused' | 'overdue' | 'soon' | 'ok'; ms: number } {
  if (pausedAt) return { state: 'paused', ms: 0 };
  if (due.getTime() < now.getTime()) return { state: 'overdue', ms: workingTimeBetween(cal, due, now) };
  const ms = workingTimeBetween(cal, now, due);
  return { state: ms < workingDayMs ? 'soon' : 'ok', ms };
}
