// Working days for service-level deadlines. Weekends only for now: public holidays and the
// admin-edited SLA calendar come with the caseworker workspace.
const day = 24 * 60 * 60 * 1000;

/** The moment `days` working days after `from`, at the same time of day. */
export function addWorkingDays(from: Date, days: number): Date {
  let result = new Date(from.getTime());
  let left = days;
  while (left > 0) {
    result = new Date(result.getTime() + day);
    const weekday = result.getUTCDay();
    if (weekday !== 0 && weekday !== 6) left -= 1;
  }
  return result;
}

/** The first answer is due within two working days (PRODUCT.md, service level). */
export const firstAnswerWorkingDays = 2;
