// The exact nearest-rank quantile of a numeric column over a window (the value the query
// engine's P99 answers when no event is sampled), without sorting every value. An engine's
// exact percentile collects the whole window's values (about 0.3-0.8 s over 10,000,000
// events); here two cheap statements do it:
//   1. how many values the window holds (n), and its highest sample rate; and a lower bound:
//      the same quantile, a little lower, of a sample of the events (those of a few short
//      slices of the window, 1% of it);
//   2. the m-th largest value at or above the bound, m = n - ceil(q * n) + 1: the values
//      above a bound are few (a filtered scan), and when fewer than m are, the bound was too
//      high and the read answers nothing, so the caller falls back to the engine's percentile.
// The sample only decides how fast, never what: the answer is the exact rank's value.
import { compileAndRead } from '../query/index.js';
import { SAMPLERATE_COLUMN, type Column, type EventStore } from '../store/index.js';
import type { Window } from './window.js';

/** The sample: the events of this many short slices spread evenly over the window... */
const SAMPLE_SLICES = 8;
/** ...together this share of it. Events are stored in time order, so a slice reads a few blocks. */
const SAMPLE_SHARE = 0.01;
/** How far under the asked quantile the sample's bound is taken: room for the sample's error. */
const SAMPLE_MARGIN = 0.01;

export interface FastQuantile {
  /** The exact value, null when the window holds no value. */
  value: number | null;
}

/**
 * The exact quantile `q` of `column` over the window; undefined when this way cannot answer
 * exactly (an event is sampled, so the engine weighs percentiles, or the bound missed): then
 * the caller asks the engine.
 */
export async function fastExactQuantile(
  store: EventStore, datasetId: string, column: Column, q: number, w: Window, timeoutMs: number,
): Promise<FastQuantile | undefined> {
  const window = { startUs: w.start_time * 1e6, endUs: w.end_time * 1e6 };
  const source = await store.source([datasetId], window.startUs, window.endUs, [column]);
  if (!source) return { value: null };
  const deadline = Date.now() + timeoutMs;
  const valueOf = (c: ReturnType<EventStore['compiler']>) => c.expr({ kind: 'column', name: column.name, type: column.type });

  // The count and the sample in one statement: one round trip, and the engine may run both at once.
  const [first] = await compileAndRead(store, (c) => {
    const counts = `SELECT count(${valueOf(c)}) AS ${c.ident('n')}, max(${c.ident(SAMPLERATE_COLUMN)}) AS ${c.ident('max_w')} FROM ${source} WHERE ${c.timeRange(window)}`;
    const slices = sampleSlices(window).map((slice) => `SELECT ${valueOf(c)} AS ${c.ident('v')} FROM ${source} WHERE ${c.timeRange(slice)}`);
    const sample = `SELECT ${c.percentile(c.ident('v'), Math.max(0, q - SAMPLE_MARGIN))} AS ${c.ident('bound')} FROM (${slices.join(' UNION ALL ')}) AS ${c.ident('sampled')}`;
    return `SELECT * FROM (${counts}) AS ${c.ident('window_counts')} CROSS JOIN (${sample}) AS ${c.ident('sample_bound')}`;
  }, deadline, timeoutMs);
  const n = Number(first?.n ?? 0);
  if (n === 0) return { value: null };
  if (Number(first.max_w ?? 1) > 1) return undefined;
  const fromTop = n - Math.max(1, Math.ceil(q * n)) + 1;
  const bound = first.bound === null || first.bound === undefined ? undefined : Number(first.bound);
  if (bound === undefined) return undefined;

  const [found] = await compileAndRead(store, (c) => {
    const x = valueOf(c);
    return `SELECT ${x} AS ${c.ident('v')} FROM ${source} WHERE ${c.timeRange(window)} AND ${x} >= ${c.param(bound, 'float')} ORDER BY ${x} DESC LIMIT 1 OFFSET ${c.int(fromTop - 1)}`;
  }, deadline, timeoutMs);
  return found ? { value: Number(found.v) } : undefined;
}

/** SAMPLE_SLICES slices of the window, one in the middle of each of as many equal parts. */
function sampleSlices(window: { startUs: number; endUs: number }): { startUs: number; endUs: number }[] {
  const part = (window.endUs - window.startUs) / SAMPLE_SLICES;
  const half = Math.max(1, Math.round((part * SAMPLE_SHARE) / 2));
  return Array.from({ length: SAMPLE_SLICES }, (_, i) => {
    const mid = Math.round(window.startUs + part * (i + 0.5));
    return { startUs: mid - half, endUs: mid + half };
  });
}
