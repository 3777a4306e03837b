// Heartbeat logic, pure and driven by the time it is given. A heartbeat expects a ping every
// `period` (or at each `cron` time in `tz`) and is late `grace` after that. Pings follow
// healthchecks.io: success, start, fail, log and exit status; `rid` pairs a start with its
// finish so the run's duration can be checked against min_duration / max_duration.
// Like healthchecks.io, a heartbeat that has never been pinged stays pending (never late).
import { CronExpressionParser } from 'cron-parser';
import { ms, type HeartbeatDefinition } from './definition.js';

export type PingKind = 'success' | 'start' | 'fail' | 'log';

export interface HeartbeatRuntime {
  /** Time of the last finishing ping (success or fail). */
  lastPingAt?: number;
  /** Open runs: rid ('' when none was given) -> start time. */
  starts: Record<string, number>;
  /** The deadline already reported as late, so it is reported once. */
  lateReported?: number;
}

export interface Verdict {
  ok: boolean;
  error?: string;
  /** Run duration when a start was paired with this finish. */
  durationMs?: number;
}

/** Open runs kept per heartbeat; older starts are forgotten first. */
const MAX_OPEN_RUNS = 100;

export const newRuntime = (): HeartbeatRuntime => ({ starts: {} });

/** When the next finishing ping is expected, after a finish at `after`. */
export function nextExpected(hb: HeartbeatDefinition, after: number): number {
  if (hb.cron) return CronExpressionParser.parse(hb.cron, { tz: hb.tz, currentDate: new Date(after) }).next().getTime();
  return after + ms(hb.period!);
}

/**
 * The time at which this heartbeat is late if nothing more arrives, or undefined when it
 * cannot be late (never pinged, or lateness already reported).
 */
export function deadline(hb: HeartbeatDefinition, rt: HeartbeatRuntime): number | undefined {
  const candidates: number[] = [];
  if (rt.lastPingAt !== undefined) candidates.push(nextExpected(hb, rt.lastPingAt) + ms(hb.grace));
  // A started run must finish within max_duration, or within the grace time without one.
  const runLimit = hb.max_duration !== undefined ? ms(hb.max_duration) : ms(hb.grace);
  for (const started of Object.values(rt.starts)) candidates.push(started + runLimit);
  const pending = candidates.filter((t) => t !== rt.lateReported);
  return pending.length ? Math.min(...pending) : undefined;
}

/** What a passed deadline means, worded for the `error` field. */
export function lateVerdict(hb: HeartbeatDefinition, rt: HeartbeatRuntime, at: number): Verdict {
  const openRun = Object.entries(rt.starts).find(([, started]) => started + (hb.max_duration !== undefined ? ms(hb.max_duration) : ms(hb.grace)) === at);
  if (openRun) {
    const limit = hb.max_duration !== undefined ? `max_duration ${hb.max_duration}` : `grace ${hb.grace}`;
    return { ok: false, error: `run started at ${new Date(openRun[1]).toISOString()} has not finished within ${limit}` };
  }
  const expected = nextExpected(hb, rt.lastPingAt!);
  return { ok: false, error: `late: expected a ping by ${new Date(expected).toISOString()} (grace ${hb.grace}); last ping ${new Date(rt.lastPingAt!).toISOString()}` };
}

/**
 * Applies one ping at time `now`. Returns the new runtime and, for finishing pings (success
 * or fail), the verdict the state machine takes; start and log pings give no verdict.
 */
export function applyPing(
  hb: HeartbeatDefinition,
  rt: HeartbeatRuntime,
  kind: PingKind,
  now: number,
  opts: { rid?: string; exitStatus?: number } = {},
): { runtime: HeartbeatRuntime; verdict?: Verdict } {
  const rid = opts.rid ?? '';
  if (kind === 'log') return { runtime: rt };
  if (kind === 'start') {
    const starts = { ...rt.starts, [rid]: now };
    const keys = Object.keys(starts);
    if (keys.length > MAX_OPEN_RUNS) delete starts[keys.sort((a, b) => starts[a] - starts[b])[0]];
    return { runtime: { ...rt, starts } };
  }
  const started = rt.starts[rid];
  const starts = { ...rt.starts };
  delete starts[rid];
  const runtime: HeartbeatRuntime = { lastPingAt: now, starts, lateReported: undefined };
  const durationMs = started !== undefined ? now - started : undefined;
  if (kind === 'fail') {
    return { runtime, verdict: { ok: false, durationMs, error: opts.exitStatus !== undefined ? `exit status ${opts.exitStatus}` : 'failure signalled' } };
  }
  if (durationMs !== undefined && hb.min_duration !== undefined && durationMs < ms(hb.min_duration)) {
    return { runtime, verdict: { ok: false, durationMs, error: `run took ${durationMs} ms, less than min_duration ${hb.min_duration}` } };
  }
  if (durationMs !== undefined && hb.max_duration !== undefined && durationMs > ms(hb.max_duration)) {
    return { runtime, verdict: { ok: false, durationMs, error: `run took ${durationMs} ms, more than max_duration ${hb.max_duration}` } };
  }
  return { runtime, verdict: { ok: true, durationMs } };
}
