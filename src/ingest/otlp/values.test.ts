import { describe, expect, it } from 'vitest';
import { decodeRequest, encodeRequest } from './codec.js';
import { millisBetween, OtlpProblem, readAnyValue, readId, readInt64, readNanos } from './values.js';

describe('OTLP value readers', () => {
  it('reads a fixed64 nanosecond time exactly from protobuf (Long) and JSON (string)', () => {
    const ns = '1763780000123456789';
    const body = encodeRequest('traces', { resourceSpans: [{ scopeSpans: [{ spans: [{ startTimeUnixNano: ns }] }] }] });
    const span = (decodeRequest('traces', body) as { resourceSpans: { scopeSpans: { spans: { startTimeUnixNano: unknown }[] }[] }[] }).resourceSpans[0].scopeSpans[0].spans[0];
    expect(readNanos(span.startTimeUnixNano, 'x')).toEqual({ us: 1763780000123456, ns: 789 });
    expect(readNanos(ns, 'x')).toEqual({ us: 1763780000123456, ns: 789 });
    expect(millisBetween(readNanos(ns, 'x'), readNanos('1763780000124456790', 'x'))).toBe(1.000001);
    expect(() => readNanos('12:00', 'span.start')).toThrow(/span.start: expected nanoseconds/);
  });

  it('reads ids from bytes or hex, treats empty and all-zero ids as absent, refuses wrong lengths', () => {
    expect(readId(Buffer.from('0102030405060708', 'hex'), 8, 'id')).toBe('0102030405060708');
    expect(readId('ABCDEF0102030405', 8, 'id')).toBe('abcdef0102030405');
    expect(readId('', 8, 'id')).toBeUndefined();
    expect(readId('0000000000000000', 8, 'id')).toBeUndefined();
    expect(() => readId('abc', 8, 'id')).toThrow(new OtlpProblem('id: expected 16 hex characters, got "abc"'));
    expect(() => readId(Buffer.alloc(7, 1), 8, 'id')).toThrow('id: expected 8 bytes, got 7');
    expect(() => readId('zz'.repeat(8), 8, 'id')).toThrow('expected 16 hex characters');
  });

  it('keeps 64-bit integers exact: numbers when safe, text past 2^53', () => {
    expect(readInt64('42', 'n')).toBe(42);
    expect(readInt64('-9223372036854775808', 'n')).toBe('-9223372036854775808');
    expect(readInt64({ low: -1, high: 0x7fffffff, unsigned: false }, 'n')).toBe('9223372036854775807');
    expect(() => readInt64('4.5', 'n')).toThrow('n: expected a 64-bit integer');
  });

  it('reads AnyValue maps as nested objects and lists as lists; refuses nesting past 32 levels', () => {
    const kv = (key: string, value: unknown) => ({ key, value });
    expect(readAnyValue({ kvlistValue: { values: [kv('a', { intValue: '1' }), kv('b', { arrayValue: { values: [{ boolValue: true }, { stringValue: 'x' }] } })] } }, 'v')).toEqual({ a: 1, b: [true, 'x'] });
    let deep: unknown = { stringValue: 'bottom' };
    for (let i = 0; i < 40; i++) deep = { arrayValue: { values: [deep] } };
    expect(() => readAnyValue(deep, 'v')).toThrow(/nest deeper than 32 levels/);
    expect(() => readAnyValue({ kvlistValue: { values: [kv('__proto__', { kvlistValue: { values: [kv('x', { intValue: 1 })] } })] } }, 'v')).toThrow(
      'v.kvlistValue.values[0].key: attribute names starting with "__" are reserved, got "__proto__"',
    );
  });
});
