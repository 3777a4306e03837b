// Loads the query benchmark's events fast: the dataset's columns and day tables are made by
// one ordinary store.append() per day (so the store knows them as if ingested), then each day
// table is filled by one DuckDB INSERT ... SELECT that generates its rows in SQL. The fields,
// value sets and distributions follow bench/generator.ts (the ingest benchmark's events);
// values come from hash(i, field), so a run with the same count sees the same events.
import type { Dataset, EventStore, MetaStore } from '../src/store/index.js';
import { ENDPOINTS, METHODS, PLANS, REGIONS, SERVICES } from './generator.js';

export const SPAN_DAYS = 8;
const DAY_MS = 86_400_000;

const list = (values: string[]) => `[${values.map((v) => `'${v}'`).join(', ')}]`;

/** The seed event that fixes each column's type (floats written as floats). */
const SEED = {
  service: 'api', endpoint: ENDPOINTS[0], method: 'GET', status_code: 200, duration_ms: 12.5, customer_id: 'cust_1',
  build_id: 'build_1000', region: REGIONS[0], host: 'ip-10-0-0-1', 'user.plan': 'free', 'db.query_count': 1,
  'db.duration_ms': 1.25, cache_hit: true, error: false, response_bytes: 100, 'trace.trace_id': '0'.repeat(32),
  'trace.span_id': '0'.repeat(16), 'app.version': '2.0.0', user_agent: 'client/1.0', retry: false,
};

/** A uniform number in [0, 1) for event i and field k. */
const u = (k: number) => `(hash(i, ${k}) / 18446744073709551616.0)`;

function rowsSql(total: number, baseUs: number, spanUs: number): string {
  return `
    WITH g AS (
      SELECT i, ${u(1)} AS r, make_timestamp(${baseUs}::BIGINT + (i * ${spanUs}::HUGEINT // ${total})::BIGINT) AS t
      FROM range($1::BIGINT, $2::BIGINT) AS s(i)
    ), s AS (
      SELECT *, CASE WHEN r < 0.9 THEN 200 WHEN r < 0.95 THEN 404 WHEN r < 0.98 THEN 400 WHEN r < 0.995 THEN 500 ELSE 503 END AS status,
        exp(3 + ${u(2)} * 1.5 + CASE WHEN r >= 0.98 THEN 1.5 ELSE 0 END) * (0.5 + ${u(3)}) AS d
      FROM g WHERE t >= make_timestamp($3::BIGINT) AND t < make_timestamp($4::BIGINT)
    )
    SELECT t AS "__time", 1::BIGINT AS "__samplerate",
      ${list(SERVICES)}[1 + i % ${SERVICES.length}] AS service,
      ${list(ENDPOINTS)}[1 + floor(${u(4)} ^ 2 * ${ENDPOINTS.length})::BIGINT] AS endpoint,
      ${list(METHODS)}[1 + floor(${u(5)} * ${METHODS.length})::BIGINT] AS method,
      status::BIGINT AS status_code,
      round(d, 3) AS duration_ms,
      'cust_' || floor(${u(6)} ^ 3 * 200000)::BIGINT AS customer_id,
      'build_' || (1000 + floor(${u(7)} * 300)::BIGINT) AS build_id,
      ${list(REGIONS)}[1 + floor(${u(8)} * ${REGIONS.length})::BIGINT] AS region,
      'ip-10-0-' || floor(${u(9)} * 8)::BIGINT || '-' || floor(${u(10)} * 250)::BIGINT AS host,
      ${list(PLANS)}[1 + floor(${u(11)} ^ 2 * ${PLANS.length})::BIGINT] AS "user.plan",
      floor(${u(12)} * 12)::BIGINT AS "db.query_count",
      round(d * ${u(13)} * 100) / 100 AS "db.duration_ms",
      ${u(14)} < 0.7 AS cache_hit,
      status >= 500 AS error,
      floor(${u(15)} * 50000)::BIGINT AS response_bytes,
      lpad(lower(hex(hash(i, 16))), 16, '0') || lpad(lower(hex(hash(i, 17))), 16, '0') AS "trace.trace_id",
      lpad(lower(hex(hash(i, 18))), 16, '0') AS "trace.span_id",
      '2.' || floor(${u(19)} * 20)::BIGINT || '.' || floor(${u(20)} * 10)::BIGINT AS "app.version",
      'client/' || (1 + floor(${u(21)} * 5)::BIGINT) || '.' || floor(${u(22)} * 10)::BIGINT AS user_agent,
      floor(${u(23)} * 10) = 0 AS retry
    FROM s`;
}

export interface LoadedWindow {
  /** The events span [startMs, endMs). */
  startMs: number;
  endMs: number;
}

/**
 * Stores `total` events (plus one seed event per day) spread evenly over the `spanDays` days
 * (default SPAN_DAYS) before `endMs`, calling `progress` after each day.
 */
export async function loadBenchEvents(
  store: EventStore,
  meta: MetaStore,
  dataset: Dataset,
  total: number,
  endMs: number,
  progress: (done: number) => void = () => undefined,
  spanDays = SPAN_DAYS,
): Promise<LoadedWindow> {
  const spanMs = spanDays * DAY_MS;
  const startMs = endMs - spanMs;
  const firstDay = Math.floor(startMs / DAY_MS);
  const lastDay = Math.floor((endMs - 1) / DAY_MS);
  // One ordinary append per day makes the columns and the day table, as ingest would.
  const seeds = [];
  for (let day = firstDay; day <= lastDay; day++) seeds.push({ time: Math.max(day * DAY_MS, startMs) * 1000, samplerate: 1, fields: SEED });
  await store.append([{ dataset, events: seeds }]);
  const sql = rowsSql(total, startMs * 1000, spanMs * 1000);
  let done = 0;
  for (let day = firstDay; day <= lastDay; day++) {
    const from = Math.max(day * DAY_MS, startMs);
    const to = Math.min((day + 1) * DAY_MS, endMs);
    const table = await store.source([dataset.id], from * 1000, from * 1000 + 1);
    // The rows of this day: i where startMs + i * spanMs / total falls in [from, to), give or take one.
    const lo = Math.max(0, Math.floor(((from - startMs) * total) / spanMs) - 1);
    const hi = Math.min(total, Math.ceil(((to - startMs) * total) / spanMs) + 1);
    await meta.query(`INSERT INTO ${table} BY NAME ${sql}`, [lo, hi, from * 1000, to * 1000]);
    done += hi - lo;
    progress(Math.min(done, total));
  }
  await meta.query('CHECKPOINT');
  return { startMs, endMs };
}
