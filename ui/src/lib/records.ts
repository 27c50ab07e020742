// The records of each kind with their fields typed: the `…Record` interfaces and `KindRecords`
// that bindings.ts generates from the core's columns. A field misspelt or misused is a type error.
import type { JsonMap, JsonValue, KindRecords, OrganisationRecord, PersonFile, PersonRecord } from './bindings';

export type { KindRecords };
export type Kind = keyof KindRecords;
export type AnyRecord = KindRecords[Kind];
/** A field name of some kind (a misspelt one is a type error). */
export type FieldName = { [K in Kind]: keyof KindRecords[K] & string }[Kind];

/** The person file with its records typed: the person, the case's records by kind, the organisations named. */
export type CaseFile = Omit<PersonFile, 'person' | 'records' | 'directory'> & {
  person: PersonRecord;
  records: { [K in Kind]?: Array<KindRecords[K]> };
  directory: { organisation?: Array<OrganisationRecord> };
};

/**
 * One field of a record by its name, for the code driven by the schema's field list (forms, lists,
 * the overview), where the name is only known at run time.
 */
export function fieldOf(record: AnyRecord | JsonMap, name: string): JsonValue | undefined {
  return (record as JsonMap)[name];
}
