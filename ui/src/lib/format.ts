// Dates and times in the worker's language (fr-CA / en-CA) and local time zone.
import type { Lang } from './bindings';

const tag = (lang: Lang) => (lang === 'en' ? 'en-CA' : 'fr-CA');

// One formatter per language, style and zone (the charts' months use it too): making one costs a hundred times more than using
// it, and a screen of the caseload or the calendar formats hundreds of dates.
const formatters = new Map<string, Intl.DateTimeFormat>();
export function formatter(lang: Lang, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${lang} ${JSON.stringify(options)}`;
  let f = formatters.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(tag(lang), options);
    formatters.set(key, f);
  }
  return f;
}

/** A whole number as people read it: « 10 000 » (non-breaking space) in French, "10,000". */
export function formatNumber(n: number, lang: Lang): string {
  return String(Math.trunc(n)).replace(/\B(?=(\d{3})+$)/g, lang === 'en' ? ',' : '\u00a0');
}

/** A calendar date `YYYY-MM-DD` (no time zone: it is a day, not an instant). */
export function formatDate(date: string | null | undefined, lang: Lang): string {
  if (!date) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return date;
  const d = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return premier(formatter(lang, { day: 'numeric', month: 'long', year: 'numeric' }).format(d), lang);
}

/** French writes the first of the month « 1er décembre » (Intl writes « 1 décembre »). */
const premier = (text: string, lang: Lang) => (lang === 'fr' ? text.replace(/^1(?=[ \u00a0])/, '1er') : text);

/** Quebec usage for hours: « 9 h », « 13 h 05 » (non-breaking spaces), no zero before the hour,
 * no minutes after an exact one (Intl's fr-CA writes « 09 h 00 » or « 9 h 00 »). */
const quebecHours = (text: string, lang: Lang) =>
  lang === 'en' ? text : text.replace(/\b(\d{1,2})[ \u00a0]h[ \u00a0](\d\d)\b/g, (_, h: string, m: string) => `${Number(h)}\u00a0h${m === '00' ? '' : '\u00a0' + m}`);

/** An instant (RFC 3339), shown in the local zone. */
export function formatDateTime(instant: string | null | undefined, lang: Lang, timeZone?: string): string {
  if (!instant) return '';
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) return instant;
  return premier(quebecHours(formatter(lang, {
    day: 'numeric', month: 'long', year: 'numeric', hour: 'numeric', minute: '2-digit', timeZone,
  }).format(d), lang), lang);
}

/** A date or an instant, whichever it is. */
export function formatWhen(value: string | null | undefined, lang: Lang, timeZone?: string): string {
  if (!value) return '';
  return value.length === 10 ? formatDate(value, lang) : formatDateTime(value, lang, timeZone);
}

/** Hour and minute of an instant, local zone. */
export function formatTime(instant: string, lang: Lang, timeZone?: string): string {
  return quebecHours(formatter(lang, { hour: 'numeric', minute: '2-digit', timeZone }).format(new Date(instant)), lang);
}

/** "lundi 7 décembre" / "Monday, December 7". */
export function formatDay(date: Date, lang: Lang): string {
  const text = formatter(lang, { weekday: 'long', day: 'numeric', month: 'long' }).format(date);
  return lang === 'fr' ? text.replace(/ 1(?=[ \u00a0])/, ' 1er') : text;
}

/** `YYYY-MM-DD` of a local date. */
export function isoDate(d: Date): string {
  const p = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** The Monday of the week holding `d` (weeks start on Monday in Quebec calendars). */
export function mondayOf(d: Date): Date {
  const m = new Date(d.getFullYear(), d.getMonth(), d.getDate());
  m.setDate(m.getDate() - ((m.getDay() + 6) % 7));
  return m;
}

/** The value a `datetime-local` input shows for a stored instant (local zone). */
export function toLocalInput(instant: string | null | undefined): string {
  if (!instant) return '';
  const d = new Date(instant);
  if (Number.isNaN(d.getTime())) return '';
  const p = (n: number) => String(n).padStart(2, '0');
  return `${isoDate(d)}T${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** Whether someone born on `birth` (`YYYY-MM-DD`) is under 18 on the local day `today`. */
export function isMinor(birth: string | null | undefined, today: Date): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(birth ?? '');
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const before = today.getMonth() + 1 < mo || (today.getMonth() + 1 === mo && today.getDate() < d);
  return today.getFullYear() - y - (before ? 1 : 0) < 18;
}

/** An amount kept in cents, as the reader writes it: « 120,50 $ », "$120.50". */
export function formatMoney(cents: number, lang: Lang): string {
  return new Intl.NumberFormat(tag(lang), { style: 'currency', currency: 'CAD' }).format(cents / 100);
}

/** A duration kept in minutes, as Quebec usage writes it (non-breaking spaces): « 45 min »,
 * « 2 h », « 1 h 30 min » (the same in English). */
export function formatMinutes(minutes: number): string {
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  if (h === 0) return `${m}\u00a0min`;
  return m === 0 ? `${h}\u00a0h` : `${h}\u00a0h\u00a0${m}\u00a0min`;
}

/** The dollars a form shows for an amount kept in cents, ready to edit: « 120,50 », "120.50". */
export function moneyInput(cents: number, lang: Lang): string {
  const s = (cents / 100).toFixed(2);
  return lang === 'en' ? s : s.replace('.', ',');
}

/** Text someone else wrote (a sender's name, an alias, a title), shown as it is: a character
 * that reorders or hides the text around it (bidi marks, overrides and isolates, zero-width
 * ones, line separators: U+202E makes « facture\u202efdp.exe » read « factureexe.pdf ») is
 * shown as `\u{202e}`, as the `relais` command does (`lang::reorders_or_hides`). */
export function plain(text: string): string {
  return text.replace(/[\u061c\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]/g, (c) => `\\u{${c.codePointAt(0)!.toString(16)}}`);
}
