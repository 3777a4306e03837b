import { describe, expect, it } from 'vitest';
import { place, typeOfValue } from './column-types.js';

describe('typeOfValue', () => {
  it('tells integers from floats by value', () => {
    expect(typeOfValue(3)).toBe('integer');
    expect(typeOfValue(3.5)).toBe('float');
    expect(typeOfValue('3')).toBe('string');
    expect(typeOfValue(false)).toBe('boolean');
  });
});

describe('place', () => {
  it('stores values of the column type unchanged', () => {
    expect(place('a', 'integer', 7)).toEqual({ kind: 'store', value: 7 });
  });
  it('widens an integer column for a float value', () => {
    expect(place('d', 'integer', 1.25)).toEqual({ kind: 'widen', value: 1.25 });
  });
  it('stores integers in float columns', () => {
    expect(place('d', 'float', 2)).toEqual({ kind: 'store', value: 2 });
  });
  it('turns anything into text for a string column', () => {
    expect(place('s', 'string', 42)).toEqual({ kind: 'store', value: '42' });
    expect(place('s', 'string', true)).toEqual({ kind: 'store', value: 'true' });
  });
  it('reads numeric and boolean text', () => {
    expect(place('n', 'integer', '42')).toEqual({ kind: 'store', value: 42 });
    expect(place('n', 'integer', '4.5')).toEqual({ kind: 'widen', value: 4.5 });
    expect(place('n', 'float', '-1e3')).toEqual({ kind: 'store', value: -1000 });
    expect(place('b', 'boolean', 'false')).toEqual({ kind: 'store', value: false });
  });
  it('keeps values that cannot convert in a typed sibling column', () => {
    expect(place('status', 'integer', 'oops')).toEqual({ kind: 'sibling', column: 'status:string', type: 'string', value: 'oops' });
    expect(place('ok', 'boolean', 1)).toEqual({ kind: 'sibling', column: 'ok:integer', type: 'integer', value: 1 });
    expect(place('n', 'float', true)).toEqual({ kind: 'sibling', column: 'n:boolean', type: 'boolean', value: true });
  });
});
