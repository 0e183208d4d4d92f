import t from 'tap';
import {
  addWorkingDays,
  addWorkingTime,
  calendar,
  startOfOsloDay,
  workingDayMs,
  workingTimeBetween,
} from '../src/sla/calendar.js';

// Easter Sunday, from the Norwegian almanac, independent of the library under test.
const easter: Record<number, string> = {
  2020: '04-12',
  2021: '04-04',
  2022: '04-17',
  2023: '04-09',
  2024: '03-31',
  2025: '04-20',
  2026: '04-05',
  2027: '03-28',
  2028: '04-16',
  2029: '04-01',
  2030: '04-21',
  2031: '04-13',
  2032: '03-28',
  2033: '04-17',
  2034: '04-09',
  2035: '03-25',
  2036: '04-13',
  2037: '04-05',
  2038: '04-25',
  2039: '04-10',
  2040: '04-01',
};
const shift = (iso: string, days: number) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
const weekday = (iso: string) => new Date(`${iso}T12:00:00Z`).getUTCDay();

t.test('public holidays 2020–2040, Easter-based ones included, are not working days', async (t) => {
  const cal = calendar();
  for (let year = 2020; year <= 2040; year++) {
    const sunday = `${year}-${easter[year]}`;
    t.equal(weekday(sunday), 0, `${sunday} is a Sunday`);
    const closed = {
      skjærtorsdag: shift(sunday, -3),
      langfredag: shift(sunday, -2),
      '2. påskedag': shift(sunday, 1),
      'Kristi himmelfartsdag': shift(sunday, 39),
      '2. pinsedag': shift(sunday, 50),
      '1. nyttårsdag': `${year}-01-01`,
      '1. mai': `${year}-05-01`,
      '17. mai': `${year}-05-17`,
      '1. juledag': `${year}-12-25`,
      '2. juledag': `${year}-12-26`,
    };
    for (const [name, day] of Object.entries(closed)) t.notOk(cal.isWorkingDay(day), `${year}: ${name} (${day})`);
    t.ok(cal.isWorkingDay(shift(sunday, -6)), `${year}: the Monday of Holy Week is a working day`);
    t.ok(cal.isWorkingDay(shift(sunday, 2)), `${year}: the Tuesday after Easter is a working day`);
  }
});

t.test(
  '17 May on a weekend moves nothing, and Christmas Eve is an ordinary day unless an admin closes it',
  async (t) => {
    const cal = calendar();
    for (const year of [2020, 2025, 2026, 2031, 2036, 2037]) {
      const may17 = `${year}-05-17`;
      if (weekday(may17) === 0 || weekday(may17) === 6) {
        const monday = shift(may17, weekday(may17) === 6 ? 2 : 1);
        const isHoliday = [shift(`${year}-${easter[year]}`, 39), shift(`${year}-${easter[year]}`, 50)].includes(monday);
        if (!isHoliday) t.ok(cal.isWorkingDay(monday), `${year}: the Monday after a weekend 17 May is a working day`);
      }
    }
    t.ok(calendar().isWorkingDay('2025-12-24'), 'julaften 2025 (a Wednesday) is a working day by default');
    t.notOk(calendar(['2025-12-24']).isWorkingDay('2025-12-24'), 'an extra closed day counts');
    t.ok(calendar().isWorkingDay('2026-11-23'));
    t.notOk(calendar().isWorkingDay('2026-11-22'), 'a Sunday');
  },
);

t.test('due dates count working time in Oslo', async (t) => {
  const cal = calendar();
  const at = (iso: string) => new Date(iso);
  t.equal(
    addWorkingDays(cal, at('2026-11-23T08:00:00Z'), 2).toISOString(),
    '2026-11-25T08:00:00.000Z',
    'Monday 09:00 → Wednesday 09:00',
  );
  t.equal(
    addWorkingDays(cal, at('2026-11-27T13:00:00Z'), 2).toISOString(),
    '2026-12-01T13:00:00.000Z',
    'Friday 14:00 → Tuesday 14:00',
  );
  t.equal(
    addWorkingDays(cal, at('2026-11-28T09:00:00Z'), 2).toISOString(),
    startOfOsloDay('2026-12-02').toISOString(),
    'a Saturday arrival is due at the end of Tuesday',
  );
  t.equal(
    addWorkingDays(cal, at('2026-04-01T10:00:00Z'), 2).toISOString(),
    '2026-04-08T10:00:00.000Z',
    'Easter: Wednesday before → Wednesday after',
  );
  t.equal(
    addWorkingDays(cal, at('2026-03-27T10:00:00Z'), 1).toISOString(),
    '2026-03-30T09:00:00.000Z',
    'across the switch to summer time the wall clock holds: 11:00 Friday → 11:00 Monday',
  );
  t.equal(
    addWorkingDays(calendar(['2026-11-24']), at('2026-11-23T08:00:00Z'), 2).toISOString(),
    '2026-11-26T08:00:00.000Z',
    'an admin-closed day is skipped',
  );
  const from = at('2026-11-20T12:00:00Z');
  const to = addWorkingTime(cal, from, 1.5 * workingDayMs);
  t.equal(workingTimeBetween(cal, from, to), 1.5 * workingDayMs, 'working time between and added agree');
  t.equal(
    workingTimeBetween(cal, at('2026-11-21T00:00:00Z'), at('2026-11-22T22:00:00Z')),
    0,
    'a weekend holds no working time',
  );
});

t.test('working time over long spans matches walking the days one by one, across DST and holidays', async (t) => {
  const cal = calendar(['2025-07-14', '2026-12-28']);
  // The plain definition: every instant of [from, to) that falls on a working day in Oslo.
  const walked = (from: Date, to: Date) => {
    let total = 0;
    let cursor = from.getTime();
    while (cursor < to.getTime()) {
      const day = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Oslo' }).format(new Date(cursor));
      const next = new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
      const end = Math.min(startOfOsloDay(next).getTime(), to.getTime());
      if (cal.isWorkingDay(day)) total += end - cursor;
      cursor = end;
    }
    return total;
  };
  let seed = 7;
  const random = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647;
  };
  const start = Date.parse('2023-01-01T00:00:00Z');
  for (let i = 0; i < 60; i++) {
    const from = new Date(start + random() * 3 * 365 * 86_400_000);
    // Spans from minutes to three years, so both the short path and the running sums are tried.
    const to = new Date(from.getTime() + random() ** 3 * 3 * 365 * 86_400_000);
    t.equal(workingTimeBetween(cal, from, to), walked(from, to), `${from.toISOString()} → ${to.toISOString()}`);
  }
  t.equal(
    workingTimeBetween(cal, startOfOsloDay('2026-10-23'), startOfOsloDay('2026-10-27')),
    48 * 3_600_000,
    'Friday and Monday; the weekend between, with its 25-hour Sunday when the clocks go back, counts nothing',
  );
});
