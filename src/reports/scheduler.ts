// Sends subscribed reports. Each due subscription is claimed with SKIP LOCKED, its figures computed as
// its subscriber would see them, the mail written to the outbox and the next run set, all in one
// transaction: however many instances run, a period is sent once. A run missed while no instance was
// up is sent on the next start (the latest missed period only; older ones are not worth a pile of mail).
import type { Db } from '../db/index.js';
import { viewerById } from '../auth/viewer.js';
import { periodic } from '../periodic.js';
import { enqueueMail, type MailRequest, type ReportMailPayload } from '../mail/outbox.js';
import { translator, isLanguage } from '../web/i18n.js';
import { reportChoices, parseReportQuery, reportQueryString, type ReportKind } from './filter.js';
import { reportFigures } from './queries.js';
import { formatPeriod, mailRows, present } from './present.js';
import { mayStillReceive } from './subscriptions.js';
import { lastRun, nextRun, periodOf, type Frequency, type Schedule } from './schedule.js';

export interface SchedulerOptions {
  publicUrl: URL;
  intervalMs?: number;
  log?: (message: string, details?: object) => void;
}

/** Sends every report that is due at `now`; resolves with how many subscriptions were handled. */
export async function sendDueReports(db: Db, publicUrl: URL, now = new Date()): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('report_subscriptions')
      .innerJoin('users', 'users.id', 'report_subscriptions.user_id')
      .select([
        'report_subscriptions.id',
        'report_subscriptions.user_id',
        'report_subscriptions.report',
        'report_subscriptions.agency_id',
        'report_subscriptions.filters',
        'report_subscriptions.frequency',
        'report_subscriptions.weekday',
        'report_subscriptions.send_time',
        'users.email',
        'users.language',
      ])
      .where('report_subscriptions.next_run_at', '<=', now)
      .orderBy('report_subscriptions.next_run_at')
      .limit(20)
      .forUpdate('report_subscriptions')
      .skipLocked()
      .execute();
    for (const subscription of due) {
      const schedule: Schedule = {
        frequency: subscription.frequency as Frequency,
        weekday: subscription.weekday,
        time: subscription.send_time,
      };
      const period = periodOf(schedule, lastRun(schedule, now));
      const outcome = await reportMail(trx, subscription, period, publicUrl, now);
      if (typeof outcome !== 'string') await enqueueMail(trx, outcome);
      await trx
        .updateTable('report_subscriptions')
        .set({
          next_run_at: nextRun(schedule, now),
          last_run_at: now,
          last_period: period.from,
          last_error: typeof outcome === 'string' ? outcome : null,
        })
        .where('id', '=', subscription.id)
        .execute();
    }
    return due.length;
  });
}

type DueSubscription = {
  id: number;
  user_id: number;
  report: string;
  agency_id: number | null;
  filters: unknown;
  email: string;
  language: string | null;
};

/** The mail a subscription gets for a period, or why it gets none. */
async function reportMail(
  db: Db,
  subscription: DueSubscription,
  period: { from: string; to: string },
  publicUrl: URL,
  now: Date,
): Promise<MailRequest | 'inactive' | 'forbidden' | 'filters'> {
  const viewer = await viewerById(db, subscription.user_id, subscription.agency_id);
  if (!viewer) return 'inactive';
  if (!mayStillReceive(viewer, subscription)) return 'forbidden';
  const kind = subscription.report as ReportKind;
  const choices = await reportChoices(db, viewer, kind);
  const { filter, problems } = parseReportQuery(
    { ...(subscription.filters as Record<string, string>), from: period.from, to: period.to },
    choices,
    now,
  );
  if (Object.keys(problems).length > 0) return 'filters';
  const language = isLanguage(subscription.language) ? subscription.language : 'nb';
  const t = translator(language);
  const report = present(
    await reportFigures(db, { kind, viewer }, filter),
    filter,
    choices,
    t,
    language,
    () => undefined,
  );
  const title = t(`reports.mail.${kind}`, {
    agency: viewer.agencies.find((a) => a.id === viewer.agencyId)?.name ?? '',
  });
  const periodText = formatPeriod(language, period.from, period.to);
  const payload: ReportMailPayload = {
    subject: t('reports.mail.subject', { title, period: periodText }),
    heading: t('reports.mail.heading', { title, period: periodText }),
    rows: mailRows(report),
    link: new URL(`/reports?${reportQueryString(filter, choices)}`, publicUrl).href,
  };
  return {
    kind: 'scheduled_report',
    idempotencyKey: `report:${subscription.id}:${period.from}`,
    recipient: subscription.email,
    language,
    payload,
  };
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
