// What the Statistics screen's charts draw, from a published table: a hidden cell (the text
// « < 11 ») becomes null, never 0, so the chart draws it as hidden.
import type { Table } from './bindings';
import { formatter } from './format';

export interface ChartBar {
  /** Index of the row the bar belongs to (grouped charts). */
  group: number;
  groupLabel: string;
  label: string;
  /** A short label for a narrow column (a month: « avr. 2026 »). */
  short: string;
  /** The published count, or null when it is hidden. */
  n: number | null;
  colour: number;
}

function count(cell: number | string): number | null {
  return typeof cell === 'number' ? cell : null;
}

/** A month's code (`2026-04`) as a short label: « avr. 2026 » / "Apr 2026". */
function short(code: string, label: string, lang: 'fr' | 'en'): string {
  const m = /^(\d{4})-(\d{2})$/.exec(code);
  if (!m) return label;
  const when = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, 1));
  return formatter(lang, { month: 'short', year: 'numeric', timeZone: 'UTC' }).format(when);
}

const MONTH = /^\d{4}-\d{2}$/;

/** `groups`: one bar per cell, grouped by row; `series`: one bar per month row (first column;
 * a row that is not a month, the intakes before the months shown, stays in the table). */
export function chartBars(table: Table, shape: 'groups' | 'series', lang: 'fr' | 'en'): ChartBar[] {
  if (shape === 'series') {
    return table.rows.flatMap((r, i) =>
      MONTH.test(r.code) ? [{ group: 0, groupLabel: '', label: r.label, short: short(r.code, r.label, lang), n: count(table.cells[i][0]), colour: 0 }] : [],
    );
  }
  return table.rows.flatMap((r, i) =>
    table.columns.map((c, j) => ({ group: i, groupLabel: r.label, label: c.label, short: c.label, n: count(table.cells[i][j]), colour: j })),
  );
}

/** The fiscal year (1 April to 31 March) holding `day` (YYYY-MM-DD), as the core's `stats::fiscal_year`. */
export function fiscalYear(day: string): { from: string; to: string } {
  const [y, m] = day.split('-').map(Number);
  const start = m >= 4 ? y : y - 1;
  return { from: `${start}-04-01`, to: `${start + 1}-03-31` };
}
