// A person's history (audit events) in words: what happened, and who sent or received a
// bundle about the person, by the name in the contact book (`file.authors`). The same choices
// as the CLI's `person show` (crates/relais-cli/src/render.rs, history_event).
import type { Author, Event } from './bindings';

/** The message function (svelte-i18n's `$_`). */
export type Translate = (key: string, opts?: { values?: Record<string, string | number>; default?: string }) => string;

/** Message key of each action a person's history can hold; anything else is shown as recorded. */
export const HISTORY_LABEL: Record<string, string> = {
  create: 'history.create',
  update: 'history.update',
  delete: 'history.delete',
  restore: 'history.restore',
  'bundle.import': 'history.import',
  'bundle.import.share': 'history.import_share',
  'bundle.import.transfer': 'history.import_transfer',
  'bundle.export.share': 'history.export_share',
  'bundle.export.transfer': 'history.export_transfer',
  'bundle.receipt': 'history.receipt',
  'conflict.resolve': 'history.resolve',
  'consent.override': 'history.consent_override',
  'person.export': 'history.person_export',
  'person.summary': 'history.person_summary',
  'retention.set': 'history.retention_set',
  'person.reopen': 'history.person_reopen',
  'person.merge': 'history.person_merge',
};

/** Message key of each way a conflict was settled. */
export const KEEP_LABEL: Record<string, string> = { mine: 'history.keep_mine', theirs: 'history.keep_theirs' };

/** What an event says, in words; `details` lists the fields changed, by label. */
export function historyText(ev: Event, authors: Record<string, Author | undefined>, t: Translate): { what: string; details: string } {
  const value = (key: string) => ev.fields.find((f) => f.startsWith(key + '='))?.slice(key.length + 1);
  const name = (fp: string | undefined) => {
    const a = fp === undefined ? undefined : authors[fp];
    return a?.who === 'me' ? t('author.me') : a?.who === 'contact' ? a.name : t('author.unknown');
  };
  const kind = ev.kind ? t('kind.' + ev.kind) : '';
  const to = ev.fields.filter((f) => f.startsWith('to=')).map((f) => name(f.slice(3)));
  const sub = ev.action === 'bundle.import' && value('kind') ? `bundle.import.${value('kind')}` : ev.action;
  const key = HISTORY_LABEL[sub];
  if (!key) return { what: ev.action, details: ev.fields.join(', ') };
  const values = {
    kind,
    who: name(value('sender')),
    to: to.length ? to.join(', ') : t('author.unknown'),
    new: value('new') ?? '0',
    updated: value('updated') ?? '0',
    conflicts: value('conflicts') ?? '0',
    proposals: value('proposals') ?? '0',
    keep: t(KEEP_LABEL[value('keep') ?? 'mine'] ?? 'history.keep_mine'),
    reason: value('reason') ?? '',
    moved: Number(value('moved') ?? '0'),
  };
  // Only a record's change lists fields (by label); other events' details are in the sentence.
  const details = ['create', 'update'].includes(ev.action) ? ev.fields.map((f) => t('field.' + f, { default: f })).join(', ') : '';
  return { what: t(key, { values }), details };
}
