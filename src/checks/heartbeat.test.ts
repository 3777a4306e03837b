import { describe, expect, it } from 'vitest';
import { parseCheck, type HeartbeatDefinition } from './definition.js';
import { applyPing, deadline, lateVerdict, newRuntime, nextExpected } from './heartbeat.js';

function hb(extra: Record<string, unknown>): HeartbeatDefinition {
  const r = parseCheck({ name: 'job', kind: 'heartbeat', ...extra });
  if (!r.ok || r.check.kind !== 'heartbeat') throw new Error(r.ok ? 'not a heartbeat' : r.problem);
  return r.check;
}
const t = (iso: string) => Date.parse(iso);

describe('heartbeat schedule', () => {
  it('with a period: late grace after period since the last ping, never before the first ping', () => {
    const def = hb({ period: '1d', grace: '1h' });
    let rt = newRuntime();
    expect(deadline(def, rt)).toBeUndefined();
    rt = applyPing(def, rt, 'success', t('2026-06-01T03:00:00Z')).runtime;
    expect(deadline(def, rt)).toBe(t('2026-06-02T04:00:00Z'));
  });

  it('with cron and a time zone: follows local time across the spring-forward change', () => {
    const def = hb({ cron: '0 3 * * *', tz: 'Europe/London', grace: '1h' });
    // 2026-03-28 03:00 GMT = 03:00Z. The next 03:00 local is BST, 02:00Z.
    const rt = applyPing(def, newRuntime(), 'success', t('2026-03-28T03:00:10Z')).runtime;
    expect(nextExpected(def, rt.lastPingAt!)).toBe(t('2026-03-29T02:00:00Z'));
    expect(deadline(def, rt)).toBe(t('2026-03-29T03:00:00Z'));
  });

  it('with cron across the fall-back change: the repeated hour does not expect two runs', () => {
    const def = hb({ cron: '30 1 * * *', tz: 'Europe/London', grace: '30m' });
    // 2026-10-25: 01:30 BST (00:30Z) happens, then clocks go back and 01:30 GMT (01:30Z) would repeat.
    const rt = applyPing(def, newRuntime(), 'success', t('2026-10-25T00:30:05Z')).runtime;
    expect(nextExpected(def, rt.lastPingAt!)).toBe(t('2026-10-26T01:30:00Z'));
  });

  it('reports lateness once per deadline', () => {
    const def = hb({ period: '1h', grace: '5m' });
    const rt = applyPing(def, newRuntime(), 'success', t('2026-06-01T00:00:00Z')).runtime;
    const d = deadline(def, rt)!;
    const verdict = lateVerdict(def, rt, d);
    expect(verdict.ok).toBe(false);
    expect(verdict.error).toMatch(/^late: expected a ping by 2026-06-01T01:00:00.000Z/);
    expect(deadline(def, { ...rt, lateReported: d })).toBeUndefined();
  });
});

describe('heartbeat pings', () => {
  it('fail and non-zero exit status are failures', () => {
    const def = hb({ period: '1h' });
    expect(applyPing(def, newRuntime(), 'fail', 0).verdict).toEqual({ ok: false, error: 'failure signalled', durationMs: undefined });
    expect(applyPing(def, newRuntime(), 'fail', 0, { exitStatus: 3 }).verdict?.error).toBe('exit status 3');
  });

  it('log and start pings give no verdict', () => {
    const def = hb({ period: '1h' });
    expect(applyPing(def, newRuntime(), 'log', 0).verdict).toBeUndefined();
    expect(applyPing(def, newRuntime(), 'start', 0).verdict).toBeUndefined();
  });

  it('pairs start and finish by rid and checks the run time against its bounds', () => {
    const def = hb({ period: '1h', min_duration: '1m', max_duration: '10m' });
    let rt = applyPing(def, newRuntime(), 'start', 0, { rid: 'a' }).runtime;
    rt = applyPing(def, rt, 'start', 1000, { rid: 'b' }).runtime;
    const fast = applyPing(def, rt, 'success', 30_000, { rid: 'b' });
    expect(fast.verdict).toMatchObject({ ok: false, durationMs: 29_000 });
    expect(fast.verdict!.error).toMatch(/less than min_duration 1m/);
    const slow = applyPing(def, fast.runtime, 'success', 11 * 60_000, { rid: 'a' });
    expect(slow.verdict).toMatchObject({ ok: false, durationMs: 660_000 });
    expect(slow.verdict!.error).toMatch(/more than max_duration 10m/);
    const rt2 = applyPing(def, slow.runtime, 'start', 0, { rid: 'c' }).runtime;
    expect(applyPing(def, rt2, 'success', 5 * 60_000, { rid: 'c' }).verdict).toEqual({ ok: true, durationMs: 300_000 });
  });

  it('a started run that does not finish within max_duration is late', () => {
    const def = hb({ period: '1d', max_duration: '10m' });
    const rt = applyPing(def, newRuntime(), 'start', t('2026-06-01T00:00:00Z')).runtime;
    const d = deadline(def, rt)!;
    expect(d).toBe(t('2026-06-01T00:10:00Z'));
    expect(lateVerdict(def, rt, d).error).toMatch(/has not finished within max_duration 10m/);
  });
});
