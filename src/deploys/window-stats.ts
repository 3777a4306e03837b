// The numbers of one window, read through the query engine (weighted by sample rate, bounded and
// timed out like every query): totals and a per-minute series for the charts, each group's
// count, errors and latency percentiles, and each group's latency histogram on fixed log bins
// (statistics.ts) for the tests.
import { runQuery, type QueryDeps, type QuerySpec, type ResultValue } from '../query/index.js';
import { columnRef, type DatasetFields } from '../dataset-fields/index.js';
import type { Environment } from '../store/index.js';
import type { GroupStats, WindowStats } from './compare.js';
import { LOG_BIN, type Histogram } from './statistics.js';

/** Unix seconds, [start, end). */
export interface Span {
  start: number;
  end: number;
}

export interface Totals {
  events: number;
  errors: number;
  error_rate: number | null;
  throughput: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export interface SeriesPoint {
  time: string;
  events: number;
  error_rate: number | null;
  p95: number | null;
}

/** A group's value as the engine answers it (a customer id may be a number). */
export type Key = string | number | boolean;

/** Most endpoints and builds a report tests (the busiest); customers are the 20 busiest. */
export const MAX_ENDPOINTS = 50;
export const TOP_CUSTOMERS = 20;
export const MAX_BUILDS = 10;
/** Points of a window's series at most. */
const MAX_POINTS = 500;
/** Enough rows for every (group, latency bin) pair of MAX_ENDPOINTS groups. */
const HISTOGRAM_ROWS = 10_000;

const ERROR = '__tend_error';
const BIN = '__tend_latency_bin';

export class WindowReader {
  constructor(
    private readonly deps: QueryDeps,
    private readonly env: Environment,
    private readonly dataset: string,
    private readonly fields: DatasetFields,
    /** The dataset has the latency field: percentiles and histograms are read. */
    private readonly latency: boolean,
  ) {}

  private calculated() {
    const fields = [{ name: ERROR, expression: `IF(${this.fields.error}, 1, 0)` }];
    // Bins below 0.01 ms and above ~3 hours are clamped into the end bins.
    if (this.latency) fields.push({ name: BIN, expression: `BUCKET(LOG10(${columnRef(this.fields.duration_field)}), ${LOG_BIN}, -2, 7)` });
    return fields;
  }

  private calcs() {
    const d = this.fields.duration_field;
    return [
      { op: 'COUNT' as const, name: 'count' },
      { op: 'SUM' as const, column: ERROR, name: 'errors' },
      ...(this.latency ? (['P50', 'P95', 'P99'] as const).map((op) => ({ op, column: d, name: op.toLowerCase() })) : []),
    ];
  }

  private run(span: Span, spec: QuerySpec, series = false) {
    return runQuery(this.deps, this.env, this.dataset, { ...spec, start_time: span.start, end_time: span.end, calculated_fields: this.calculated() }, { series });
  }

  /** The whole window: totals, a per-minute series, and stored events per weighted event. */
  async totals(span: Span): Promise<{ totals: Totals; scale: number; series: SeriesPoint[] }> {
    // Minutes, or coarser for long windows: a series stays within a query's points.
    const granularity = Math.max(60, Math.ceil((span.end - span.start) / MAX_POINTS / 60) * 60);
    const r = await this.run(span, { calculations: this.calcs(), granularity }, true);
    const d = r.data.results[0]?.data ?? {};
    const events = num(d.count) ?? 0;
    const errors = num(d.errors) ?? 0;
    return {
      totals: {
        events, errors, error_rate: events ? errors / events : null, throughput: events / (span.end - span.start),
        p50: num(d.p50), p95: num(d.p95), p99: num(d.p99),
      },
      scale: events > 0 ? r.metadata.rows_scanned / events : 1,
      series: r.data.series.map((p) => {
        const n = num(p.data.count) ?? 0;
        return { time: p.time, events: n, error_rate: n ? (num(p.data.errors) ?? 0) / n : null, p95: num(p.data.p95) };
      }),
    };
  }

  /** The `n` values of `field` with the most events in the span. */
  async busiest(span: Span, field: string, n: number): Promise<Key[]> {
    const r = await this.run(span, {
      calculations: [{ op: 'COUNT' }], breakdowns: [field], filters: [{ column: field, op: 'exists' }],
      orders: [{ op: 'COUNT', order: 'descending' }], limit: n,
    });
    return r.data.results.map((row) => row.data[field] as Key);
  }

  /** Each group's numbers in the span: the groups of `field` whose value is in `keys`. */
  async groups(span: Span, field: string, keys: Key[], scale: number): Promise<WindowStats> {
    const groups = new Map<string, GroupStats>();
    const seconds = span.end - span.start;
    if (!keys.length) return { seconds, scale, groups };
    const filters = [{ column: field, op: 'in' as const, value: keys }];
    const stats = await this.run(span, { calculations: this.calcs(), breakdowns: [field], filters, limit: keys.length });
    for (const { data } of stats.data.results) {
      groups.set(String(data[field]), {
        count: num(data.count) ?? 0, errors: num(data.errors) ?? 0, p50: num(data.p50), p95: num(data.p95), p99: num(data.p99), hist: new Map(),
      });
    }
    if (this.latency) {
      const bins = await this.run(span, { calculations: [{ op: 'COUNT', name: 'count' }], breakdowns: [field, BIN], filters, limit: HISTOGRAM_ROWS });
      for (const { data } of bins.data.results) {
        const hist: Histogram | undefined = groups.get(String(data[field]))?.hist;
        const bin = num(data[BIN]);
        if (hist && bin !== null) hist.set(Math.round(bin / LOG_BIN), num(data.count) ?? 0);
      }
    }
    return { seconds, scale, groups };
  }
}

function num(v: ResultValue | undefined): number | null {
  return typeof v === 'number' && Number.isFinite(v) ? v : null;
}
