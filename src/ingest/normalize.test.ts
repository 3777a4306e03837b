import { describe, expect, it } from 'vitest';
import { defaultIngestLimits } from '../config.js';
import { normalizeEvent, truncate } from './normalize.js';

const now = Date.UTC(2026, 10, 22) * 1000;
const norm = (data: unknown, time?: unknown, rate?: unknown, limits = defaultIngestLimits) =>
  normalizeEvent(data, time, rate, now, limits);

describe('normalizeEvent', () => {
  it('flattens nested objects to dotted names, keeps arrays as JSON and drops nulls', () => {
    const r = norm({ http: { status: 500, req: { method: 'GET' } }, tags: ['a', 1], gone: null, ok: true, d: 1.5 });
    expect(r).toEqual({
      ok: true,
      event: { time: now, samplerate: 1, fields: { 'http.status': 500, 'http.req.method': 'GET', tags: '["a",1]', ok: true, d: 1.5 } },
    });
  });
  it('reads sample rates and rejects bad ones by name', () => {
    expect(norm({ a: 1 }, undefined, 10)).toMatchObject({ ok: true, event: { samplerate: 10 } });
    expect(norm({ a: 1 }, undefined, '4')).toMatchObject({ ok: true, event: { samplerate: 4 } });
    expect(norm({ a: 1 }, undefined, 0)).toMatchObject({ ok: false, problem: expect.stringMatching(/^samplerate:/) });
    expect(norm({ a: 1 }, undefined, 2.5)).toMatchObject({ ok: false, problem: expect.stringMatching(/^samplerate:/) });
  });
  it('rejects data that is not an object', () => {
    expect(norm([1, 2])).toEqual({ ok: false, problem: 'data: expected a JSON object, got an array' });
    expect(norm('x')).toEqual({ ok: false, problem: 'data: expected a JSON object, got string' });
    expect(norm(null)).toEqual({ ok: false, problem: 'data: expected a JSON object, got null' });
  });
  it('enforces the field limit after flattening', () => {
    const limits = { ...defaultIngestLimits, maxFieldsPerEvent: 3 };
    expect(norm({ a: 1, b: { c: 2, d: 3 } }, undefined, undefined, limits).ok).toBe(true);
    expect(norm({ a: 1, b: { c: 2, d: 3, e: 4 } }, undefined, undefined, limits)).toEqual({
      ok: false,
      problem: 'data: more than 3 fields after flattening',
    });
  });
  it('enforces the event size limit', () => {
    const limits = { ...defaultIngestLimits, maxEventBytes: 100 };
    expect(norm({ a: 'x'.repeat(200) }, undefined, undefined, limits)).toMatchObject({ ok: false, problem: expect.stringMatching(/larger than/) });
  });
  it('cuts long strings to the limit', () => {
    const limits = { ...defaultIngestLimits, maxStringBytes: 10 };
    expect(norm({ a: 'abcdefghijklmnop' }, undefined, undefined, limits)).toMatchObject({ ok: true, event: { fields: { a: 'abcdefghij' } } });
  });
  it('reserves names that start with two underscores', () => {
    expect(norm({ __time: 1 })).toMatchObject({ ok: false, problem: expect.stringMatching(/reserved/) });
    expect(norm({ a: { 'b\u0000c': 1 } })).toEqual({ ok: false, problem: 'data.a.b\\u0000c: field names may not contain the NUL character' });
  });
  it('refuses nesting deeper than the stack with a 400 problem, not a crash', () => {
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
    expect(norm({ a: { b: deep } })).toEqual({ ok: false, problem: 'data.a.b: nested too deeply' });
    const deepObject = JSON.parse('{"x":'.repeat(100_000) + '1' + '}'.repeat(100_000));
    expect(norm(deepObject)).toMatchObject({ ok: false, problem: expect.stringMatching(/^data\.x\.x.*: nested too deeply$/) });
    expect(norm({ a: 1 }, undefined, deep)).toEqual({ ok: false, problem: 'samplerate: expected a whole number of at least 1, got an array' });
  });
  it('passes time problems through', () => {
    expect(norm({ a: 1 }, 'not a time')).toMatchObject({ ok: false, problem: expect.stringMatching(/^time:/) });
  });
});

describe('truncate', () => {
  it('never splits a multi-byte character', () => {
    const s = 'é'.repeat(10); // 20 bytes
    expect(truncate(s, 5)).toBe('éé');
    expect(truncate('😀😀', 5)).toBe('😀');
    expect(truncate('short', 100)).toBe('short');
  });
});
