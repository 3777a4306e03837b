// On-call over HTTP: /api/v1/oncall at fixed times (answers hand-computed in
// ownership-oncall.test.ts), overrides added, listed, applied and deleted through the API with
// 400s naming the field, and the iCalendar feed opened by a person's token in its URL, which
// stops working once the person rotates it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startAlertsTend, type AlertsTend } from './support/alerts.js';
import { Browser } from './support/people.js';
import { PAYMENTS_SCHEDULE_YAML } from './support/payments-schedule.js';

let t: AlertsTend;
const PASSWORD = 'lamp orbit violet ferry 9';

const YAML = `
environment: production
teams: [{ name: payments, members: [ana@example.com, bo@example.com, cy@example.com] }]
schedules:${PAYMENTS_SCHEDULE_YAML}
`;
const call = (method: string, p: string, body?: unknown) => api(t, t.adminKey, method, p, body);

beforeAll(async () => {
  t = await startAlertsTend(YAML);
  await t.tend.people.create({ email: 'ana@example.com', name: 'Ana', password: PASSWORD, roles: { production: 'member' } });
}, 30_000);

afterAll(() => t?.close());

describe('on-call over HTTP', () => {
  it('answers who is on call at a time, one entry per layer', async () => {
    const r = await call('GET', '/api/v1/oncall?schedule=payments-primary&at=2026-03-30T10:00:00Z');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      schedule: 'payments-primary', at: '2026-03-30T10:00:00.000Z',
      on_call: [
        { email: 'ana@example.com', name: 'Ana', layer: 'weekly', shift_start: '2026-03-30T07:00:00.000Z', shift_end: '2026-04-06T07:00:00.000Z', override: null },
        { email: 'bo@example.com', name: null, layer: 'business-hours', shift_start: '2026-03-30T07:00:00.000Z', shift_end: '2026-03-30T15:00:00.000Z', override: null },
      ],
    });
    expect((await call('GET', '/api/v1/oncall?schedule=nope')).status).toBe(404);
    expect((await call('GET', '/api/v1/oncall?schedule=payments-primary&at=yesterday')).body.error).toBe('at: expected an ISO 8601 time');
    expect((await call('GET', '/api/v1/oncall')).body.error).toBe('schedule: required');
  });

  it('lists the shifts between two times, across the spring change, for the calendar page', async () => {
    const r = await call('GET', '/api/v1/schedules/payments-primary/shifts?from=2026-03-28T00:00:00Z&to=2026-03-31T00:00:00Z');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({
      schedule: 'payments-primary', time_zone: 'Europe/Berlin', from: '2026-03-28T00:00:00.000Z', to: '2026-03-31T00:00:00.000Z', layers: ['weekly', 'business-hours'],
      shifts: [
        // Handed over at 09:00 CET, then at 09:00 CEST: an hour earlier in UTC.
        { email: 'cy@example.com', name: null, layer: 'weekly', start: '2026-03-23T08:00:00.000Z', end: '2026-03-30T07:00:00.000Z', override: null },
        { email: 'bo@example.com', name: null, layer: 'business-hours', start: '2026-03-30T07:00:00.000Z', end: '2026-03-30T15:00:00.000Z', override: null },
        { email: 'ana@example.com', name: 'Ana', layer: 'weekly', start: '2026-03-30T07:00:00.000Z', end: '2026-04-06T07:00:00.000Z', override: null },
      ],
    });
    const error = async (q: string) => (await call('GET', `/api/v1/schedules/payments-primary/shifts?${q}`)).body.error;
    expect(await error('from=2026-03-28T00:00:00Z&to=2026-03-27T00:00:00Z')).toBe('to: must be after from');
    expect(await error('from=2026-01-01T00:00:00Z&to=2026-03-31T00:00:00Z')).toBe('to: at most 62 days after from');
    expect(await error('from=soon')).toBe('from: expected an ISO 8601 time');
    expect((await call('GET', '/api/v1/schedules/nope/shifts')).status).toBe(404);
  });

  it('adds, applies, lists and deletes overrides', async () => {
    const bad = await call('POST', '/api/v1/schedules/payments-primary/overrides', { layer: 'nightly', email: 'dee@example.com', from: '2026-03-29T20:00:00Z', to: '2026-03-30T10:00:00Z' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('layer: schedule payments-primary has no layer "nightly" (it has weekly, business-hours)');
    expect((await call('POST', '/api/v1/schedules/payments-primary/overrides', { layer: 'weekly', email: 'dee@example.com', from: '2026-03-30T10:00:00Z', to: '2026-03-29T20:00:00Z' })).body.error).toBe('to: must be after from');
    expect((await call('POST', '/api/v1/schedules/payments-primary/overrides', { layer: 'weekly', email: 'not-an-email', from: 'x', to: 'y' })).body.error).toMatch(/^email: /);

    const made = await call('POST', '/api/v1/schedules/payments-primary/overrides', { layer: 'weekly', email: 'Dee@example.com', from: '2026-03-29T20:00:00Z', to: '2026-03-30T10:00:00Z' });
    expect(made.status).toBe(201);
    const at = async (iso: string) => (await call('GET', `/api/v1/oncall?schedule=payments-primary&at=${iso}`)).body.on_call[0];
    expect(await at('2026-03-30T08:00:00Z')).toMatchObject({ email: 'dee@example.com', layer: 'weekly', shift_start: '2026-03-30T07:00:00.000Z', shift_end: '2026-03-30T10:00:00.000Z', override: made.body.id });
    expect((await at('2026-03-30T10:00:00Z')).email).toBe('ana@example.com');
    expect((await call('GET', '/api/v1/schedules/payments-primary/overrides')).body.overrides).toEqual([
      { id: made.body.id, layer: 'weekly', email: 'dee@example.com', from: '2026-03-29T20:00:00.000Z', to: '2026-03-30T10:00:00.000Z', created_by: expect.stringMatching(/^key:/) },
    ]);
    expect((await call('DELETE', `/api/v1/schedules/payments-primary/overrides/${made.body.id}`)).status).toBe(200);
    expect((await at('2026-03-30T08:00:00Z')).email).toBe('ana@example.com');
    expect((await call('DELETE', `/api/v1/schedules/payments-primary/overrides/${made.body.id}`)).status).toBe(404);
  });

  it('serves the iCalendar feed to a person\'s token, without a header, until it is rotated', async () => {
    const ana = new Browser(t.url);
    expect((await ana.login('ana@example.com', PASSWORD)).status).toBe(200);
    const first = await ana.request('POST', '/api/v1/oncall/calendar-token');
    expect(first.status).toBe(200);
    const feed = (token: string) => fetch(`${t.url}/api/v1/schedules/payments-primary.ics?token=${token}`);
    const res = await feed(first.body.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/calendar; charset=utf-8');
    const ics = await res.text();
    expect(ics).toMatch(/^BEGIN:VCALENDAR\r\nVERSION:2.0\r\n/);
    // 90 days: 13 or 14 weekly shifts and about 64 weekday business-hour shifts.
    const events = ics.match(/BEGIN:VEVENT/g)!.length;
    expect(events).toBeGreaterThan(13 + 60);
    expect(events).toBeLessThan(14 + 68);
    expect(ics).toContain('SUMMARY:On call: Ana (weekly)');

    const second = await ana.request('POST', '/api/v1/oncall/calendar-token');
    expect(second.body.token).not.toBe(first.body.token);
    expect((await feed(first.body.token)).status).toBe(404);
    expect((await feed(second.body.token)).status).toBe(200);
    expect((await fetch(`${t.url}/api/v1/schedules/payments-primary.ics`)).status).toBe(401);
    // Keys are not people: they have no calendar token.
    expect((await call('POST', '/api/v1/oncall/calendar-token')).status).toBe(403);
  });
});
