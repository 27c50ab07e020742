// What the whole UI shares: the app's state, the schema the forms are built from, where we are.
import type { AppInfo, CatalogueList, Entry, FieldSpec, Lang, Schema } from './bindings';

export type Tab =
  | 'overview' | 'needs' | 'appointments' | 'referrals' | 'court' | 'deadlines' | 'notes' | 'consents' | 'safety' | 'tasks' | 'expenses' | 'documents' | 'history' | 'summary';

export type Route =
  | { name: 'dashboard' }
  | { name: 'caseload' }
  | { name: 'person'; id: string; tab: Tab }
  | { name: 'calendar' }
  | { name: 'directory' }
  | { name: 'handoff' }
  | { name: 'team' }
  | { name: 'contacts' }
  | { name: 'stats' }
  | { name: 'incidents' }
  | { name: 'settings' };

export const app = $state<{ info: AppInfo | null; schema: Schema | null; route: Route; notice: string }>({
  info: null,
  schema: null,
  route: { name: 'dashboard' },
  notice: '',
});

export function go(route: Route): void {
  app.route = route;
}

/** The fields of a kind of record, as the core defines them. */
export function fieldsOf(schema: Schema | null, kind: string): FieldSpec[] {
  return schema?.kinds.find((k) => k.name === kind)?.fields ?? [];
}

export function catalogue(schema: Schema | null, list: string): Entry[] {
  return schema?.catalogues.find((c: CatalogueList) => c.name === list)?.entries ?? [];
}

/** The label of a catalogue code in `lang` (the code itself when unknown: a newer catalogue). */
export function label(schema: Schema | null, list: string, code: string | null | undefined, lang: Lang): string {
  if (!code) return '';
  const e = catalogue(schema, list).find((x) => x.code === code);
  return e ? (lang === 'en' ? e.en : e.fr) : code;
}
