// Message catalogue (svelte-i18n): French first, English second, switchable at run time.
import { addMessages, init, locale } from 'svelte-i18n';
import { derived } from 'svelte/store';
import fr from '../locales/fr.json';
import en from '../locales/en.json';
import type { Lang } from './bindings';

addMessages('fr', fr);
addMessages('en', en);
init({ fallbackLocale: 'fr', initialLocale: 'fr' });

export function setLocale(lang: Lang): void {
  locale.set(lang);
  document.documentElement.lang = lang === 'en' ? 'en-CA' : 'fr-CA';
}

/** The interface language, as the app's `Lang`. */
export const uiLang = derived(locale, (l): Lang => (l === 'en' ? 'en' : 'fr'));

export { fr, en };
