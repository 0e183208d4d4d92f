// Subscriptions to reports sent by e-mail on a schedule: who may subscribe to what, and the list of them.
import type { Problems } from '../web/input.js';
import type { Db } from '../db/index.js';
import { hasRole, type Viewer } from '../auth/viewer.js';
import { can } from '../auth/guards.js';
import type { Audit } from '../audit/log.js';
import type { Language } from '../web/i18n.js';
import { parseReportQuery, reportChoices, type ReportKind, type ReportQuery } from './filter.js';
import { frequencies, isTime, nextRun, type Frequency, type Schedule } from './schedule.js';

export interface NewSubscription {
  filters: ReportQuery;
  frequency: string;
  weekday: string;
  time: string;
}

/** The report a viewer gets at /reports: the centre's dashboard for staff, else their agency's, else none. */
export function reportKindFor(viewer: Viewer): ReportKind | undefined {
  return can(viewer, 'report.centre') ? 'centre' : can(viewer, 'report.agency') ? 'agency' : undefined;
}

/**
 * Whether a subscriber may still get the report they subscribed to: the same kind of report, for the
 * same agency. Access at the time of sending decides, not what they had when subscribing.
 */
export function mayStillReceive(viewer: Viewer, subscription: { report: string; agency_id: number | null }): boolean {
  return (
    reportKindFor(viewer) === subscription.report &&
    (subscription.report === 'centre' || viewer.agencyId === subscription.agency_id)
  );
}

/** Only the report's own filters are kept: the period is the schedule's. */
const keptFilters = ['area', 'group', 'agency'] as const;

export async function subscribe(
  db: Db,
  viewer: Viewer,
  input: NewSubscription,
  audit: Audit,
): Promise<{ id: number } | { problems: Problems }> {
  const kind = reportKindFor(viewer);
  if (!kind) return { problems: { report: { key: 'reports.errors.forbidden' } } };
  const problems: Problems = {};
  const filters = Object.fromEntries(
    keptFilters
      .filter((name) => typeof input.filters[name] === 'string' && input.filters[name] !== '')
      .map((name) => [name, input.filters[name] as string]),
  );
  const parsed = parseReportQuery(filters, await reportChoices(db, viewer, kind));
  Object.assign(problems, parsed.problems);
  if (!(frequencies as readonly string[]).includes(input.frequency))
    problems.frequency = { key: 'reports.errors.frequency' };
  if (!/^[1-7]$/.test(input.weekday)) problems.weekday = { key: 'reports.errors.weekday' };
  if (!isTime(input.time)) problems.time = { key: 'reports.errors.time' };
  if (Object.keys(problems).length > 0) return { problems };
  const schedule: Schedule = {
    frequency: input.frequency as Frequency,
    weekday: Number(input.weekday),
    time: input.time,
  };
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .insertInto('report_subscriptions')
      .values({
        user_id: viewer.userId,
        report: kind,
        agency_id: kind === 'agency' ? viewer.agencyId : null,
        filters,
        frequency: schedule.frequency,
        weekday: schedule.weekday,
        send_time: schedule.time,
        next_run_at: nextRun(schedule, new Date()),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await audit(trx, {
      action: 'report.subscribe',
      objectType: 'report_subscription',
      objectId: String(row.id),
      agencyId: kind === 'agency' ? viewer.agencyId : null,
      details: { report: kind, filters, ...schedule },
    });
    return { id: row.id };
  });
}

/** The viewer's own subscriptions (an admin sees everyone's), their filters named as the form names them. */
export async function subscriptionsOf(db: Db, viewer: Viewer, language: Language) {
  const [subscriptions, areas, groups, agencies] = await Promise.all([
    subscriptionRows(db, viewer),
    db.selectFrom('areas').select(['code', 'name_nb', 'name_en']).execute(),
    db.selectFrom('groups').select(['id', 'name_nb', 'name_en']).execute(),
    db.selectFrom('agencies').select(['id', 'name']).execute(),
  ]);
  const local = (item: { name_nb: string; name_en: string } | undefined) =>
    item ? (language === 'en' ? item.name_en : item.name_nb) : undefined;
  const named = (name: string, value: string) =>
    (name === 'area'
      ? local(areas.find((a) => a.code === value))
      : name === 'group'
        ? local(groups.find((g) => String(g.id) === value))
        : agencies.find((a) => String(a.id) === value)?.name) ?? value;
  return subscriptions.map((subscription) => ({
    ...subscription,
    filterNames: Object.entries(subscription.filters as Record<string, string>).map(([name, value]) => ({
      name,
      value: named(name, value),
    })),
  }));
}

function subscriptionRows(db: Db, viewer: Viewer) {
  return db
    .selectFrom('report_subscriptions')
    .innerJoin('users', 'users.id', 'report_subscriptions.user_id')
    .leftJoin('agencies', 'agencies.id', 'report_subscriptions.agency_id')
    .select([
      'report_subscriptions.id',
      'report_subscriptions.report',
      'report_subscriptions.filters',
      'report_subscriptions.frequency',
      'report_subscriptions.weekday',
      'report_subscriptions.send_time',
      'report_subscriptions.next_run_at',
      'report_subscriptions.last_run_at',
      'report_subscriptions.last_period',
      'report_subscriptions.last_error',
      'users.name as user_name',
      'users.email as user_email',
      'agencies.name as agency_name',
    ])
    .$if(!hasRole(viewer, 'admin'), (q) => q.where('report_subscriptions.user_id', '=', viewer.userId))
    .orderBy('report_subscriptions.id')
    .execute();
}

/** Ends a subscription of the viewer's own (or anyone's, for an admin); false when there is none to end. */
export async function unsubscribe(db: Db, viewer: Viewer, id: number, audit: Audit): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const removed = await trx
      .deleteFrom('report_subscriptions')
      .where('id', '=', id)
      .$if(!hasRole(viewer, 'admin'), (q) => q.where('user_id', '=', viewer.userId))
      .returning(['id', 'user_id'])
      .executeTakeFirst();
    if (removed)
      await audit(trx, {
        action: 'report.unsubscribe',
        objectType: 'report_subscription',
        objectId: String(id),
        details: { userId: removed.user_id },
      });
    return removed !== undefined;
  });
}
