// Rollups by whole hour, checked by count (everyone.ts, customer-events.ts): a window splits
// into the whole hours it covers and the partial ones at its edges; one statement counts the
// stored events of each whole hour, and an hour whose count is not the one its rollup was read
// with is read again. Events are only ever added (late ones too) or dropped by whole days, so
// a changed count is how every change shows.
import type { SqlCompiler } from '../store/index.js';
import type { Window } from './window.js';

export const HOUR_US = 3_600_000_000;

export interface Span {
  startUs: number;
  endUs: number;
}

/**
 * The whole hours of the window (hour numbers since the epoch) and the partial spans at its
 * edges; none and the whole window when it holds no whole hour or more than `maxHours` (more
 * than a rollup keeps: it would read and forget hours on every ask).
 */
export function splitByHour(w: Window, maxHours: number): { hours: number[]; edges: Span[] } {
  const startUs = w.start_time * 1e6;
  const endUs = w.end_time * 1e6;
  const first = Math.ceil(startUs / HOUR_US);
  const end = Math.floor(endUs / HOUR_US);
  if (end <= first || end - first > maxHours) return { hours: [], edges: [{ startUs, endUs }] };
  const hours = Array.from({ length: end - first }, (_, i) => first + i);
  const edges = [{ startUs, endUs: first * HOUR_US }, { startUs: end * HOUR_US, endUs }].filter((s) => s.endUs > s.startUs);
  return { hours, edges };
}

export const hourSpan = (h: number): Span => ({ startUs: h * HOUR_US, endUs: (h + 1) * HOUR_US });

/** One statement: each hour's stored events (`h`, `n`), a count on the time column per hour. */
export function hourCountsSql(c: SqlCompiler, source: string, hours: number[]): string {
  return hours.map((h) => `SELECT ${c.int(h)} AS ${c.ident('h')}, count(*) AS ${c.ident('n')} FROM ${source} WHERE ${c.timeRange(hourSpan(h))}`).join(' UNION ALL ');
}

/** Hours as runs of consecutive ones, each one span to read. */
export function runsOf(hours: number[]): Span[] {
  const spans: Span[] = [];
  for (const h of [...hours].sort((a, b) => a - b)) {
    const last = spans.at(-1);
    if (last && last.endUs === h * HOUR_US) last.endUs += HOUR_US;
    else spans.push(hourSpan(h));
  }
  return spans;
}

/** Keeps the `max` most recent hours of a rollup. */
export function keepRecent<T>(hours: Map<number, T>, max: number): void {
  const sorted = [...hours.keys()].sort((a, b) => a - b);
  for (const h of sorted.slice(0, Math.max(0, sorted.length - max))) hours.delete(h);
}

/** A map used as a small LRU: `get` moves the key last; past `max` keys, the first goes. */
export function recentlyUsed<T>(map: Map<string, T>, key: string, make: () => T, max: number): T {
  const found = map.get(key);
  if (found !== undefined) map.delete(key);
  const value = found ?? make();
  map.set(key, value);
  if (map.size > max) map.delete(map.keys().next().value!);
  return value;
}
