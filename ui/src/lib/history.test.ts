import { describe, expect, it } from 'vitest';
import fr from '../locales/fr.json';
import en from '../locales/en.json';
import type { Event } from './bindings';
import { HISTORY_LABEL, KEEP_LABEL, historyText, type Translate } from './history';

type Tree = { [k: string]: string | Tree };
const get = (t: Tree, key: string): string | undefined => {
  const v = key.split('.').reduce<string | Tree | undefined>((n, k) => (typeof n === 'object' ? n[k] : undefined), t);
  return typeof v === 'string' ? v : undefined;
};
/** A message function over the French catalogue, as svelte-i18n would fill it. */
const t: Translate = (key, opts) =>
  (get(fr as Tree, key) ?? opts?.default ?? key).replace(/\{(\w+)\}/g, (_, k) => String(opts?.values?.[k] ?? `{${k}}`));

const event = (action: string, fields: string[], kind: string | null = null): Event => ({
  seq: 1, id: 'e', at: '2026-12-02T10:00:00Z', actor: 'Camille', action, kind, record_id: null, person_id: 'p', fields, prev_hash: '', hash: '',
});

describe('the history in words', () => {
  it('has every label in both languages', () => {
    for (const key of [...Object.values(HISTORY_LABEL), ...Object.values(KEEP_LABEL)]) {
      expect(get(fr as Tree, key), key).toBeTruthy();
      expect(get(en as Tree, key), key).toBeTruthy();
    }
  });

  it('names the sender of a bundle from the contact book, and says what it brought', () => {
    const authors = { AAAA: { who: 'contact' as const, name: 'Jean Supervision' } };
    const ev = event('bundle.import', ['bundle=b', 'kind=share', 'sender=AAAA', 'new=3', 'updated=1', 'conflicts=0', 'proposals=2']);
    const { what } = historyText(ev, authors, t);
    expect(what).toContain('Jean Supervision');
    expect(what).toContain('3');
    expect(what).not.toContain('AAAA');
  });

  it('says « inconnu·e » for a key not in the contact book, and names every recipient', () => {
    expect(historyText(event('bundle.receipt', ['bundle=b', 'sender=ZZZZ']), {}, t).what).toContain('inconnu·e');
    const authors = { A: { who: 'contact' as const, name: 'Sylvie' }, B: { who: 'contact' as const, name: 'Jean' } };
    expect(historyText(event('bundle.export.share', ['bundle=b', 'to=A', 'to=B']), authors, t).what).toContain('Sylvie, Jean');
  });

  it('labels a record change and its fields, never raw keys', () => {
    const { what, details } = historyText(event('update', ['region'], 'person'), {}, t);
    expect(what).toBe(t('history.update', { values: { kind: t('kind.person') } }));
    expect(details).toBe(t('field.region'));
    expect(details).not.toBe('region');
  });
});
