// Reads a submitted form against its definition: typed answers, or a translated problem per field.
import { isIsoDate, type Problems } from '../web/input.js';
import type { FormField } from './definition.js';

export type Answer = string | number | boolean;
export type Answers = Record<string, Answer>;

/** Input names of form fields carry a prefix so they can never collide with the case's own fields. */
export const inputName = (field: FormField) => `f_${field.key}`;

const defaultMaxLength = { text: 500, textarea: 5000 } as const;

/** The raw value as the form shows it again: what the user typed, even when it was refused. */
export function rawValue(body: Record<string, unknown>, field: FormField): string {
  const value = body[inputName(field)];
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first.replace(/\r\n?/g, '\n').trim() : '';
}

/** Which fields apply given the raw answers: a field whose condition is not met is neither shown nor checked. */
export function visibleFields(fields: readonly FormField[], raw: (field: FormField) => string): Set<string> {
  const visible = new Set<string>();
  const byKey = new Map(fields.map((f) => [f.key, f]));
  for (const field of fields) {
    if (!field.showIf) {
      visible.add(field.key);
      continue;
    }
    const target = byKey.get(field.showIf.field);
    if (target && visible.has(target.key) && field.showIf.equals.includes(raw(target))) visible.add(field.key);
  }
  return visible;
}

/** "1 234,50" and "1234.5" both mean 1234.5; anything else is not a number. */
export function parseNumber(value: string): number | undefined {
  const compact = value.replace(/[\s\u00a0]/g, '').replace(',', '.');
  if (!/^-?\d+(\.\d+)?$/.test(compact)) return undefined;
  const parsed = Number(compact);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/**
 * Checks every visible non-file field. File fields are checked where the files are (attachments),
 * because only there is it known what arrived; `filesPerField` says how many did.
 */
export function readAnswers(
  fields: readonly FormField[],
  body: Record<string, unknown>,
  filesPerField: ReadonlyMap<string, number>,
): { answers: Answers; problems: Problems } {
  const raw = (field: FormField) => rawValue(body, field);
  const visible = visibleFields(fields, raw);
  const answers: Answers = {};
  const problems: Problems = {};
  for (const field of fields) {
    if (!visible.has(field.key)) continue;
    const name = inputName(field);
    if (field.type === 'file') {
      if (field.required && !filesPerField.get(field.key)) problems[name] = { key: 'forms.errors.fileRequired' };
      continue;
    }
    const value = raw(field);
    if (value === '') {
      if (field.required)
        problems[name] = {
          key: field.type === 'select' || field.type === 'boolean' ? 'forms.errors.choose' : 'forms.errors.required',
        };
      continue;
    }
    switch (field.type) {
      case 'text':
      case 'textarea': {
        const max = field.maxLength ?? defaultMaxLength[field.type];
        const text = field.type === 'text' ? value.replace(/\s+/g, ' ') : value;
        if (text.length > max) problems[name] = { key: 'forms.errors.tooLong', params: { max } };
        else answers[field.key] = text;
        break;
      }
      case 'number': {
        const number = parseNumber(value);
        if (number === undefined) problems[name] = { key: 'forms.errors.notNumber' };
        else if (field.min !== undefined && number < field.min)
          problems[name] = { key: 'forms.errors.tooSmall', params: { min: field.min } };
        else if (field.max !== undefined && number > field.max)
          problems[name] = { key: 'forms.errors.tooLarge', params: { max: field.max } };
        else answers[field.key] = number;
        break;
      }
      case 'date':
        if (!isIsoDate(value)) problems[name] = { key: 'forms.errors.notDate' };
        else answers[field.key] = value;
        break;
      case 'select':
        if (!field.options?.some((o) => o.value === value)) problems[name] = { key: 'forms.errors.choose' };
        else answers[field.key] = value;
        break;
      case 'boolean':
        if (value !== 'yes' && value !== 'no') problems[name] = { key: 'forms.errors.choose' };
        else answers[field.key] = value === 'yes';
        break;
    }
  }
  return { answers, problems };
}
