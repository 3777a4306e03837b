import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fieldName, sqlColumnName } from './column-names.js';

describe('column names', () => {
  it('leaves lower-case names alone and spells out capitals', () => {
    expect(sqlColumnName('duration_ms')).toBe('duration_ms');
    expect(sqlColumnName('Status')).toBe('^status');
    expect(sqlColumnName('a^B')).toBe('a^^^b');
  });
  it('round-trips any name, and names that differ only in case never collide', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        expect(fieldName(sqlColumnName(a))).toBe(a);
        if (a !== b && a.toLowerCase() === b.toLowerCase()) {
          expect(sqlColumnName(a).toLowerCase()).not.toBe(sqlColumnName(b).toLowerCase());
        }
      }),
    );
    expect(sqlColumnName('Ab').toLowerCase()).not.toBe(sqlColumnName('aB').toLowerCase());
  });
});
