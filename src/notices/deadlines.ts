// Deadline notices: a case whose running clock has this many working hours or fewer left is announced
// to whoever has it, once per deadline (a new deadline is a new notice). Run every few minutes by the
// workers; working hours follow the centre's calendar, so a Friday afternoon counts to Monday.
import type { Db } from '../db/index.js';
import { periodic } from '../periodic.js';
import { loadCalendar, workingTimeBetween } from '../sla/calendar.js';
import { notifyAboutCase } from './service.js';

// Running clocks (migration 0024) due within this much clock time are considered: a long weekend and
// holidays stretch working hours, so the window is wider than the setting and the calendar decides.
const lookaheadMs = 6 * 86_400_000;

export async function noticeNearDeadlines(db: Db, hours: number, publicUrl: URL, now = new Date()): Promise<number> {
  if (hours <= 0) return 0;
  const calendar = await loadCalendar(db);
  const soon = await db
    .selectFrom('cases')
    .select(['id', 'due_at'])
    .where('status_rank', '<=', 2)
    .where('due_at', '>', now)
    .where('due_at', '<', new Date(now.getTime() + lookaheadMs + hours * 3_600_000))
    .execute();
  let noticed = 0;
  for (const found of soon) {
    if (workingTimeBetween(calendar, now, found.due_at) > hours * 3_600_000) continue;
    noticed += await notifyAboutCase(db, {
      kind: 'deadline',
      caseId: found.id,
      dedupe: `deadline:${found.id}:${found.due_at.toISOString()}`,
      publicUrl,
    });
  }
  return noticed;
}

export function startDeadlineNotices(
  db: Db,
  options: { hours: number; publicUrl: URL; log: (message: string, details?: object) => void },
) {
  return periodic(() => noticeNearDeadlines(db, options.hours, options.publicUrl), {
    intervalMs: 5 * 60_000,
    atStart: true,
    onError: (error) => options.log('deadline notices failed', { error: String(error) }),
  });
}
