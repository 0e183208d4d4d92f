// When a subscribed report is sent, and which period it covers: wall-clock times in Oslo, so "Monday
// 07:00" stays 07:00 across daylight saving time.
import { addDays, osloDay, osloInstant } from '../sla/calendar.js';

export const frequencies = ['weekly', 'daily', 'monthly'] as const;
export type Frequency = (typeof frequencies)[number];

export interface Schedule {
  frequency: Frequency;
  /** ISO weekday, 1 = Monday; weekly reports only. */
  weekday: number;
  /** HH:MM in Oslo. */
  time: string;
}

/** Before the Monday meeting. */
export const defaultSchedule: Schedule = { frequency: 'weekly', weekday: 1, time: '07:00' };

export function isTime(value: string): boolean {
  return /^([01][0-9]|2[0-3]):[0-5][0-9]$/.test(value);
}

const isoWeekday = (isoDate: string) => new Date(`${isoDate}T12:00:00Z`).getUTCDay() || 7;

function runsOn(schedule: Schedule, isoDate: string): boolean {
  if (schedule.frequency === 'weekly') return isoWeekday(isoDate) === schedule.weekday;
  if (schedule.frequency === 'monthly') return isoDate.endsWith('-01');
  return true;
}

function runAt(schedule: Schedule, isoDate: string): Date {
  const [hours, minutes] = schedule.time.split(':').map(Number) as [number, number];
  return osloInstant(isoDate, hours, minutes);
}

/** The first run strictly after `after`. */
export function nextRun(schedule: Schedule, after: Date): Date {
  let day = osloDay(after);
  for (let i = 0; i < 40; i++, day = addDays(day, 1)) {
    if (runsOn(schedule, day) && runAt(schedule, day).getTime() > after.getTime()) return runAt(schedule, day);
  }
  throw new Error('no run within 40 days');
}

/** The latest run at or before `at`: the one a late scheduler still owes. */
export function lastRun(schedule: Schedule, at: Date): Date {
  let day = osloDay(at);
  for (let i = 0; i < 40; i++, day = addDays(day, -1)) {
    if (runsOn(schedule, day) && runAt(schedule, day).getTime() <= at.getTime()) return runAt(schedule, day);
  }
  throw new Error('no run within 40 days');
}

/** The days a run reports on: the day, week or month that ended before the run's day. */
export function periodOf(schedule: Schedule, run: Date): { from: string; to: string } {
  const day = osloDay(run);
  const to = addDays(day, -1);
  if (schedule.frequency === 'daily') return { from: to, to };
  if (schedule.frequency === 'weekly') return { from: addDays(day, -7), to };
  return { from: `${to.slice(0, 7)}-01`, to };
}
