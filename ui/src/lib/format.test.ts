import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatDay, formatMinutes, formatMoney, formatNumber, formatTime, formatWhen, isMinor, isoDate, mondayOf, moneyInput, plain, toLocalInput } from './format';

describe('dates in the worker’s language', () => {
  it('writes a calendar date the French-Canadian and English-Canadian way', () => {
    expect(formatDate('2026-12-03', 'fr')).toBe('3 décembre 2026');
    expect(formatDate('2026-12-03', 'en')).toBe('December 3, 2026');
    expect(formatDate('2026-12-01', 'fr')).toBe('1er décembre 2026');
    expect(formatDate('2026-12-11', 'fr')).toBe('11 décembre 2026');
    expect(formatDate('2026-12-01', 'en')).toBe('December 1, 2026');
    expect(formatDay(new Date(2026, 11, 1), 'fr')).toBe('mardi 1er décembre');
    expect(formatDateTime('2026-12-01T14:00:00Z', 'fr', 'UTC').replace(/\s/g, ' ')).toBe('1er décembre 2026 à 14 h');
  });

  it('shows an instant in the given zone, not in UTC', () => {
    // 02:30 UTC on Dec 4 is still Dec 3 in Montréal (UTC-5).
    expect(formatDateTime('2026-12-04T02:30:00Z', 'fr', 'America/Toronto')).toContain('3 décembre 2026');
    expect(formatDateTime('2026-12-04T02:30:00Z', 'fr', 'America/Toronto')).toContain('21');
    expect(formatDateTime('2026-12-04T02:30:00Z', 'en', 'America/Toronto')).toContain('December 3, 2026');
  });

  it('writes hours the Quebec way: « 9 h », « 13 h 05 », no leading zero', () => {
    const nb = '\u00a0';
    expect(formatTime('2026-12-02T14:00:00Z', 'fr', 'America/Toronto')).toBe(`9${nb}h`);
    expect(formatTime('2026-12-02T18:05:00Z', 'fr', 'America/Toronto')).toBe(`13${nb}h${nb}05`);
    expect(formatDateTime('2026-12-02T06:46:00Z', 'fr', 'America/Toronto')).toBe(`2 décembre 2026 à 1${nb}h${nb}46`);
    expect(formatTime('2026-12-02T14:00:00Z', 'en', 'America/Toronto')).toBe('9:00 a.m.');
  });

  it('tells dates and instants apart, and leaves what it cannot read as it is', () => {
    expect(formatWhen('2026-01-05', 'fr')).toBe('5 janvier 2026');
    expect(formatWhen('2026-01-05T15:00:00Z', 'en', 'UTC')).toContain('January 5, 2026');
    expect(formatDate('5/1/2026', 'fr')).toBe('5/1/2026');
    expect(formatWhen(null, 'fr')).toBe('');
  });

  it('finds the Monday of a week and the local ISO date', () => {
    expect(isoDate(mondayOf(new Date(2026, 11, 3)))).toBe('2026-11-30'); // a Thursday
    expect(isoDate(mondayOf(new Date(2026, 10, 30)))).toBe('2026-11-30'); // the Monday itself
    expect(isoDate(mondayOf(new Date(2026, 11, 6)))).toBe('2026-11-30'); // the Sunday after
  });

  it('fills a datetime-local input in local time', () => {
    const v = toLocalInput('2026-12-03T14:30:00Z');
    expect(v).toMatch(/^2026-12-03T\d{2}:30$/);
    expect(toLocalInput('garbage')).toBe('');
  });
});

describe('minors', () => {
  it('is under 18 until the 18th birthday, that day included as an adult', () => {
    expect(isMinor('2008-12-03', new Date(2026, 11, 2))).toBe(true);
    expect(isMinor('2008-12-03', new Date(2026, 11, 3))).toBe(false);
    expect(isMinor('2008-11-30', new Date(2026, 11, 2))).toBe(false);
    expect(isMinor('2013-03-14', new Date(2026, 11, 2))).toBe(true);
  });

  it('does not guess without a birth date', () => {
    expect(isMinor(null, new Date(2026, 11, 2))).toBe(false);
    expect(isMinor('14/03/2013', new Date(2026, 11, 2))).toBe(false);
  });
});

describe('money', () => {
  it('reads an amount kept in cents the Quebec way in French, the English way in English', () => {
    expect(formatMoney(12050, 'fr').replace(/\s/g, ' ')).toBe('120,50 $');
    expect(formatMoney(12050, 'fr')).not.toContain(' '); // no ordinary space: it must not break
    expect(formatMoney(120050, 'fr').replace(/\s/g, ' ')).toBe('1 200,50 $');
    expect(formatMoney(12050, 'en')).toBe('$120.50');
  });

  it('offers the dollars to edit with the reader’s decimal mark', () => {
    expect(moneyInput(12050, 'fr')).toBe('120,50');
    expect(moneyInput(5, 'en')).toBe('0.05');
  });
});

describe('numbers', () => {
  it('groups thousands with a space that does not break in French, a comma in English', () => {
    expect([formatNumber(0, 'fr'), formatNumber(999, 'fr'), formatNumber(10000, 'fr')]).toEqual(['0', '999', '10\u00a0000']);
    expect([formatNumber(1234567, 'en'), formatNumber(100, 'en')]).toEqual(['1,234,567', '100']);
  });
});

describe('durations', () => {
  it('reads minutes as Quebec usage writes a duration, with spaces that do not break', () => {
    expect(formatMinutes(45)).toBe('45\u00a0min');
    expect(formatMinutes(120)).toBe('2\u00a0h');
    expect(formatMinutes(90)).toBe('1\u00a0h\u00a030\u00a0min');
    expect(formatMinutes(7815)).toBe('130\u00a0h\u00a015\u00a0min');
    expect(formatMinutes(90)).not.toContain(' ');
  });
});

describe('text someone else wrote', () => {
  it('shows what would reorder or hide it, and leaves French typography alone', () => {
    expect(plain('facture\u202efdp.exe')).toBe('facture\\u{202e}fdp.exe');
    expect(plain('Hé\u200bron\u2066x\u2069')).toBe('Hé\\u{200b}ron\\u{2066}x\\u{2069}');
    const prose = 'Statut\u00a0: prêt\u202f? « oui » — 9\u00a0h';
    expect(plain(prose)).toBe(prose);
  });
});
