import { describe, expect, it } from 'vitest';
import { parseEventTime } from './event-time.js';

const now = Date.UTC(2026, 10, 22, 12, 0, 0) * 1000;
const at = (iso: string) => Date.parse(iso) * 1000;
const us = (input: unknown) => {
  const r = parseEventTime(input, now);
  if (!r.ok) throw new Error(r.problem);
  return r.us;
};

describe('parseEventTime', () => {
  it('uses the time of receipt when missing', () => {
    expect(us(undefined)).toBe(now);
    expect(us('')).toBe(now);
  });
  it('reads RFC3339 with fractions and offsets', () => {
    expect(us('2026-11-22T10:00:00Z')).toBe(at('2026-11-22T10:00:00Z'));
    expect(us('2026-11-22T10:00:00.123456Z')).toBe(at('2026-11-22T10:00:00Z') + 123456);
    expect(us('2026-11-22T10:00:00.5+02:00')).toBe(at('2026-11-22T08:00:00.5Z'));
    expect(us('2026-11-22T04:00:00-0530')).toBe(at('2026-11-22T09:30:00Z'));
    expect(us('2026-11-22T10:00:00.123456789Z')).toBe(at('2026-11-22T10:00:00Z') + 123457);
  });
  it("reads JavaScript's toISOString form exactly, and refuses it out of range as any RFC3339", () => {
    for (let k = 0; k < 200; k++) {
      const ms = Date.UTC(1990, 0, 1) + Math.floor((k * 7919 * 1.4e8) / 200) + (k % 1000);
      expect(us(new Date(ms).toISOString())).toBe(ms * 1000);
    }
    expect(us('2026-11-22t10:00:00.007z')).toBe(at('2026-11-22T10:00:00.007Z'));
    for (const bad of ['2026-13-01T00:00:00.000Z', '2026-11-00T00:00:00.000Z', '2026-11-22T24:00:00.000Z', '2026-11-22T10:60:00.000Z', '2026-11-22T10:00:00.0a0Z', '2026-11-2xT10:00:00.000Z']) {
      expect(parseEventTime(bad, now).ok, bad).toBe(false);
    }
  });
  it('tells epoch seconds, ms, µs and ns apart by size', () => {
    const s = Date.UTC(2026, 10, 22, 11) / 1000;
    expect(us(String(s))).toBe(s * 1e6);
    expect(us(s * 1000)).toBe(s * 1e6);
    expect(us(String(s * 1e6))).toBe(s * 1e6);
    expect(us(`${s}000000000`)).toBe(s * 1e6);
    expect(us(`${s}.25`)).toBe(s * 1e6 + 250000);
    expect(us(s + 0.5)).toBe(s * 1e6 + 500000);
  });
  it('replaces times more than an hour in the future with the time of receipt', () => {
    expect(us('2026-11-22T12:59:00Z')).toBe(at('2026-11-22T12:59:00Z'));
    expect(us('2026-11-22T13:01:00Z')).toBe(now);
  });
  it('names the field when the time cannot be read', () => {
    const r = parseEventTime('yesterday', now);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.problem).toMatch(/^time: cannot read "yesterday"/);
    expect(parseEventTime({}, now)).toEqual({ ok: false, problem: 'time: expected an RFC3339 string or epoch number, got object' });
    expect(parseEventTime('2026-13-01T00:00:00Z', now).ok).toBe(false);
  });
});
