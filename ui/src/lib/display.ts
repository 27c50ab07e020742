// How a stored value reads for a person: catalogue labels, dates in their language, yes/no.
import type { FieldSpec, JsonValue, Lang, Schema } from './bindings';
import { formatDate, formatDateTime, formatMinutes, formatMoney } from './format';
import { label } from './state.svelte';
import { fieldOf, type AnyRecord, type FieldName, type Kind, type KindRecords } from './records';

/** The fields shown on one line of each list of the person file, in order. */
export const SUMMARY: { readonly [K in Kind]?: ReadonlyArray<keyof KindRecords[K] & string> } = {
  need: ['code', 'status', 'identified_on', 'closed_on'],
  appointment: ['starts_at', 'kind', 'status', 'place', 'org_id', 'with_whom'],
  referral: ['org_id', 'need_id', 'status', 'follow_up_on', 'outcome'],
  deadline: ['kind', 'due_on', 'label', 'ivac_status', 'permit_status', 'done_on'],
  note: ['at', 'kind', 'text'],
  consent: ['scope', 'recipient', 'org_id', 'method', 'starts_on', 'ends_on', 'withdrawn_on'],
  safety_item: ['text', 'review_on', 'done_on'],
  task: ['title', 'due_on', 'done_at'],
  expense: ['spent_on', 'category', 'fund', 'amount_cents', 'note'],
  proceeding: ['court', 'district', 'file_number', 'role', 'prosecutor'],
  milestone: ['code', 'status', 'due_on', 'done_on', 'note'],
  testimonial_aid: ['code', 'status', 'requested_on', 'decided_on'],
  incident: ['occurred_on', 'description', 'serious_risk', 'cai_notified_on', 'persons_notified_on', 'measures'],
};

/** Names of referenced records: organisation id -> name, need id -> its label… */
export type Names = Record<string, string>;

/** A value as text (always text: it is rendered as text, never as HTML). */
export function show(spec: FieldSpec | undefined, v: JsonValue | undefined, lang: Lang, schema: Schema | null, names: Names = {}): string {
  if (v === null || v === undefined || v === '') return '';
  if (!spec) return typeof v === 'string' ? v : JSON.stringify(v);
  switch (spec.ty) {
    case 'bool':
      return v === true ? (lang === 'en' ? 'Yes' : 'Oui') : lang === 'en' ? 'No' : 'Non';
    case 'date':
      return formatDate(String(v), lang);
    case 'date_time':
      return formatDateTime(String(v), lang);
    case 'code':
      return label(schema, spec.list ?? '', String(v), lang);
    case 'codes':
      return Array.isArray(v) ? v.map((c) => label(schema, spec.list ?? '', String(c), lang)).join(', ') : String(v);
    case 'words':
      return Array.isArray(v) ? v.map(String).join(', ') : String(v);
    case 'money':
      return typeof v === 'number' ? formatMoney(v, lang) : String(v);
    case 'minutes':
      return typeof v === 'number' ? formatMinutes(v) : String(v);
    case 'ref':
      return names[String(v)] ?? '';
    default:
      return String(v);
  }
}

/** Sorts records by a date field, most recent last (those without one first). */
export function byField<R extends AnyRecord>(records: R[], field: FieldName): R[] {
  return [...records].sort((a, b) => String(fieldOf(a, field) ?? '').localeCompare(String(fieldOf(b, field) ?? '')));
}
