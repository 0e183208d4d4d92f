// The shape of a form as stored in forms.fields, and the check that keeps admin-made forms sound.
import type { LocalText } from '../web/i18n.js';

export const fieldTypes = ['text', 'textarea', 'number', 'date', 'select', 'boolean', 'file'] as const;
export type FieldType = (typeof fieldTypes)[number];

export interface FieldOption {
  value: string;
  label: LocalText;
}

export interface FormField {
  /** Stable name of the answer, used in cases.answers and in the form's input names. */
  key: string;
  type: FieldType;
  label: LocalText;
  help?: LocalText;
  required?: boolean;
  options?: FieldOption[];
  maxLength?: number;
  min?: number;
  max?: number;
  /** Shown and validated only when another field's answer is one of these values (yes/no answers are "yes"/"no"). */
  showIf?: { field: string; equals: string[] };
}

const keyPattern = /^[a-z][a-z0-9_]{0,39}$/;
/** Keys the case form itself uses; a form field may not shadow them. */
const reservedKeys = new Set(['area', 'form', 'form_code', 'title', 'body', 'attachments', 'category']);

const isLocalText = (value: unknown): value is LocalText =>
  typeof value === 'object' &&
  value !== null &&
  typeof (value as LocalText).nb === 'string' &&
  typeof (value as LocalText).en === 'string' &&
  (value as LocalText).nb.trim() !== '' &&
  (value as LocalText).en.trim() !== '';

/**
 * Returns the problems with a form definition as catalogue keys with parameters; an empty list means
 * the definition can be stored. Used for seeded forms in tests and for forms admins write.
 */
export function checkDefinition(fields: unknown): { key: string; params: Record<string, string> }[] {
  if (!Array.isArray(fields)) return [{ key: 'forms.definition.notList', params: {} }];
  const problems: { key: string; params: Record<string, string> }[] = [];
  const seen = new Map<string, FormField>();
  for (const [index, raw] of fields.entries()) {
    const where = { field: String(index + 1) };
    if (typeof raw !== 'object' || raw === null) {
      problems.push({ key: 'forms.definition.notObject', params: where });
      continue;
    }
    const field = raw as Partial<FormField>;
    if (typeof field.key !== 'string' || !keyPattern.test(field.key) || reservedKeys.has(field.key)) {
      problems.push({ key: 'forms.definition.badKey', params: where });
      continue;
    }
    const named = { field: field.key };
    if (seen.has(field.key)) problems.push({ key: 'forms.definition.duplicateKey', params: named });
    if (!fieldTypes.includes(field.type as FieldType))
      problems.push({ key: 'forms.definition.badType', params: named });
    if (!isLocalText(field.label)) problems.push({ key: 'forms.definition.badLabel', params: named });
    if (field.help !== undefined && !isLocalText(field.help))
      problems.push({ key: 'forms.definition.badLabel', params: named });
    if (field.type === 'select') {
      const options = field.options;
      if (
        !Array.isArray(options) ||
        options.length === 0 ||
        !options.every((o) => typeof o?.value === 'string' && o.value !== '' && isLocalText(o.label))
      ) {
        problems.push({ key: 'forms.definition.badOptions', params: named });
      }
    }
    if (field.showIf !== undefined) {
      const target = typeof field.showIf?.field === 'string' ? seen.get(field.showIf.field) : undefined;
      // A condition may only look back at an earlier field, so conditions can never form a loop.
      if (
        !target ||
        !Array.isArray(field.showIf.equals) ||
        field.showIf.equals.length === 0 ||
        target.type === 'file'
      ) {
        problems.push({ key: 'forms.definition.badCondition', params: named });
      }
    }
    seen.set(field.key, field as FormField);
  }
  return problems;
}
