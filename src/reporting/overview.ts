// Where reporting stands: for an agency, every report type × period of a year with its deadline, status
// and receipt; for the centre, per type and period, how many agencies have delivered, are late or have
// not delivered yet, and the agencies behind each figure.
import type { Viewer } from '../auth/viewer.js';
import type { Db } from '../db/index.js';
import { loadCalendar, osloDay, type Calendar } from '../sla/calendar.js';
import {
  deadlineOf,
  isOpen,
  parsePeriod,
  periodsOfYear,
  periodStatus,
  type Period,
  type PeriodStatus,
} from './periods.js';
import {
  calendarDates,
  currentDeliveries,
  obligedAgencies,
  reportTypesFor,
  type DeliveryRow,
  type ReportType,
} from './queries.js';

export interface PeriodLine {
  period: Period;
  deadline: string | undefined;
  status: PeriodStatus;
  open: boolean;
  delivery: DeliveryRow | undefined;
}

export interface Deadlines {
  today: string;
  cal: Calendar;
  calendars: ReadonlyMap<string, string>;
}

export async function deadlines(db: Db): Promise<Deadlines> {
  const [cal, calendars] = await Promise.all([loadCalendar(db), calendarDates.get(db, undefined)]);
  return { today: osloDay(new Date()), cal, calendars };
}

/** The periods of a type in a year from its first period on. */
export function periodsOf(type: ReportType, year: number): Period[] {
  const first = parsePeriod(type.periodKind, type.firstPeriod);
  return periodsOfYear(type.periodKind, year).filter((p) => !first || p.year > first.year || p.key >= first.key);
}

export function periodLine(type: ReportType, period: Period, d: Deadlines, delivery: DeliveryRow | undefined) {
  const deadline = deadlineOf(type, period, d.calendars, d.cal);
  const first = parsePeriod(type.periodKind, type.firstPeriod) ?? period;
  return {
    period,
    deadline,
    status: periodStatus(period, deadline, d.today, delivery?.delivered_at),
    open: isOpen(period, first, d.today),
    delivery,
  };
}

/** The agency's year: every type it reports, with a line per period. */
export async function agencyOverview(db: Db, viewer: Viewer, year: number) {
  const agencyId = viewer.agencyId!;
  const types = await reportTypesFor(db, viewer);
  const [d, delivered] = await Promise.all([
    deadlines(db),
    currentDeliveries(
      db,
      types.map((t) => t.id),
      year,
      agencyId,
    ),
  ]);
  return types.map((type) => ({
    type,
    lines: periodsOf(type, year).map((period) =>
      periodLine(
        type,
        period,
        d,
        delivered.find((x) => x.report_type_id === type.id && x.period === period.key),
      ),
    ),
  }));
}

/** How the centre counts an agency's period: delivered (on time or late), late (nothing after the deadline), waiting. */
export type CentreStatus = 'delivered' | 'late' | 'waiting';

export function centreStatus(status: PeriodStatus): CentreStatus {
  if (status === 'delivered' || status === 'delivered_late') return 'delivered';
  return status === 'late' ? 'late' : 'waiting';
}

export interface CentreFilter {
  year: number;
  area?: number;
  agency?: number;
  type?: string;
}

/** The centre's year: per type and period that has begun, the agencies by status. */
export async function centreOverview(db: Db, viewer: Viewer, filter: CentreFilter) {
  const types = (await reportTypesFor(db, viewer)).filter(
    (t) => (filter.area === undefined || t.areaId === filter.area) && (!filter.type || t.code === filter.type),
  );
  const ids = types.map((t) => t.id);
  const [d, delivered, obliged] = await Promise.all([
    deadlines(db),
    currentDeliveries(db, ids, filter.year),
    obligedAgencies(db, ids),
  ]);
  const byKey = new Map(delivered.map((x) => [`${x.report_type_id}:${x.period}:${x.agency_id}`, x]));
  return types.map((type) => {
    const agencies = (obliged.get(type.id) ?? []).filter((a) => filter.agency === undefined || a.id === filter.agency);
    const periods = periodsOf(type, filter.year).filter((p) => periodLine(type, p, d, undefined).open);
    return {
      type,
      periods: periods.map((period) => {
        const rows = agencies.map((agency) => {
          const delivery = byKey.get(`${type.id}:${period.key}:${agency.id}`);
          const line = periodLine(type, period, d, delivery);
          return { agency, line, status: centreStatus(line.status) };
        });
        return {
          period,
          deadline: periodLine(type, period, d, undefined).deadline,
          rows,
          counts: {
            delivered: rows.filter((r) => r.status === 'delivered').length,
            late: rows.filter((r) => r.status === 'late').length,
            waiting: rows.filter((r) => r.status === 'waiting').length,
          },
        };
      }),
    };
  });
}
