// On-call shifts against hand-computed answers: weekly and daily handoffs at 09:00 Berlin time
// across both daylight-saving changes of 2026 (CET +1 / CEST +2), restrictions to business
// hours, and overrides that cross a handoff.
import { describe, expect, it } from 'vitest';
import { parseOwnershipFile } from '../src/ownership/config.js';
import { onCallAt, scheduleShifts, type Override } from '../src/ownership/oncall/shifts.js';
import { icsFeed } from '../src/ownership/oncall/ics.js';
import { PAYMENTS_SCHEDULE_YAML } from './support/payments-schedule.js';

const file = parseOwnershipFile(`
teams:
  - { name: payments, members: [ana@example.com, bo@example.com, cy@example.com] }
schedules:${PAYMENTS_SCHEDULE_YAML}
  - name: nights
    time_zone: America/New_York
    layers:
      - { name: night, members: [ana@example.com, bo@example.com], start: "2026-03-02T00:00", rotation: 1d, restrictions: [{ from: "22:00", to: "06:00" }] }
`);
const schedule = file.schedules[0];
const ms = (iso: string) => Date.parse(iso);
const view = (t: string, overrides: Override[] = [], s = schedule) =>
  onCallAt(s, ms(t), overrides).map((x) => ({ email: x.email, layer: x.layer, start: new Date(x.start).toISOString(), end: new Date(x.end).toISOString() }));

describe('on-call shifts', () => {
  it('hands the weekly layer over at 09:00 local across the spring change (CET -> CEST)', () => {
    // Week 11 after 2026-01-05 (cy) started Monday 23 March 09:00 CET = 08:00Z and ends
    // Monday 30 March 09:00 CEST = 07:00Z: 167 hours, not 168.
    expect(view('2026-03-29T12:00:00Z')).toEqual([{ email: 'cy@example.com', layer: 'weekly', start: '2026-03-23T08:00:00.000Z', end: '2026-03-30T07:00:00.000Z' }]);
    expect(view('2026-03-30T06:59:59Z')[0].email).toBe('cy@example.com');
    expect(view('2026-03-30T07:00:00Z')[0]).toEqual({ email: 'ana@example.com', layer: 'weekly', start: '2026-03-30T07:00:00.000Z', end: '2026-04-06T07:00:00.000Z' });
  });

  it('and across the autumn change (CEST -> CET): 169 hours', () => {
    // Week 41 (41 % 3 = 2: cy) from Monday 19 October 09:00 CEST = 07:00Z to 26 October 09:00 CET = 08:00Z.
    expect(view('2026-10-26T07:30:00Z')[0]).toEqual({ email: 'cy@example.com', layer: 'weekly', start: '2026-10-19T07:00:00.000Z', end: '2026-10-26T08:00:00.000Z' });
    expect(view('2026-10-26T08:00:00Z')[0].email).toBe('ana@example.com');
  });

  it('adds the business-hours layer only inside its restriction, in local time', () => {
    // Monday 30 March is day 84 (84 % 2 = 0: bo); 09:00-17:00 CEST = 07:00Z-15:00Z.
    expect(view('2026-03-30T10:00:00Z')).toEqual([
      { email: 'ana@example.com', layer: 'weekly', start: '2026-03-30T07:00:00.000Z', end: '2026-04-06T07:00:00.000Z' },
      { email: 'bo@example.com', layer: 'business-hours', start: '2026-03-30T07:00:00.000Z', end: '2026-03-30T15:00:00.000Z' },
    ]);
    expect(view('2026-03-30T15:00:00Z').map((x) => x.layer)).toEqual(['weekly']);
    // Friday 27 March (day 81: cy) 09:00-17:00 CET = 08:00Z-16:00Z; Saturday nothing.
    expect(view('2026-03-27T15:30:00Z')[1]).toEqual({ email: 'cy@example.com', layer: 'business-hours', start: '2026-03-27T08:00:00.000Z', end: '2026-03-27T16:00:00.000Z' });
    expect(view('2026-03-28T12:00:00Z').map((x) => x.layer)).toEqual(['weekly']);
  });

  it('runs a restriction past midnight (22:00-06:00 New York, across the US spring change)', () => {
    const nights = file.schedules[1];
    // 8 March 2026 02:00 EST -> 03:00 EDT. The window that opens Saturday 7 March 22:00 EST (03:00Z)
    // closes Sunday 06:00 EDT (10:00Z): 7 hours. Day 5 after 2 March: 5 % 2 = 1 (bo).
    expect(view('2026-03-08T04:00:00Z', [], nights)).toEqual([{ email: 'bo@example.com', layer: 'night', start: '2026-03-08T03:00:00.000Z', end: '2026-03-08T05:00:00.000Z' }]);
    // The rotation hands over at local midnight (05:00Z that day): the rest of the night is ana's.
    expect(view('2026-03-08T06:00:00Z', [], nights)).toEqual([{ email: 'ana@example.com', layer: 'night', start: '2026-03-08T05:00:00.000Z', end: '2026-03-08T10:00:00.000Z' }]);
    expect(view('2026-03-08T12:00:00Z', [], nights)).toEqual([]);
  });

  it('lets an override replace the layer person across a handoff, and only that layer', () => {
    const o: Override = { id: 'o1', layer: 'weekly', email: 'dee@example.com', from: ms('2026-03-29T20:00:00Z'), to: ms('2026-03-30T10:00:00Z') };
    expect(view('2026-03-29T21:00:00Z', [o])).toEqual([{ email: 'dee@example.com', layer: 'weekly', start: '2026-03-29T20:00:00.000Z', end: '2026-03-30T07:00:00.000Z' }]);
    expect(view('2026-03-30T08:00:00Z', [o])).toEqual([
      { email: 'dee@example.com', layer: 'weekly', start: '2026-03-30T07:00:00.000Z', end: '2026-03-30T10:00:00.000Z' },
      { email: 'bo@example.com', layer: 'business-hours', start: '2026-03-30T07:00:00.000Z', end: '2026-03-30T15:00:00.000Z' },
    ]);
    expect(view('2026-03-30T10:00:00Z', [o])[0].email).toBe('ana@example.com');
    expect(view('2026-03-29T19:59:59Z', [o])[0].email).toBe('cy@example.com');
  });

  it('has nobody on call before a layer starts', () => {
    expect(view('2026-01-05T07:59:00Z')).toEqual([]);
    expect(view('2026-01-05T08:00:00Z')[0].email).toBe('ana@example.com');
  });

  it('lists consecutive shifts without gaps or overlaps for 90 days, and writes them as iCalendar', () => {
    const from = ms('2026-03-01T00:00:00Z');
    const to = from + 90 * 86_400_000;
    const weekly = scheduleShifts(schedule, from, to).filter((s) => s.layer === 'weekly');
    for (let i = 1; i < weekly.length; i++) expect(weekly[i].start).toBe(weekly[i - 1].end);
    const ics = icsFeed('payments-primary', scheduleShifts(schedule, from, to), new Map([['ana@example.com', 'Ana']]), from);
    expect(ics.startsWith('BEGIN:VCALENDAR\r\nVERSION:2.0\r\n')).toBe(true);
    expect(ics).toContain('DTSTART:20260330T070000Z\r\nDTEND:20260406T070000Z\r\nSUMMARY:On call: Ana (weekly)');
    expect(ics.match(/BEGIN:VEVENT/g)?.length).toBe(scheduleShifts(schedule, from, to).length);
    expect(ics.split('\r\n').every((l) => Buffer.byteLength(l) <= 75)).toBe(true);
  });
});
