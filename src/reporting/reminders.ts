// Deadline reminders to the agencies' reporting contacts: N working days before a deadline (the type's
// reminder_days) and on the working day after it, while nothing is delivered. A reminder is a row in
// report_reminders keyed by type, agency, period and kind, written in the same transaction as its mails:
// however many instances look at once, one of them writes it and the others find it there.
import type { Db } from '../db/index.js';
import { enqueueMail } from '../mail/outbox.js';
import { periodic } from '../periodic.js';
import { addDays, osloDay } from '../sla/calendar.js';
import { translator } from '../web/i18n.js';
import { deadlines, periodLine, periodsOf } from './overview.js';
import { nextWorkingDay, periodLabel, workingDaysBefore } from './periods.js';
import { activeReportTypes, contactsOf, currentDeliveries, obligedAgencies, type ReportType } from './queries.js';

/** An overdue reminder is sent at most this many days after the working day it was due (a late start-up). */
const overdueWindowDays = 7;

interface Due {
  type: ReportType;
  agencyId: number;
  period: string;
  label: { nb: string; en: string };
  deadline: string;
  kind: 'before' | 'after';
}

/** The reminders due on `today` (an Oslo date) for periods with nothing delivered. */
export async function dueReminders(db: Db, today: string): Promise<Due[]> {
  const types = await activeReportTypes(db);
  const d = { ...(await deadlines(db)), today };
  const year = Number(today.slice(0, 4));
  const obliged = await obligedAgencies(
    db,
    types.map((t) => t.id),
  );
  const nb = translator('nb');
  const en = translator('en');
  const due: Due[] = [];
  for (const type of types) {
    const delivered = [
      ...(await currentDeliveries(db, [type.id], year - 1)),
      ...(await currentDeliveries(db, [type.id], year)),
    ];
    for (const period of [...periodsOf(type, year - 1), ...periodsOf(type, year)]) {
      const { deadline } = periodLine(type, period, d, undefined);
      if (!deadline) continue;
      let kind: Due['kind'] | undefined;
      const after = nextWorkingDay(d.cal, deadline);
      if (today >= after && today <= addDays(after, overdueWindowDays)) kind = 'after';
      else if (
        type.reminderDays > 0 &&
        today >= workingDaysBefore(d.cal, deadline, type.reminderDays) &&
        today <= deadline
      )
        kind = 'before';
      if (!kind) continue;
      for (const agency of obliged.get(type.id) ?? []) {
        if (delivered.some((x) => x.period === period.key && x.agency_id === agency.id)) continue;
        due.push({
          type,
          agencyId: agency.id,
          period: period.key,
          label: { nb: periodLabel(nb, period), en: periodLabel(en, period) },
          deadline,
          kind,
        });
      }
    }
  }
  return due;
}

/** Sends the reminders due now; resolves with how many this instance wrote. */
export async function sendReminders(db: Db, publicUrl: URL, now = new Date()): Promise<number> {
  let sent = 0;
  for (const reminder of await dueReminders(db, osloDay(now))) {
    const written = await db.transaction().execute(async (trx) => {
      const row = await trx
        .insertInto('report_reminders')
        .values({
          report_type_id: reminder.type.id,
          agency_id: reminder.agencyId,
          period: reminder.period,
          kind: reminder.kind,
        })
        .onConflict((oc) => oc.doNothing())
        .returning('sent_at')
        .executeTakeFirst();
      if (!row) return false;
      for (const contact of await contactsOf(trx, reminder.agencyId)) {
        // Contacts are not users: they get the centre's default language.
        await enqueueMail(trx, {
          kind: reminder.kind === 'before' ? 'reporting_reminder' : 'reporting_overdue',
          idempotencyKey: `reporting-${reminder.kind}:${reminder.type.id}:${reminder.agencyId}:${reminder.period}:${contact.id}`,
          recipient: contact.email,
          language: 'nb',
          payload: {
            name: contact.name,
            report: reminder.type.name.nb,
            period: reminder.label.nb,
            deadline: reminder.deadline.split('-').reverse().join('.'),
            link: new URL(`/reporting/types/${reminder.type.code}/${reminder.period}`, publicUrl).href,
          },
        });
      }
      return true;
    });
    if (written) sent += 1;
  }
  return sent;
}

export interface ReminderScheduler {
  tick(): Promise<number>;
  stop(): Promise<void>;
}

export function startReminders(
  db: Db,
  options: { publicUrl: URL; intervalMs?: number; log?: (message: string, details?: object) => void },
): ReminderScheduler {
  const log = options.log ?? (() => {});
  const rounds = periodic(() => sendReminders(db, options.publicUrl), {
    intervalMs: options.intervalMs ?? 15 * 60_000,
    atStart: true,
    onError: (error) => log('reporting reminders round failed', { error: String(error) }),
  });
  return { tick: rounds.run, stop: rounds.stop };
}
