import { describe, expect, it } from 'vitest';
import { chartBars, fiscalYear } from './charts';
import type { Table } from './bindings';

const head = (code: string) => ({ code, label: code.toUpperCase() });

describe('charts', () => {
  it('draws a hidden cell as hidden, never as zero', () => {
    const t: Table = {
      id: 'needs_by_phase_status',
      title: 'Besoins',
      note: '',
      rows: [head('immediate'), head('long_term')],
      columns: [head('met'), head('unmet')],
      cells: [
        [25, '< 11'],
        [0 as number, 14],
      ],
      row_totals: null,
      column_totals: null,
      total: null,
    };
    const bars = chartBars(t, 'groups', 'fr');
    expect(bars.map((b) => b.n)).toEqual([25, null, 0, 14]);
    expect(bars.map((b) => b.group)).toEqual([0, 0, 1, 1]);
    expect(bars[1]).toMatchObject({ groupLabel: 'IMMEDIATE', label: 'UNMET' });
  });

  it('draws a series one bar per month, with a short month', () => {
    const t: Table = {
      id: 'intakes_by_month',
      title: 'Par mois',
      note: '',
      rows: [
        { code: 'earlier', label: 'Accueillies avant les mois montrés' },
        { code: '2026-04', label: 'avril 2026' },
        { code: '2026-09', label: 'septembre 2026' },
      ],
      columns: [head('count')],
      cells: [[120], ['< 11'], [40]],
      row_totals: null,
      column_totals: [170],
      total: 170,
    };
    expect(chartBars(t, 'series', 'fr').map((b) => [b.short, b.n])).toEqual([
      ['avr. 2026', null],
      ['sept. 2026', 40],
    ]);
    expect(chartBars(t, 'series', 'en')[1].short).toBe('Sep 2026');
  });

  it('the fiscal year runs from 1 April to 31 March', () => {
    expect(fiscalYear('2026-12-03')).toEqual({ from: '2026-04-01', to: '2027-03-31' });
    expect(fiscalYear('2027-03-31')).toEqual({ from: '2026-04-01', to: '2027-03-31' });
    expect(fiscalYear('2027-04-01')).toEqual({ from: '2027-04-01', to: '2028-03-31' });
  });
});
