import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fr from '../locales/fr.json';
import en from '../locales/en.json';
import { KIND_FIELDS } from '../lib/bindings';

type Tree = { [k: string]: string | Tree };
const flat = (t: Tree, prefix = ''): Record<string, string> =>
  Object.entries(t).reduce<Record<string, string>>((acc, [k, v]) => {
    if (typeof v === 'string') acc[prefix + k] = v;
    else Object.assign(acc, flat(v, prefix + k + '.'));
    return acc;
  }, {});

const SRC = fileURLToPath(new URL('..', import.meta.url));
const FR = flat(fr as Tree);
const EN = flat(en as Tree);

function svelteFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? svelteFiles(p) : p.endsWith('.svelte') ? [p] : [];
  });
}

describe('the message catalogue', () => {
  it('has every message in French and in English, none empty', () => {
    expect(Object.keys(EN).sort()).toEqual(Object.keys(FR).sort());
    for (const [k, v] of [...Object.entries(FR), ...Object.entries(EN)]) expect(v.trim(), k).not.toBe('');
  });

  it('follows French typography: a non-breaking space before « : ; ? ! » and none missing', () => {
    for (const [k, v] of Object.entries(FR)) {
      expect(v, k).not.toMatch(/ [:;?!]/); // a plain space would break the line before the sign
      expect(v, k).not.toMatch(/[^\s\u00a0\u202f][:;?!](\s|$)/u); // no space at all
    }
  });

  it('labels every field of every kind of the schema, in both languages', () => {
    // KIND_FIELDS is generated from the core's record kinds: a new column without a label fails here.
    const kinds = Object.keys(KIND_FIELDS) as Array<keyof typeof KIND_FIELDS>;
    expect(kinds.length).toBeGreaterThan(10);
    for (const kind of kinds) {
      for (const f of KIND_FIELDS[kind]) {
        expect(FR[`field.${f}`], `${kind}.${f} (fr)`).toBeDefined();
        expect(EN[`field.${f}`], `${kind}.${f} (en)`).toBeDefined();
      }
    }
  });

  it('has every message the components name', async () => {
    // Field names come from the core; the Rust side generates them into bindings, the forms
    // label them from `field.*`.
    const used = new Set<string>();
    for (const f of svelteFiles(SRC)) {
      for (const m of readFileSync(f, 'utf8').matchAll(/\$_\('([a-z_]+\.[a-z_.0-9]+)'/g)) used.add(m[1]);
    }
    for (const k of used) expect(FR[k], k).toBeDefined();
  });

  it('leaves no user-visible text in the components: everything goes through the catalogue', () => {
    const allowed = /^(Français|English|Relais|[←→🔒·:+()\s]|&nbsp;)*$/u;
    for (const f of svelteFiles(SRC)) {
      const src = readFileSync(f, 'utf8')
        .replace(/<script[\s\S]*?<\/script>/g, '')
        .replace(/<style[\s\S]*?<\/style>/g, '')
        .replace(/<!--[\s\S]*?-->/g, '');
      // Drop expressions, then tags (with their attributes), keep the text between.
      let text = src;
      let prev;
      do {
        prev = text;
        text = text.replace(/\{[^{}]*\}/g, ' ');
      } while (text !== prev);
      text = text.replace(/<[^>]*>/g, '\n');
      for (const line of text.split('\n').map((l) => l.trim()).filter(Boolean)) {
        expect(line, `${f}: literal text`).toMatch(allowed);
      }
    }
  });
});

describe('the IPC boundary', () => {
  it('is crossed by one module only: nothing else imports @tauri-apps', () => {
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((n) => {
        const p = join(dir, n);
        return statSync(p).isDirectory() ? files(p) : /\.(ts|svelte)$/.test(p) && !p.endsWith('.test.ts') ? [p] : [];
      });
    const importers = files(SRC).filter((f) => /from ['"]@tauri-apps\//.test(readFileSync(f, 'utf8')));
    expect(importers.map((f) => f.slice(SRC.length))).toEqual(['lib/api.ts']);
  });
});
