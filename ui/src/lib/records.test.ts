import { describe, expect, it } from 'vitest';
import { fieldOf } from './records';

describe('the typed records', () => {
  it('read a field by its run-time name', () => {
    expect(fieldOf({ alias: 'Colibri', languages: ['fr'] }, 'languages')).toEqual(['fr']);
    expect(fieldOf({ alias: 'Colibri' }, 'phone')).toBeUndefined();
  });
});
