import { describe, expect, it } from 'vitest';
import { inMaintenance } from './maintenance.js';

describe('maintenance windows', () => {
  it('covers a one-off window from its start up to (not including) its end', () => {
    const w = [{ from: '2026-03-01T10:00:00Z', to: '2026-03-01T11:00:00Z' }];
    expect(inMaintenance(w, Date.parse('2026-03-01T09:59:59Z'))).toBe(false);
    expect(inMaintenance(w, Date.parse('2026-03-01T10:00:00Z'))).toBe(true);
    expect(inMaintenance(w, Date.parse('2026-03-01T10:59:59Z'))).toBe(true);
    expect(inMaintenance(w, Date.parse('2026-03-01T11:00:00Z'))).toBe(false);
  });
  it('covers a recurring window at local time on both sides of a daylight-saving change', () => {
    // Sundays 02:30-03:30 London time. On 2026-03-29 clocks go 01:00 UTC -> BST.
    const w = [{ cron: '30 2 * * 0', tz: 'Europe/London', duration: '1h' }];
    // Winter: 02:30 GMT is 02:30 UTC.
    expect(inMaintenance(w, Date.parse('2026-03-22T02:45:00Z'))).toBe(true);
    expect(inMaintenance(w, Date.parse('2026-03-22T01:45:00Z'))).toBe(false);
    // Summer: 02:30 BST is 01:30 UTC.
    expect(inMaintenance(w, Date.parse('2026-04-05T01:45:00Z'))).toBe(true);
    expect(inMaintenance(w, Date.parse('2026-04-05T02:45:00Z'))).toBe(false);
    // A weekday is outside.
    expect(inMaintenance(w, Date.parse('2026-04-06T01:45:00Z'))).toBe(false);
  });
});
