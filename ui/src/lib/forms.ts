// Turning what a worker typed into the fields the core expects, and back.
import type { FieldSpec, JsonMap, JsonValue } from './bindings';
import { fieldOf, type AnyRecord } from './records';
import { formatMinutes, moneyInput, toLocalInput } from './format';
import type { Lang } from './bindings';

/** Fields the forms never show: set by the app (the parent record) or by the workflow. */
const HIDDEN = new Set(['person_id', 'proceeding_id', 'referral_id', 'closure_reason', 'closure_note', 'closed_on']);

export function visibleFields(fields: FieldSpec[], parentField?: string): FieldSpec[] {
  return fields.filter((f) => !HIDDEN.has(f.name) && f.name !== parentField);
}

/** Choices for a reference field (an organisation, one of the person's needs…). */
export type Options = Record<string, { value: string; label: string }[]>;

export type FormValues = Record<string, string | boolean | string[]>;

/** The form's starting values for a record (or an empty one). */
export function initialValues(fields: FieldSpec[], record?: AnyRecord | JsonMap, lang: Lang = 'fr'): FormValues {
  const out: FormValues = {};
  for (const f of fields) {
    const v = record ? fieldOf(record, f.name) : undefined;
    switch (f.ty) {
      case 'bool':
        out[f.name] = v === true ? 'true' : v === false ? 'false' : '';
        break;
      case 'codes':
        out[f.name] = Array.isArray(v) ? v.map(String) : [];
        break;
      case 'words':
        out[f.name] = Array.isArray(v) ? v.map(String).join(', ') : '';
        break;
      case 'date_time':
        out[f.name] = typeof v === 'string' ? toLocalInput(v) : '';
        break;
      case 'money':
        out[f.name] = typeof v === 'number' ? moneyInput(v, lang) : '';
        break;
      case 'minutes':
        out[f.name] = typeof v === 'number' ? formatMinutes(v).replace(/\u00a0/g, ' ') : '';
        break;
      default:
        out[f.name] = v === null || v === undefined ? '' : String(v);
    }
  }
  return out;
}

/**
 * The fields to send: trimmed, empty as null, yes/no as booleans, lists as arrays. For an
 * update only what changed is sent (`before` given).
 */
export function toFields(fields: FieldSpec[], values: FormValues, before?: FormValues): JsonMap {
  const out: JsonMap = {};
  for (const f of fields) {
    const v = values[f.name];
    if (before && JSON.stringify(before[f.name]) === JSON.stringify(v)) continue;
    let j: JsonValue;
    if (f.ty === 'bool') j = v === 'true' ? true : v === 'false' ? false : null;
    else if (f.ty === 'codes') j = Array.isArray(v) ? v : [];
    else if (f.ty === 'words') j = String(v ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);
    else if (f.ty === 'int') {
      const s = String(v ?? '').trim();
      j = s === '' ? null : /^-?\d+$/.test(s) ? Number(s) : s; // the core explains a bad number
    } else {
      const s = String(v ?? '').trim();
      j = s === '' ? null : s;
    }
    out[f.name] = j;
  }
  return out;
}

/** Required fields left empty (checked before sending; the core checks again). */
export function missingRequired(fields: FieldSpec[], values: FormValues): string[] {
  return fields
    .filter((f) => f.required && !f.defaulted)
    .filter((f) => {
      const v = values[f.name];
      return Array.isArray(v) ? v.length === 0 : String(v ?? '').trim() === '';
    })
    .map((f) => f.name);
}
