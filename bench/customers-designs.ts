// bench:customers-designs (issue 15 item 3): the designs tried for the customers list and
// the page's everyone figures, side by side on bench:customers' data (10,000,000 events, one
// day, 200,000 customers), each step timed ROUNDS times in the same process, answers compared.
//
// The list's slow threshold (no SLO: the window's P99):
//   engine   the query engine's exact P99 (collects every value of the window)
//   fast     src/customers/quantile.ts: count + a sample's bound, then the m-th largest above it
// The list's ranking, given the threshold:
//   one pass   one grouped query over every event, by customer (the first design)
//   hurt first src/customers/most-affected.ts: the failing or slow requests grouped by
//              customer and cut to the top 20, then those customers' events: read from the
//              events, or kept per hour (customer-events.ts; warm: each hour's count checked)
// Everyone's figures on a page (totals and 5-minute series, histogram percentiles):
//   engine     one query over every event of the window
//   rollups    src/customers/everyone.ts, cold (a fresh start: every hour read) and warm
//              (each hour's count checked, only the partial edge hours read)
// And the size per-customer rollups would have: distinct (customer, hour) pairs.
//
// Settings (env): BENCH_EVENTS (10000000), BENCH_ROUNDS (5), BENCH_DATA_DIR (as bench:customers;
// the data must exist: run `BENCH_DATA_DIR=... npm run bench:customers` once).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runQuery, type QuerySpec } from '../src/query/index.js';
import { CustomerEvents } from '../src/customers/customer-events.js';
import { EveryoneRollups } from '../src/customers/everyone.js';
import { fastExactQuantile } from '../src/customers/quantile.js';
import type { DatasetContext } from '../src/customers/context.js';
import { median, recordResult } from './report.js';
import { startTestTend } from '../test/support/tend.js';

const TOTAL = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const dir = path.join(process.env.BENCH_DATA_DIR ?? '/tmp/cbench', `customers-${TOTAL}`);
const { endMs } = JSON.parse(fs.readFileSync(path.join(dir, 'window.json'), 'utf8')) as { endMs: number };

const t = await startTestTend({ data: dir });
const env = (await t.tend.auth.environment('production'))!;
const dataset = (await t.tend.datasets.find(env.id, 'api'))!;
const deps = { store: t.tend.store, datasets: t.tend.datasets };
const w = { start_time: endMs / 1000 - 86_400, end_time: endMs / 1000 };
const opts = { timeoutMs: 600_000, series: false };
const errorField = { name: '__tend_error', expression: 'IF(GTE($status_code, 500), 1, 0)' };

const figures: Record<string, number[]> = {};
async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const out = await work();
  (figures[label] ??= []).push(performance.now() - started);
  return out;
}

const enginePercentile = async () => Number((await runQuery(deps, env, 'api', { ...w, calculations: [{ op: 'P99', column: 'duration_ms' }] }, opts)).data.results[0].data['P99(duration_ms)']);
const listSpec = (threshold: number): QuerySpec => ({
  ...w,
  calculated_fields: [errorField, { name: '__tend_slow', expression: `IF(GT($duration_ms, ${threshold}), 1, 0)` }, { name: '__tend_score', expression: 'SUM($__tend_error, $__tend_slow)' }],
  calculations: [{ op: 'COUNT', name: 'events' }, { op: 'SUM', column: '__tend_error', name: 'errors' }, { op: 'SUM', column: '__tend_slow', name: 'slow' }, { op: 'SUM', column: '__tend_score', name: 'score' }],
  breakdowns: ['customer_id'], filters: [{ column: 'customer_id', op: 'exists' }],
  orders: [{ op: 'SUM', column: '__tend_score', order: 'descending' }], limit: 20,
});
const rows = async (spec: QuerySpec) => (await runQuery(deps, env, 'api', spec, opts)).data.results.map((r) => r.data);

const columns = await t.tend.store.columns(dataset.id);
const ctx: DatasetContext = {
  dataset: 'api', datasetId: dataset.id,
  fields: { customer_field: 'customer_id', endpoint_field: 'endpoint', build_field: 'build_id', duration_field: 'duration_ms', error: 'GTE($status_code, 500)' },
  columns: new Set(columns.map((c) => c.name)), columnTypes: new Map(columns.map((c) => [c.name, c.type])), errorField, options: {},
};
const pageSpec: QuerySpec = { ...w, calculated_fields: [errorField], calculations: [{ op: 'COUNT', name: 'events' }, { op: 'SUM', column: '__tend_error', name: 'errors' }, ...(['P50', 'P95', 'P99'] as const).map((op) => ({ op, column: 'duration_ms', name: op.toLowerCase() }))] };

let same = true;
const warm = new EveryoneRollups(t.tend.store);
const kept = new CustomerEvents(t.tend.store);
for (let round = 0; round < ROUNDS; round++) {
  const exact = await timed('threshold: engine P99', enginePercentile);
  const fast = await timed('threshold: fast exact P99', () => fastExactQuantile(t.tend.store, dataset.id, { name: 'duration_ms', type: 'float' }, 0.99, w, 600_000));
  same &&= fast?.value === exact;

  const spec = listSpec(exact);
  const onePass = await timed('ranking: one pass', () => rows(spec));
  const hurt = await timed('ranking: hurt first (hurt requests)', () => rows({ ...spec, filters: [...spec.filters!, { column: '__tend_score', op: '>', value: 0 }] }));
  const ids = hurt.map((r) => r.customer_id as string);
  const totals = await timed('ranking: hurt first (their events)', () => rows({ ...w, calculations: [{ op: 'COUNT', name: 'events' }], breakdowns: ['customer_id'], filters: [{ column: 'customer_id', op: 'in', value: ids }], limit: ids.length }));
  const events = new Map(totals.map((r) => [r.customer_id, r.events]));
  same &&= JSON.stringify(onePass) === JSON.stringify(hurt.map((r) => ({ ...r, events: events.get(r.customer_id) })));
  if (round === 0) await kept.of(ctx, w, ids, 600_000);
  const fromKept = await timed('ranking: hurt first (their events, kept)', () => kept.of(ctx, w, ids, 600_000));
  same &&= ids.every((id) => fromKept.get(id) === events.get(id));

  const all = await timed('everyone: engine, one pass', () => runQuery(deps, env, 'api', pageSpec, { timeoutMs: 600_000, approximatePercentiles: true }));
  const cold = await timed('everyone: rollups, cold', () => new EveryoneRollups(t.tend.store).figures(ctx, w, all.metadata.granularity, 600_000));
  same &&= cold?.total.events === all.data.results[0].data.events;
  if (round === 0) await warm.figures(ctx, w, all.metadata.granularity, 600_000);
  await timed('everyone: rollups, warm', () => warm.figures(ctx, w, all.metadata.granularity, 600_000));
}

const source = (await t.tend.store.source([dataset.id], w.start_time * 1e6, w.end_time * 1e6))!;
const pairs = await t.tend.store.read(`SELECT count(*) AS n FROM (SELECT DISTINCT "customer_id", epoch_us("__time") // 3600000000 FROM ${source})`, [], { timeoutMs: 600_000 });

const out = Object.entries(figures).map(([label, ms]) => ({ label, medianMs: median(ms), maxMs: Math.max(...ms) }));
for (const f of out) console.log(`${f.label.padEnd(40)} ${`${f.medianMs.toFixed(0)} ms`.padStart(9)} ${`${f.maxMs.toFixed(0)} ms`.padStart(9)}`);
const get = (label: string) => out.find((f) => f.label === label)!.medianMs;
const before = get('threshold: engine P99') + get('ranking: one pass');
const after = get('threshold: fast exact P99') + get('ranking: hurt first (hurt requests)') + get('ranking: hurt first (their events)');
const warmAfter = after - get('ranking: hurt first (their events)') + get('ranking: hurt first (their events, kept)');
console.log(`list, first design (engine P99 + one pass): ${before.toFixed(0)} ms; now (fast P99 + hurt first): ${after.toFixed(0)} ms (${(after / before).toFixed(2)}), ${warmAfter.toFixed(0)} ms with the customers' counts kept`);
console.log(`per-customer hourly rollups would hold ${Number(pairs[0].n).toLocaleString()} rows for ${TOTAL.toLocaleString()} events`);
console.log(`answers the same across designs: ${same ? 'yes' : 'NO'}; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} cores`);
recordResult('customers-designs', { events: TOTAL, rounds: ROUNDS, loadAverage: os.loadavg(), same, customerHourPairs: Number(pairs[0].n), steps: out, listBeforeMs: before, listAfterMs: after, listAfterKeptMs: warmAfter });
await t.close();
