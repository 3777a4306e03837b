// Tend on a ClickHouse cluster: two shards on loopback (Debian's 18.16 twice, one <remote_servers>
// cluster, bench/clickhouse.ts) behind Distributed tables, written through two Tend nodes sharing
// one PostgreSQL, answer the same queries, BubbleUp and trace look-ups as one ClickHouse server
// holding the same events through one node; the events are spread over both shards.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouseCluster, type ClickHouseCluster } from '../bench/clickhouse.js';
import { loadConfig } from '../src/config.js';
import { startTend, type Tend } from '../src/server/index.js';
import { startPostgres, type PgCluster } from './support/postgres.js';
import { tempDataDir } from './support/tend.js';

const KEYS = { TEND_ADMIN_KEY: 'admin-key-of-the-shards-test', TEND_INGEST_KEY: 'ingest-key-of-the-shards-test' };
/** 2026-11-20T10:00:00Z, in seconds. */
const T0 = Date.UTC(2026, 10, 20, 10) / 1000;
const WINDOW = { start_time: T0, end_time: T0 + 3600, granularity: 60 };
const SERVICES = ['api', 'web', 'worker'];
const TRACE = 'cd'.repeat(16);
const traceId = (n: number) => n.toString(16).padStart(32, '0');

let cluster: ClickHouseCluster;
let pg: PgCluster;
/** Two nodes on the cluster, sharing PostgreSQL. */
const nodes: Tend[] = [];
/** One node on one server (the first shard's server, another database, no cluster). */
let single: Tend;

interface Sent {
  time: string;
  samplerate: number;
  data: Record<string, string | number | boolean>;
}

/** 1,200 spans in 300 traces over the hour; fields that first arrive half way become new columns on every shard. */
const events: Sent[] = Array.from({ length: 1200 }, (_, i) => {
  const late = i >= 600;
  return {
    time: new Date((T0 + i * 3) * 1000).toISOString(),
    samplerate: [1, 2, 5][i % 3],
    data: {
      'service.name': SERVICES[i % 3],
      'trace.trace_id': traceId(Math.floor(i / 4)),
      'trace.span_id': `s${i}`,
      ...(i % 4 ? { 'trace.parent_id': `s${i - (i % 4)}` } : {}),
      name: `op${i % 4}`,
      endpoint: `/e${i % 7}`,
      duration_ms: ((i * 37) % 400) + (i % 5) / 4,
      status_code: i % 11 === 0 ? 500 : 200,
      customer_id: `c${(i * 13) % 97}`,
      ...(late ? { build_id: `b${i % 3}`, cache_hit: i % 2 === 0 } : {}),
    },
  };
});

async function call(node: Tend, method: string, route: string, body?: unknown, key = KEYS.TEND_ADMIN_KEY) {
  const res = await fetch(`${node.url}${route}`, { method, headers: { 'x-honeycomb-team': key, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function send(node: Tend, route: string, body: unknown): Promise<void> {
  const r = await call(node, 'POST', route, body, KEYS.TEND_INGEST_KEY);
  expect(r.status).toBe(200);
  if (Array.isArray(r.body)) expect(r.body.every((s: { status: number }) => s.status === 202)).toBe(true);
}

async function startNode(events: string, meta?: string): Promise<Tend> {
  return startTend(loadConfig({ port: 0, grpcPort: 'off', logLevel: 'error', data: tempDataDir('shards'), meta, events }, {}), KEYS);
}

/** An OTLP span of TRACE, for the trace index (the Honeycomb API's spans are found by scanning). */
function otlpSpan(service: string, id: string, parent: string | undefined, startS: number, durationMs: number) {
  const ns = (s: number) => String(BigInt(Math.round(s * 1e6)) * 1000n);
  return {
    resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] },
    scopeSpans: [{ spans: [{ traceId: TRACE, spanId: id.repeat(8), parentSpanId: parent?.repeat(8), name: `${service} ${id}`, startTimeUnixNano: ns(startS), endTimeUnixNano: ns(startS + durationMs / 1000) }] }],
  };
}

/** Numbers rounded to 9 significant digits: shards sum floats in another order than one server. */
function rounded(value: unknown): unknown {
  if (typeof value === 'number') return Number.isInteger(value) ? value : Number(value.toPrecision(9));
  if (Array.isArray(value)) return value.map(rounded);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, rounded(v)]));
  return value;
}

/** The totals of a query's answer. */
function rowsOf<T = Record<string, unknown>>(body: Record<string, unknown>): T[] {
  return (body.data as { results: { data: T }[] }).results.map((r) => r.data);
}

/** The answer of the same request from a cluster node and from the one-server node, asserted equal. */
async function same(method: string, route: string, body: unknown, via = 0): Promise<{ status: number; body: Record<string, unknown> }> {
  const [sharded, one] = await Promise.all([call(nodes[via], method, route, body), call(single, method, route, body)]);
  expect(one.status).toBe(200);
  expect(sharded.status).toBe(200);
  // Timings differ between runs; everything else must not.
  const strip = (b: Record<string, unknown>) => {
    const copy = { ...b };
    for (const key of ['meta', 'metadata']) if (copy[key]) copy[key] = { ...(copy[key] as object), duration_ms: undefined };
    return rounded(copy);
  };
  expect(strip(sharded.body)).toEqual(strip(one.body));
  return sharded;
}

beforeAll(async () => {
  const started = await startClickHouseCluster(2);
  if (!started) throw new Error('clickhouse-server is missing: run scripts/ensure-test-tools.sh');
  cluster = started;
  pg = await startPostgres();
  const base = cluster.shards[0].url.replace('http://', 'clickhouse://default:@');
  nodes.push(await startNode(`${base}/tend?cluster=${cluster.name}`, pg.url('shards')));
  nodes.push(await startNode(`${base}/tend?cluster=${cluster.name}`, pg.url('shards')));
  single = await startNode(`${base}/single`);
  // Batches of 50 to the two nodes in turn (and all to the one-server node), one request at a time per node.
  for (let from = 0, k = 0; from < events.length; from += 50, k++) {
    const batch = events.slice(from, from + 50);
    await Promise.all([send(nodes[k % 2], '/1/batch/spans', batch), send(single, '/1/batch/spans', batch)]);
  }
  // One trace's spans through both nodes: its index entries land on both shards.
  const traceStart = T0 + 1800;
  await send(nodes[0], '/v1/traces', { resourceSpans: [otlpSpan('front', '01', undefined, traceStart, 300)] });
  await send(nodes[1], '/v1/traces', { resourceSpans: [otlpSpan('back', '02', '01', traceStart + 0.05, 200), otlpSpan('db', '03', '02', traceStart + 0.1, 20)] });
  await send(single, '/v1/traces', { resourceSpans: [otlpSpan('front', '01', undefined, traceStart, 300), otlpSpan('back', '02', '01', traceStart + 0.05, 200), otlpSpan('db', '03', '02', traceStart + 0.1, 20)] });
}, 120_000);

afterAll(async () => {
  for (const n of nodes) await n.close();
  await single?.close();
  await pg?.stop();
  await cluster?.stop();
});

describe('Tend on two ClickHouse shards', () => {
  it('spreads the events over both shards, each holding whole batches', async () => {
    const counts: number[] = [];
    for (const shard of cluster.shards) {
      const table = (await shard.query("SELECT name FROM system.tables WHERE database = 'tend' AND name LIKE 'ev\\\\_%\\\\_local' AND engine = 'MergeTree' FORMAT TSV")).trim().split('\n');
      const n = await Promise.all(table.map(async (t) => Number((await shard.query(`SELECT count() FROM tend.\`${t}\``)).trim())));
      counts.push(n.reduce((a, b) => a + b, 0));
    }
    // 24 batches in turn: 12 on each shard, plus the spans of the OTLP trace.
    expect(counts[0] + counts[1]).toBe(events.length + 3);
    expect(counts.every((n) => n >= 600)).toBe(true);
  });

  it('answers weighted counts, sums, averages, extremes, percentiles and distinct counts as one server does', async () => {
    const spec = {
      ...WINDOW,
      breakdowns: ['service.name'],
      calculations: [
        { op: 'COUNT' }, { op: 'SUM', column: 'duration_ms' }, { op: 'AVG', column: 'duration_ms' }, { op: 'MIN', column: 'duration_ms' },
        { op: 'MAX', column: 'duration_ms' }, { op: 'P50', column: 'duration_ms' }, { op: 'P99', column: 'duration_ms' }, { op: 'COUNT_DISTINCT', column: 'customer_id' },
      ],
    };
    const r = await same('POST', '/api/v1/query/spans', spec, 1);
    // The values themselves, computed here from what was sent.
    const results = rowsOf<{ 'service.name': string; COUNT: number; 'P99(duration_ms)': number; 'COUNT_DISTINCT(customer_id)': number }>(r.body);
    for (const service of SERVICES) {
      const mine = events.filter((e) => e.data['service.name'] === service);
      const row = results.find((x) => x['service.name'] === service)!;
      expect(row.COUNT).toBe(mine.reduce((n, e) => n + e.samplerate, 0));
      expect(row['COUNT_DISTINCT(customer_id)']).toBe(new Set(mine.map((e) => e.data.customer_id)).size);
      // Weighted nearest rank: the smallest duration whose cumulative sample rate reaches 99%.
      const sorted = mine.map((e) => [e.data.duration_ms as number, e.samplerate] as const).sort((a, b) => a[0] - b[0]);
      const total = sorted.reduce((n, [, w]) => n + w, 0);
      let seen = 0;
      const p99 = sorted.find(([, w]) => (seen += w) >= 0.99 * total)![0];
      expect(row['P99(duration_ms)']).toBe(p99);
    }
  });

  it('answers heatmaps, concurrency, filters, orders and limits, and columns that arrived half way, as one server does', async () => {
    await same('POST', '/api/v1/query/spans', { ...WINDOW, calculations: [{ op: 'HEATMAP', column: 'duration_ms' }, { op: 'CONCURRENCY' }] });
    const top = await same('POST', '/api/v1/query/spans', {
      ...WINDOW, breakdowns: ['endpoint'], calculations: [{ op: 'COUNT' }, { op: 'P95', column: 'duration_ms' }],
      filters: [{ column: 'status_code', op: '=', value: 500 }], orders: [{ op: 'COUNT', order: 'descending' }], limit: 3,
    });
    const errorsPerEndpoint = new Map<unknown, number>();
    for (const e of events) if (e.data.status_code === 500) errorsPerEndpoint.set(e.data.endpoint, (errorsPerEndpoint.get(e.data.endpoint) ?? 0) + e.samplerate);
    expect(rowsOf(top.body).map((x) => x.COUNT)).toEqual([...errorsPerEndpoint.values()].sort((a, b) => b - a).slice(0, 3));
    const late = await same('POST', '/api/v1/query/spans', { ...WINDOW, breakdowns: ['build_id', 'cache_hit'], calculations: [{ op: 'COUNT' }, { op: 'AVG', column: 'duration_ms' }] }, 1);
    const sentLate = events.filter((e) => e.data.build_id === 'b0' && e.data.cache_hit === true).reduce((n, e) => n + e.samplerate, 0);
    expect(rowsOf<{ build_id: string; cache_hit: boolean; COUNT: number }>(late.body).find((x) => x.build_id === 'b0' && x.cache_hit === true)?.COUNT).toBe(sentLate);
  });

  it('finds the same raw events, and reads every dataset at once, as one server does', async () => {
    const found = await same('POST', '/api/v1/events/spans/search', { start_time: T0, end_time: T0 + 3600, filters: [{ column: 'status_code', op: '=', value: 500 }], limit: 20 });
    const newest = events.filter((e) => e.data.status_code === 500).at(-1)!;
    expect((found.body.events as { data: Record<string, unknown> }[])[0].data['trace.span_id']).toBe(newest.data['trace.span_id']);
    const all = await same('POST', '/api/v1/query/__all__', { ...WINDOW, breakdowns: ['service.name'], calculations: [{ op: 'COUNT' }] }, 1);
    expect(rowsOf<{ 'service.name': string; COUNT: number }>(all.body).find((x) => x['service.name'] === 'db')?.COUNT).toBe(1);
  });

  it('ranks the same BubbleUp columns and values as one server', async () => {
    const r = await same('POST', '/api/v1/bubbleup/spans', {
      baseline: { start_time: T0, end_time: T0 + 3600 },
      selection: { start_time: T0, end_time: T0 + 3600, filters: [{ column: 'status_code', op: '=', value: 500 }] },
    });
    expect((r.body.columns as { column: string }[])[0].column).toBe('status_code');
  });

  it('finds a trace whose spans came through both nodes, from either node', async () => {
    for (const via of [0, 1]) {
      const r = await same('GET', `/api/v1/traces/${TRACE}`, undefined, via);
      expect(r.body.span_count).toBe(3);
      expect((r.body.services as { service: string }[]).map((s) => s.service).sort()).toEqual(['back', 'db', 'front']);
    }
    // Its spans came in two batches, through both nodes.
    const scanned = await same('GET', `/api/v1/traces/${traceId(12)}`, undefined, 1);
    expect(scanned.body.span_count).toBe(4);
  });
});
