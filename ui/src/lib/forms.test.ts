import { describe, expect, it } from 'vitest';
import type { FieldSpec } from './bindings';
import { initialValues, missingRequired, toFields, visibleFields } from './forms';

const spec = (name: string, ty: FieldSpec['ty'], extra: Partial<FieldSpec> = {}): FieldSpec => ({
  name, ty, list: null, ref_kind: null, required: false, max: null, sensitive: false, defaulted: false, ...extra,
});

const fields: FieldSpec[] = [
  spec('person_id', 'ref', { ref_kind: 'person', required: true }),
  spec('alias', 'text', { required: true }),
  spec('status', 'code', { list: 'person_statuses', required: true, defaulted: true }),
  spec('safe_to_call', 'bool'),
  spec('languages', 'words'),
  spec('exploitation_types', 'codes', { list: 'exploitation_types' }),
  spec('amount_cents', 'int'),
  spec('starts_at', 'date_time'),
];

describe('forms', () => {
  it('hides the parent reference the app fills itself', () => {
    expect(visibleFields(fields).map((f) => f.name)).not.toContain('person_id');
  });

  it('sends trimmed text, empty as null, yes/no as booleans, lists as arrays', () => {
    const v = initialValues(fields);
    v.alias = '  Colibri  ';
    v.safe_to_call = 'false';
    v.languages = 'français, tigrinya , ';
    v.exploitation_types = ['sexual'];
    v.amount_cents = '1200';
    const f = toFields(visibleFields(fields), v);
    expect(f).toMatchObject({ alias: 'Colibri', safe_to_call: false, languages: ['français', 'tigrinya'], exploitation_types: ['sexual'], amount_cents: 1200, starts_at: null, status: null });
  });

  it('passes a malformed number on so the core can explain it', () => {
    const v = initialValues(fields);
    v.amount_cents = '12,50';
    expect(toFields(visibleFields(fields), v).amount_cents).toBe('12,50');
  });

  it('sends only what changed in an update', () => {
    const rec = { alias: 'Colibri', safe_to_call: true, languages: ['fr'], exploitation_types: [] };
    const before = initialValues(visibleFields(fields), rec);
    const after = { ...before, alias: 'Colibri 2' };
    expect(toFields(visibleFields(fields), after, before)).toEqual({ alias: 'Colibri 2' });
  });

  it('asks for required fields the core does not fill', () => {
    const v = initialValues(visibleFields(fields));
    expect(missingRequired(visibleFields(fields), v)).toEqual(['alias']);
    v.alias = 'x';
    expect(missingRequired(visibleFields(fields), v)).toEqual([]);
  });
});
