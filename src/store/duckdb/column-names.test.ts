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
    // b is a with the case of some characters flipped, so the collision check runs in nearly
    // every case (two random strings almost never differ only in case); the alphabet is the
    // characters the encoding treats specially, with a few it leaves alone. DuckDB folds ASCII
    // letters only ("é" and "É" are two columns to it), so that is the collision to rule out.
    const duckdbFold = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());
    const name = fc.string({ unit: fc.constantFrom('a', 'A', 'z', 'Z', '^', '_', '.', 'é', 'É'), maxLength: 12 });
    let collisionChecks = 0;
    fc.assert(
      fc.property(name, fc.array(fc.boolean(), { maxLength: 12 }), (a, flips) => {
        const b = [...a].map((c, i) => (flips[i] ? (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()) : c)).join('');
        expect(fieldName(sqlColumnName(a))).toBe(a);
        expect(fieldName(sqlColumnName(b))).toBe(b);
        if (a !== b) {
          collisionChecks++;
          expect(duckdbFold(sqlColumnName(a))).not.toBe(duckdbFold(sqlColumnName(b)));
        }
      }),
      { numRuns: 500 },
    );
    expect(collisionChecks).toBeGreaterThan(250);
  });
});
