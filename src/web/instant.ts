// An instant as `toISOString` writes it ("2026-12-03T07:41:05.120Z"), for `<time datetime>`. In Node 20
// `Date.prototype.toISOString` is a call into C++ of about 1.2 µs, and a list page writes a hundred of
// them (two dates a row). This one writes the same text from tables: the date part once per day (by
// Howard Hinnant's `civil_from_days`, kept for the next instant of that day), then the hour and minute,
// the second and the millisecond, each a string made at start. About 0.1 µs. It covers the years
// 1000–9999, which toISOString writes with four digits; any other instant, or an invalid date, goes to
// toISOString itself, so the answer (or the RangeError) is always the same.
const dayMs = 86_400_000;
const earliest = Date.UTC(1000, 0, 1);
const latest = Date.UTC(10000, 0, 1) - 1;

const pad = (value: number, width: number) => String(value).padStart(width, '0');
const twoDigits = Array.from({ length: 60 }, (_, n) => pad(n, 2));
/** "HH:MM:" for each minute of a day. */
const minutesOfDay = Array.from({ length: 1440 }, (_, n) => `${pad(Math.floor(n / 60), 2)}:${pad(n % 60, 2)}:`);
/** ".mmmZ" for each millisecond of a second. */
const milliseconds = Array.from({ length: 1000 }, (_, n) => `.${pad(n, 3)}Z`);

/** "YYYY-MM-DDT" by days since 1970-01-01; a list's dates fall on few days, and the cap keeps it small. */
const dayPrefixes = new Map<number, string>();
const dayCap = 20_000;

function dayPrefix(days: number): string {
  let prefix = dayPrefixes.get(days);
  if (prefix !== undefined) return prefix;
  // Eras of 400 years counted from 0000-03-01, so that a leap day is the last day of its year.
  const shifted = days + 719_468;
  const era = Math.floor(shifted / 146_097);
  const dayOfEra = shifted - era * 146_097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36_524) - Math.floor(dayOfEra / 146_096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthFromMarch = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthFromMarch + 2) / 5) + 1;
  const month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  prefix = `${year}-${twoDigits[month]}-${twoDigits[day]}T`;
  if (dayPrefixes.size >= dayCap) dayPrefixes.clear();
  dayPrefixes.set(days, prefix);
  return prefix;
}

export function isoInstant(date: Date): string {
  const time = date.getTime();
  if (!(time >= earliest && time <= latest)) return date.toISOString();
  const days = Math.floor(time / dayMs);
  const inDay = time - days * dayMs;
  const millisecond = inDay % 1000;
  const seconds = (inDay - millisecond) / 1000;
  const second = seconds % 60;
  return dayPrefix(days) + minutesOfDay[(seconds - second) / 60] + twoDigits[second] + milliseconds[millisecond];
}
