// Translation catalogues (locales/*.json): bokmål first, English second. Keys are dotted paths.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { localesDir } from '../paths.js';
import { osloDay } from '../sla/calendar.js';

export const languages = ['nb', 'en'] as const;
export type Language = (typeof languages)[number];
export const defaultLanguage: Language = 'nb';

type Catalogue = Record<string, string>;
export type Translate = (key: string, params?: Record<string, string | number>) => string;

function flatten(tree: Record<string, unknown>, prefix = '', into: Catalogue = {}): Catalogue {
  for (const [key, value] of Object.entries(tree)) {
    const full = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') into[full] = value;
    else if (value && typeof value === 'object') flatten(value as Record<string, unknown>, full, into);
  }
  return into;
}

export const catalogues: Record<Language, Catalogue> = Object.fromEntries(
  languages.map((language) => [
    language,
    flatten(JSON.parse(readFileSync(path.join(localesDir, `${language}.json`), 'utf8')) as Record<string, unknown>),
  ]),
) as Record<Language, Catalogue>;

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

// A text with placeholders, split once into its literal parts and names: [text, name, text, name, text].
const splitTexts = new Map<string, string[]>();

function fill(text: string, params: Record<string, string | number>): string {
  let parts = splitTexts.get(text);
  if (!parts) {
    parts = text.split(/\{(\w+)\}/);
    splitTexts.set(text, parts);
  }
  let filled = parts[0]!;
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i]!;
    filled += (name in params ? String(params[name]) : `{${name}}`) + parts[i + 1]!;
  }
  return filled;
}

function makeTranslator(language: Language): Translate {
  const catalogue = catalogues[language];
  return (key, params) => {
    const text = catalogue[key] ?? catalogues[defaultLanguage][key];
    if (text === undefined) throw new Error(`Missing translation key "${key}"`);
    return params ? fill(text, params) : text;
  };
}

// One per language, made once: every request asks for one.
const translators: Record<Language, Translate> = { nb: makeTranslator('nb'), en: makeTranslator('en') };

export function translator(language: Language): Translate {
  return translators[language];
}

/** Picks nb or en from an Accept-Language header; Norwegian variants (no, nn) read bokmål. */
export function languageFromHeader(header: string | undefined): Language {
  if (!header) return defaultLanguage;
  const ranked = header
    .split(',')
    .map((part) => {
      const [tag = '', ...rest] = part.trim().split(';');
      const q = Number(
        rest
          .find((p) => p.trim().startsWith('q='))
          ?.trim()
          .slice(2) ?? 1,
      );
      return { tag: tag.toLowerCase(), q: Number.isFinite(q) ? q : 0 };
    })
    .filter((entry) => entry.q > 0)
    .sort((a, b) => b.q - a.q);
  for (const { tag } of ranked) {
    const base = tag.split('-')[0];
    if (base === 'nb' || base === 'no' || base === 'nn') return 'nb';
    if (base === 'en') return 'en';
  }
  return defaultLanguage;
}

// Formatters are built once per language: building one costs more than formatting a whole table.
const dateTimeFormats: Record<Language, Intl.DateTimeFormat> = {
  nb: new Intl.DateTimeFormat('nb-NO', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Oslo' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Oslo' }),
};
const timeFormats: Record<Language, Intl.DateTimeFormat> = {
  nb: new Intl.DateTimeFormat('nb-NO', { timeStyle: 'medium', timeZone: 'Europe/Oslo' }),
  en: new Intl.DateTimeFormat('en-GB', { timeStyle: 'medium', timeZone: 'Europe/Oslo' }),
};
const dateFormats: Record<Language, Intl.DateTimeFormat> = {
  nb: new Intl.DateTimeFormat('nb-NO', { dateStyle: 'medium', timeZone: 'UTC' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeZone: 'UTC' }),
};

// The text shows minutes, so each minute is formatted once per language (a case list has a hundred
// times on it, and formatting one in a time zone costs more than the rest of its row).
const formattedMinutes: Record<Language, Map<number, string>> = { nb: new Map(), en: new Map() };

// What says how fresh it is shows the same second to every request until the figures are counted again.
const lastTimes: Record<Language, { second: number; text: string }> = {
  nb: { second: Number.NaN, text: '' },
  en: { second: Number.NaN, text: '' },
};

/** A time of day in Oslo to the second ("14:03:12"), for what says how fresh it is. */
export function formatTime(language: Language, value: Date): string {
  const second = Math.floor(value.getTime() / 1000);
  const last = lastTimes[language];
  if (last.second !== second) {
    last.text = timeFormats[language].format(value);
    last.second = second;
  }
  return last.text;
}

const numberFormats: Record<Language, Intl.NumberFormat> = {
  nb: new Intl.NumberFormat('nb-NO'),
  en: new Intl.NumberFormat('en-GB'),
};

// Numbers written before, by language. A list writes one number (its count), yet the sampling profiler put
// about 40 µs of each list answer on it (ICU's formatter, called amid the page's other work; 1 µs in a loop
// of numbers alone); kept, it is a Map's answer, and counts and the cap repeat from page to page.
const formattedNumbers: Record<Language, Map<number, string>> = { nb: new Map(), en: new Map() };

/** What `formatter` writes for `value`, kept in `known` by `key`; emptied when it holds `cap` texts. */
function keptFormat<T>(
  known: Map<number, string>,
  key: number,
  cap: number,
  formatter: { format(value: T): string },
  value: T,
): string {
  let text = known.get(key);
  if (text === undefined) {
    if (known.size >= cap) known.clear();
    text = formatter.format(value);
    known.set(key, text);
  }
  return text;
}

/** A number as `toLocaleString` writes it for the language ("12 345"), by a formatter made once. */
export function formatNumber(language: Language, value: number): string {
  // -0 is written "-0", and a Map does not tell it from 0.
  if (Object.is(value, -0)) return numberFormats[language].format(value);
  return keptFormat(formattedNumbers[language], value, 10_000, numberFormats[language], value);
}

export function formatDateTime(language: Language, value: Date): string {
  const minute = Math.floor(value.getTime() / 60_000);
  if (Number.isNaN(minute)) return dateTimeFormats[language].format(value);
  return keptFormat(formattedMinutes[language], minute, 50_000, dateTimeFormats[language], value);
}

/**
 * The day a promise "by the end of this day" is stored for: kept as the instant the next day begins in
 * Oslo, it is the Oslo date of the moment before (an expected date of 18 December is 18 December, not
 * "19 December, 00:00").
 */
export function formatEndOfDay(language: Language, instant: Date): string {
  return formatDate(language, osloDay(new Date(instant.getTime() - 1)));
}

/** A calendar date as the user writes it ("23.11.2026"); the value is an ISO date without a time. */
export function formatDate(language: Language, isoDate: string): string {
  const date = new Date(`${isoDate}T12:00:00Z`);
  if (Number.isNaN(date.getTime())) return isoDate;
  return dateFormats[language].format(date);
}

export function formatFileSize(language: Language, bytes: number): string {
  const locale = language === 'nb' ? 'nb-NO' : 'en-GB';
  if (bytes < 1024 * 1024)
    return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 0 }).format(Math.max(1, bytes / 1024))} kB`;
  return `${new Intl.NumberFormat(locale, { maximumFractionDigits: 1 }).format(bytes / 1024 / 1024)} MB`;
}

export interface LocalText {
  nb: string;
  en: string;
}

/** A text kept in both languages (form labels, catalogue names): the one for this language. */
export function localText(text: LocalText | undefined, language: string): string {
  if (!text) return '';
  return language === 'en' ? text.en : text.nb;
}
