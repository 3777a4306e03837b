import { describe, expect, it } from 'vitest';
import { intervalHolds } from './time-intervals.js';

// 2026-11-30 is a Monday.
const at = (iso: string) => Date.parse(iso);

describe('time intervals', () => {
  it('holds on the weekdays and times given, in the location given', () => {
    const office = { weekdays: ['monday:friday'], times: [{ start_time: '09:00', end_time: '17:00' }], location: 'Europe/Paris' };
    expect(intervalHolds(office, at('2026-11-30T08:30:00Z'))).toBe(true); // 09:30 in Paris
    expect(intervalHolds(office, at('2026-11-30T07:30:00Z'))).toBe(false); // 08:30 in Paris
    expect(intervalHolds(office, at('2026-11-29T10:00:00Z'))).toBe(false); // Sunday
  });

  it('counts negative days of the month from its end, and takes month names', () => {
    expect(intervalHolds({ days_of_month: ['-1'] }, at('2026-11-30T12:00:00Z'))).toBe(true);
    expect(intervalHolds({ days_of_month: ['-1'] }, at('2026-11-29T12:00:00Z'))).toBe(false);
    expect(intervalHolds({ months: ['november'] }, at('2026-11-30T12:00:00Z'))).toBe(true);
    expect(intervalHolds({ months: ['december:february'] }, at('2026-11-30T12:00:00Z'))).toBe(false);
  });
});
