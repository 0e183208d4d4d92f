// Reporting periods and their deadlines. A period is named by a key: `2026-03` (monthly), `2026-B2`
// (bimonthly: March–April), `2026-Q1` (quarterly) or `2026` (yearly). Deadlines come from the centre's
// calendars (payroll, accounting close) or are N working days after the period ends.
import { addDays, endOfOsloDay, type Calendar } from '../sla/calendar.js';
import type { Translate } from '../web/i18n.js';

export const periodKinds = ['monthly', 'bimonthly', 'quarterly', 'yearly'] as const;
export type PeriodKind = (typeof periodKinds)[number];
export const deadlineRules = ['payroll', 'accounting', 'working_days'] as const;
export type DeadlineRule = (typeof deadlineRules)[number];

const keyPatterns: Record<PeriodKind, RegExp> = {
  monthly: /^(\d{4})-(0[1-9]|1[0-2])$/,
  bimonthly: /^(\d{4})-B([1-6])$/,
  quarterly: /^(\d{4})-Q([1-4])$/,
  yearly: /^(\d{4})$/,
};
const monthsIn: Record<PeriodKind, number> = { monthly: 1, bimonthly: 2, quarterly: 3, yearly: 12 };

export interface Period {
  readonly key: string;
  readonly kind: PeriodKind;
  readonly year: number;
  /** First and last month, 1–12. */
  readonly firstMonth: number;
  readonly lastMonth: number;
}

/** The period a key names for this kind, or undefined when the key is not one of its periods. */
export function parsePeriod(kind: PeriodKind, key: string): Period | undefined {
  const match = keyPatterns[kind].exec(key);
  if (!match) return undefined;
  const year = Number(match[1]);
  if (year < 2000 || year > 2200) return undefined;
  const index = kind === 'yearly' ? 1 : Number(match[2]);
  const firstMonth = (index - 1) * monthsIn[kind] + 1;
  return { key, kind, year, firstMonth, lastMonth: firstMonth + monthsIn[kind] - 1 };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Every period of a kind in a year, in order. */
export function periodsOfYear(kind: PeriodKind, year: number): Period[] {
  const count = 12 / monthsIn[kind];
  return Array.from({ length: count }, (_, i) => {
    const key =
      kind === 'monthly'
        ? `${year}-${pad(i + 1)}`
        : kind === 'bimonthly'
          ? `${year}-B${i + 1}`
          : kind === 'quarterly'
            ? `${year}-Q${i + 1}`
            : String(year);
    return parsePeriod(kind, key)!;
  });
}

/** The period of this kind that contains a day (an ISO date). */
export function periodContaining(kind: PeriodKind, isoDate: string): Period {
  const year = Number(isoDate.slice(0, 4));
  const month = Number(isoDate.slice(5, 7));
  return periodsOfYear(kind, year).find((p) => p.firstMonth <= month && month <= p.lastMonth)!;
}

export function firstDay(period: Period): string {
  return `${period.year}-${pad(period.firstMonth)}-01`;
}

export function lastDay(period: Period): string {
  const next = period.lastMonth === 12 ? `${period.year + 1}-01-01` : `${period.year}-${pad(period.lastMonth + 1)}-01`;
  return addDays(next, -1);
}

/** The month (`YYYY-MM`) whose calendar date is the period's deadline: its last month. */
export function calendarMonth(period: Period): string {
  return `${period.year}-${pad(period.lastMonth)}`;
}

/** Periods compare by their first month, so `2026-Q1` comes before `2026-04`. */
export function comparePeriods(a: Period, b: Period): number {
  return a.year - b.year || a.firstMonth - b.firstMonth;
}

export interface DeadlineSettings {
  readonly deadlineRule: DeadlineRule;
  readonly deadlineDays: number;
}

/**
 * The last day to deliver (an ISO date), or undefined when the rule points at a calendar that has no
 * date for the period yet. "N working days after the period ends" counts working days from the day after.
 */
export function deadlineOf(
  settings: DeadlineSettings,
  period: Period,
  calendars: ReadonlyMap<string, string>,
  cal: Calendar,
): string | undefined {
  if (settings.deadlineRule !== 'working_days')
    return calendars.get(`${settings.deadlineRule}:${calendarMonth(period)}`);
  let day = lastDay(period);
  let left = settings.deadlineDays;
  while (left > 0) {
    day = addDays(day, 1);
    if (cal.isWorkingDay(day)) left -= 1;
  }
  return day;
}

/** `days` working days before an ISO date (the date itself not counted). */
export function workingDaysBefore(cal: Calendar, isoDate: string, days: number): string {
  let day = isoDate;
  let left = days;
  while (left > 0) {
    day = addDays(day, -1);
    if (cal.isWorkingDay(day)) left -= 1;
  }
  return day;
}

/** The first working day after an ISO date. */
export function nextWorkingDay(cal: Calendar, isoDate: string): string {
  let day = addDays(isoDate, 1);
  while (!cal.isWorkingDay(day)) day = addDays(day, 1);
  return day;
}

/**
 * Where a period stands for one agency: not yet due (the period has not ended), due (ended, deadline
 * not passed), delivered (on time or late), or late (deadline passed, nothing delivered).
 */
export type PeriodStatus = 'not_due' | 'due' | 'delivered' | 'delivered_late' | 'late';

export function periodStatus(
  period: Period,
  deadline: string | undefined,
  today: string,
  deliveredAt: Date | undefined,
): PeriodStatus {
  if (deliveredAt) return deadline && deliveredAt >= endOfOsloDay(deadline) ? 'delivered_late' : 'delivered';
  if (deadline && today > deadline) return 'late';
  return today > lastDay(period) ? 'due' : 'not_due';
}

/** A delivery is taken for a period from its first day on (and never before the type's first period). */
export function isOpen(period: Period, firstPeriod: Period, today: string): boolean {
  return comparePeriods(period, firstPeriod) >= 0 && firstDay(period) <= today;
}

/** The period's name in words: «mars 2026», «1. termin 2026», «1. kvartal 2026», «2026». */
export function periodLabel(t: Translate, period: Period): string {
  switch (period.kind) {
    case 'monthly':
      return t('reporting.periods.month', { month: t(`reporting.months.${period.firstMonth}`), year: period.year });
    case 'bimonthly':
      return t('reporting.periods.term', { n: (period.firstMonth + 1) / 2, year: period.year });
    case 'quarterly':
      return t('reporting.periods.quarter', { n: (period.firstMonth + 2) / 3, year: period.year });
    case 'yearly':
      return String(period.year);
  }
}
