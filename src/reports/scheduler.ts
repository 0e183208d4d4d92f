// Sends subscribed reports. Each due subscription is claimed with SKIP LOCKED, its figures computed as
// its subscriber would see them, the mail written to the outbox and the next run set, all in one
// transaction: however many instances run, a period is sent once. A run missed while no instance was
// up is sent on the next start (the latest missed period only; older ones are not worth a pile of mail).
import type { Db } from '../db/index.js';
import { viewerById } from '../auth/viewer.js';
import { periodic } from '../periodic.js';
import { enqueueMail } from '../mail/outbox.js';
import { translator, formatDate, isLanguage } from '../web/i18n.js';
import { reportChoices, parseReportQuery, daysIn, reportQueryString, type ReportKind } from './filter.js';
import { reportFigures } from './queries.js';
import { present } from './present.js';
import { reportKindFor } from './subscriptions.js';
import { lastRun, nextRun, periodOf, type Frequency, type Schedule } from './schedule.js';

export interface SchedulerOptions {
  publicUrl: URL;
  intervalMs?: number;
  log?: (message: string, details?: object) => void;
}

// A type, not an interface: it is stored as JSON, which needs its index signature.
export type ReportMailPayload = {
  subject: string;
  heading: string;
  rows: [string, string][];
  link: string;
};

/** Sends every report that is due at `now`; resolves with how many subscriptions were handled. */
export async function sendDueReports(db: Db, publicUrl: URL, now = new Date()): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('report_subscriptions')
      .innerJoin('users', 'users.id', 'report_subscriptions.user_id')
      .select(['report_subscriptions.id', 'report_subscriptions.user_id', 'report_subscriptions.report', 'report_subscriptions.agency_id', 'report_subscriptions.filters', 'report_subscriptions.frequency', 'report_subscriptions.weekday', 'report_subscriptions.send_time', 'users.email', 'users.language'])
      .where('report_subscriptions.next_run_at', '<=', now)
      .orderBy('report_subscriptions.next_run_at')
      .limit(20)
      .forUpdate('report_subscriptions')
      .skipLocked()
      .execute();
    for (const subscription of due) {
      const schedule: Schedule = { frequency: subscription.frequency as Frequency, weekday: subscription.weekday, time: subscription.send_time };
      const period = periodOf(schedule, lastRun(schedule, now));
      const language = isLanguage(subscription.language) ? subscription.language : 'nb';
      const t = translator(language);
      let error: string | null = null;
      const viewer = await viewerById(trx, subscription.user_id, subscription.agency_id);
      const kind = subscription.report as ReportKind;
      // The subscriber's access now decides, not what they had when subscribing.
      if (!viewer) error = 'inactive';
      else if (reportKindFor(viewer) !== kind || (kind === 'agency' && viewer.agencyId !== subscription.agency_id)) error = 'forbidden';
      else {
        const choices = await reportChoices(trx, viewer, kind);
        const query = { ...(subscription.filters as Record<string, string>), from: period.from, to: period.to, by: daysIn(period.from, period.to) > 31 ? 'week' : 'day' };
        const { filter, problems } = parseReportQuery(query, choices, now);
        if (Object.keys(problems).length > 0) error = 'filters';
        else {
          const figures = await reportFigures(trx, { kind, viewer }, filter);
          const report = present(figures, filter, choices, t, language, () => undefined);
          const periodText = period.from === period.to ? formatDate(language, period.from) : `${formatDate(language, period.from)}–${formatDate(language, period.to)}`;
          const title = t(`reports.mail.${kind}`, { agency: viewer.agencies.find((a) => a.id === viewer.agencyId)?.name ?? '' });
          const payload: ReportMailPayload = {
            subject: t('reports.mail.subject', { title, period: periodText }),
            heading: t('reports.mail.heading', { title, period: periodText }),
            rows: [...report.headlines.map((h): [string, string] => [h.label, h.cell.text]), ...report.tables.find((table) => table.id === 'timing')!.rows.map((row): [string, string] => [row.label, row.cells[0]!.text])].filter(
              ([label], i, all) => all.findIndex(([other]) => other === label) === i,
            ),
            link: new URL(`/reports?${reportQueryString(filter, choices)}`, publicUrl).href,
          };
          await enqueueMail(trx, { kind: 'scheduled_report', idempotencyKey: `report:${subscription.id}:${period.from}`, recipient: subscription.email, language, payload });
        }
      }
      await trx
        .updateTable('report_subscriptions')
        .set({ next_run_at: nextRun(schedule, now), last_run_at: now, last_period: period.from, last_error: error })
        .where('id', '=', subscription.id)
        .execute();
    }
    return due.length;
  });
}

export interface ReportScheduler {
  /** Runs one round now (tests and the first round on start). */
  tick(): Promise<number>;
  stop(): Promise<void>;
}

export function startReportScheduler(db: Db, options: SchedulerOptions): ReportScheduler {
  const log = options.log ?? (() => {});
  // The first round at once: that is where a run missed while the service was down is caught up.
  const rounds = periodic(() => sendDueReports(db, options.publicUrl), {
    intervalMs: options.intervalMs ?? 60_000,
    atStart: true,
    onError: (error) => log('report scheduler round failed', { error: String(error) }),
  });
  return { tick: rounds.run, stop: rounds.stop };
}
