// Times and durations as people type them on the command line, shared by `tend query` and
// `tend markers`: durations like 90s, 30m, 2h, 7d, 1w; times as Unix seconds, RFC3339
// (2026-11-20T10:00:00Z), `now`, or a duration back from now (-2h).
import { parseEventTime } from '../ingest/index.js';

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

/** Seconds in a duration such as `2h` or `1h30m`. */
export function parseDuration(text: string, flag: string): number {
  const parts = [...text.trim().matchAll(/(\d+(?:\.\d+)?)([smhdw])/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join('') !== text.trim()) {
    throw new Error(`${flag}: "${text}" is not a duration: write a number and a unit s, m, h, d or w (e.g. 30m, 2h, 7d, 1h30m)`);
  }
  return Math.round(parts.reduce((sum, p) => sum + Number(p[1]) * UNIT_SECONDS[p[2]], 0));
}

/** Unix seconds for a time argument. */
export function parseTimeArg(text: string, flag: string, nowMs = Date.now()): number {
  const s = text.trim();
  if (s === 'now') return Math.floor(nowMs / 1000);
  if (s.startsWith('-')) return Math.floor(nowMs / 1000) - parseDuration(s.slice(1), flag);
  const t = parseEventTime(s, nowMs * 1000);
  if (!t.ok) throw new Error(`${flag}: "${text}" is not a time: use Unix seconds, RFC3339 (2026-11-20T10:00:00Z), now, or -2h`);
  return Math.floor(t.us / 1e6);
}
