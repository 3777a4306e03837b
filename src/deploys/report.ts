// What a deploy did: for each of the service's datasets, the window after the deploy against the
// same length before it and the same window a week earlier, per endpoint and for the busiest
// customers, and the deploy's build against the other build running beside it (a canary or a
// rolling deploy) when events carry the build field. Every number comes from the query engine;
// compare.ts tests them all at once; BubbleUp tells what the errors after a worse error rate
// have in common.
import { bubbleUp, type ColumnDifference, type QueryDeps } from '../query/index.js';
import type { DatasetFieldsOf } from '../dataset-fields/index.js';
import type { Environment } from '../store/index.js';
import { findings, type Comparison, type Finding, type Kind } from './compare.js';
import { deployJson, type Deploy } from './deploy-store.js';
import { MAX_BUILDS, MAX_ENDPOINTS, TOP_CUSTOMERS, WindowReader, type SeriesPoint, type Span, type Totals } from './window-stats.js';

const WEEK_S = 7 * 86_400;
/** Columns of the BubbleUp kept in a report. */
const BUBBLEUP_COLUMNS = 5;
/** Columns BubbleUp examines (its own default). */
const MAX_BUBBLEUP_COLUMNS = 200;

/** The columns a derived-column expression names (`$name`, `$"name"`). */
function referenced(expression: string): Set<string> {
  const names = [...expression.matchAll(/\$(?:"((?:[^"\\]|\\.)*)"|`([^`]*)`|([\p{L}\p{N}_./:=+?-]+))/gu)];
  return new Set(names.map((m) => (m[1] !== undefined ? (JSON.parse(`"${m[1]}"`) as string) : (m[2] ?? m[3]))));
}

export interface DatasetReport {
  dataset: string;
  fields: { endpoint: string | null; customer: string | null; build: string | null; duration: string | null; error: string };
  totals: { before: Totals; after: Totals; week_before: Totals };
  /** Per minute from the start of the window before to the end of the window after. */
  series: SeriesPoint[];
  /** The builds seen after the deploy, with their events. */
  builds: { build: string; events: number }[];
  /** BubbleUp of the errors after the deploy against the rest of its events, when the error rate got worse. */
  bubbleup: ColumnDifference[] | null;
}

/** The shape exactly at the top level; what the windows held and how they were tested is in `windows`. */
export interface DeployReport {
  deploy: ReturnType<typeof deployJson>;
  status: 'pending' | 'done';
  windows: {
    before: SpanJson;
    after: SpanJson;
    week_before: SpanJson;
    datasets: DatasetReport[];
    statistics: { tests: number; alpha: number; correction: 'benjamini-hochberg'; error_rate: string; latency: string; throughput: string };
  };
  findings: Finding[];
}

interface SpanJson {
  start: string;
  end: string;
}

const iso = (s: number) => new Date(s * 1000).toISOString();
const spanJson = (s: Span): SpanJson => ({ start: iso(s.start), end: iso(s.end) });

export function spansOf(d: Deploy): { before: Span; after: Span; week_before: Span } {
  const t = Math.floor(d.time / 1000);
  const w = Math.round(d.windowMs / 1000);
  return { before: { start: t - w, end: t }, after: { start: t, end: t + w }, week_before: { start: t - WEEK_S, end: t - WEEK_S + w } };
}

export const STATISTICS = {
  correction: 'benjamini-hochberg' as const,
  error_rate: 'two-proportion z-test (pooled), each cell expecting at least 5 events',
  latency: 'share of events beyond the pooled quantile\'s bin edge (log bins of 0.05 decade), two-proportion z-test',
  throughput: 'events after given the total in both windows, binomial(1/2), normal approximation',
};

/** The report while the window has not passed yet. */
export function pendingReport(d: Deploy, alpha: number): DeployReport {
  const s = spansOf(d);
  return {
    deploy: deployJson(d), status: 'pending',
    windows: { before: spanJson(s.before), after: spanJson(s.after), week_before: spanJson(s.week_before), datasets: [], statistics: { tests: 0, alpha, ...STATISTICS } },
    findings: [],
  };
}

export async function makeReport(deps: QueryDeps, fieldsOf: DatasetFieldsOf, env: Environment, d: Deploy, alpha: number): Promise<DeployReport> {
  const spans = spansOf(d);
  const comparisons: Comparison[] = [];
  const datasets: (DatasetReport & { columns: string[] })[] = [];
  for (const name of d.datasets) {
    const ds = await deps.datasets.find(env.id, name);
    if (!ds) continue;
    const columns = new Set((await deps.store.columns(ds.id)).map((c) => c.name));
    const fields = fieldsOf(env.id, ds.name, columns);
    const has = (f: string) => (columns.has(f) ? f : null);
    const reader = new WindowReader(deps, env, ds.name, fields, columns.has(fields.duration_field));
    const [before, after, week] = [await reader.totals(spans.before), await reader.totals(spans.after), await reader.totals(spans.week_before)];
    const both = { start: spans.before.start, end: spans.after.end };
    const compare = async (kind: Kind, field: string, keys: Awaited<ReturnType<WindowReader['busiest']>>) => {
      const a = await reader.groups(spans.after, field, keys, after.scale);
      comparisons.push({ dataset: ds.name, kind, against: 'before', base: await reader.groups(spans.before, field, keys, before.scale), after: a });
      if (week.totals.events > 0) comparisons.push({ dataset: ds.name, kind, against: 'week_before', base: await reader.groups(spans.week_before, field, keys, week.scale), after: a });
    };
    if (has(fields.endpoint_field)) await compare('endpoint', fields.endpoint_field, await reader.busiest(both, fields.endpoint_field, MAX_ENDPOINTS));
    if (has(fields.customer_field)) await compare('customer', fields.customer_field, await reader.busiest(both, fields.customer_field, TOP_CUSTOMERS));
    let builds: { build: string; events: number }[] = [];
    if (has(fields.build_field)) {
      const keys = await reader.busiest(spans.after, fields.build_field, MAX_BUILDS);
      const stats = await reader.groups(spans.after, fields.build_field, keys, after.scale);
      builds = [...stats.groups].map(([build, g]) => ({ build, events: g.count })).sort((x, y) => y.events - x.events);
      // The deploy's build against the busiest other build running in the same window.
      const other = builds.find((b) => b.build !== d.build);
      if (stats.groups.has(d.build) && other) {
        comparisons.push({ dataset: ds.name, kind: 'build', against: 'other_builds', base: stats, after: stats, key: d.build, baseKey: other.build });
      }
    }
    datasets.push({
      dataset: ds.name, columns: [...columns],
      fields: { endpoint: has(fields.endpoint_field), customer: has(fields.customer_field), build: has(fields.build_field), duration: has(fields.duration_field), error: fields.error },
      totals: { before: before.totals, after: after.totals, week_before: week.totals },
      series: [...before.series, ...after.series],
      builds, bubbleup: null,
    });
  }
  const result = findings(comparisons, alpha);
  for (const r of datasets) {
    if (result.findings.some((f) => f.dataset === r.dataset && f.metric === 'error_rate' && f.verdict === 'worse')) {
      const b = await bubbleUp(deps, env, r.dataset, {
        baseline: { start_time: spans.after.start, end_time: spans.after.end, calculated_fields: [{ name: '__tend_error', expression: `IF(${r.fields.error}, 1, 0)` }] },
        selection: { filters: [{ column: '__tend_error', op: '=', value: 1 }] },
        // The columns that define an error would only say what an error is.
        columns: r.columns.filter((c) => !referenced(r.fields.error).has(c)).slice(0, MAX_BUBBLEUP_COLUMNS),
        top: 5,
      });
      r.bubbleup = b.columns.slice(0, BUBBLEUP_COLUMNS);
    }
  }
  return {
    deploy: deployJson({ ...d, status: 'done' }), status: 'done',
    windows: {
      before: spanJson(spans.before), after: spanJson(spans.after), week_before: spanJson(spans.week_before),
      datasets: datasets.map(({ columns: _columns, ...rest }) => rest),
      statistics: { tests: result.tests, alpha, ...STATISTICS },
    },
    findings: result.findings,
  };
}
