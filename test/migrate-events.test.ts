// `tend migrate --events`: an embedded folder's events (two datasets over two days) copied to
// ClickHouse with the same counts and sums per dataset and day; a run cut short, with a day then
// copied twice, ends exact after a rerun; the folder is left as it was. Once into one server, once
// into a cluster of two shards (where a day's count is the shards' sum and a day is dropped on each).
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateEvents } from '../src/store/migrate-events.js';
import { ClickHouseEventStore } from '../src/store/clickhouse/clickhouse-event-store.js';
import { connectClickHouse, parseClickHouseUrl } from '../src/store/clickhouse/connection.js';
import { startClickHouseCluster, type ClickHouseCluster } from '../bench/clickhouse.js';
import { clickHouseEventsUrl, stopClickHouseServer } from './support/event-stores.js';
import { runTend } from './support/cli.js';
import { spawnTend, tempDataDir } from './support/tend.js';

let cluster: ClickHouseCluster | undefined;
afterAll(async () => {
  await stopClickHouseServer();
  await cluster?.stop();
});

const DAY_MS = 86_400_000;
const today = Math.floor(Date.now() / DAY_MS);
/** Two whole past days, so no event is in the future whatever the hour. */
const days = [today - 2, today - 1];
/** Events written per dataset per day (index into `days`). */
const WRITTEN: Record<string, number[]> = { api: [30, 20], jobs: [5, 7] };
const msOf = (dataset: string, d: number, i: number) => (dataset === 'api' ? 10 : 1000) * (d + 1) + i;
const TRACE_IDS = ['0af7651916cd43dd8448eb211c80319c', '1bf7651916cd43dd8448eb211c80319d'];
const dayText = (d: number) => new Date(days[d] * DAY_MS).toISOString().slice(0, 10);

describe('tend migrate --events', () => {
  it('copies every dataset-day with matching counts and sums, resumes after an interruption, leaves the folder as it was', async () => {
    await migrateAndCheck(await clickHouseEventsUrl());
  }, 60_000);

  it('does the same into a cluster of two shards', async () => {
    cluster = await startClickHouseCluster(2);
    if (!cluster) throw new Error('clickhouse-server is missing: run scripts/ensure-test-tools.sh');
    await migrateAndCheck(`${cluster.shards[0].url.replace('http://', 'clickhouse://default:@')}/migrated?cluster=${cluster.name}`);
  }, 90_000);

  it('asks for a target', async () => {
    const run = await runTend(['migrate', '--from', tempDataDir('migrate-none')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/--meta, --events or both/);
  });
});

async function migrateAndCheck(url: string): Promise<void> {
  const dataDir = tempDataDir('migrate-events');
  // A `tend serve` of its own, stopped before the copy, as a user would.
  const t = await spawnTend(dataDir);
  const post = async (route: string, body: unknown) => {
    const res = await fetch(`${t.url}${route}`, { method: 'POST', headers: { 'x-honeycomb-team': t.ingestKey, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
    return res.json();
  };
  for (const [dataset, perDay] of Object.entries(WRITTEN)) {
    const batch = perDay.flatMap((n, d) =>
      Array.from({ length: n }, (_, i) => ({
        time: new Date(days[d] * DAY_MS + 3_600_000 + i * 1000).toISOString(),
        // A capital in a name: spelled out in DuckDB, carried to ClickHouse as it was sent.
        data: { ms: msOf(dataset, d, i), UserId: `u${i % 3}`, ok: i % 2 === 0 },
      })),
    );
    expect(await post(`/1/batch/${dataset}`, batch)).toEqual(batch.map(() => ({ status: 202 })));
  }
  // One span a day over OTLP: dataset "checkout", and an entry a day in the trace index.
  const span = (d: number) => ({ traceId: TRACE_IDS[d], spanId: '0102030405060708', name: 'pay', startTimeUnixNano: `${days[d] * DAY_MS + 7_200_000}000000`, endTimeUnixNano: `${days[d] * DAY_MS + 7_200_001}000000` });
  await post('/v1/traces', { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'checkout' } }] }, scopeSpans: [{ spans: days.map((_, d) => span(d)) }] }] });
  await t.stop();
  const file = path.join(dataDir, 'tend.duckdb');
  const digest = () => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  const untouched = digest();

  // Cut short after the first day copied.
  await expect(migrateEvents(dataDir, url, (done) => {
    if (done > 0) throw new Error('interrupted');
  })).rejects.toThrow('interrupted');
  const client = await connectClickHouse(parseClickHouseUrl(url));
  const store = await ClickHouseEventStore.open(url);
  try {
    // ... and what it copied copied a second time, as a run that died before its count.
    // (On a cluster, into the first shard's own tables: the Distributed ones take no inserts.)
    const all = await (await client.query({ query: `SELECT name FROM system.tables WHERE database = currentDatabase() AND startsWith(name, 'ev_')`, format: 'JSONEachRow' })).json<{ name: string }>();
    const local = all.filter((t) => t.name.endsWith('_local'));
    const tables = local.length ? local : all;
    expect(tables.length).toBeGreaterThan(0);
    for (const { name } of tables) await client.command({ query: `INSERT INTO ${name} SELECT * FROM ${name}` });

    let last = [0, 0];
    const counts = await migrateEvents(dataDir, url, (done, total) => (last = [done, total]));
    expect(last[0]).toBe(last[1]);
    const events = counts.filter((c) => c.dataset);
    const expected = Object.entries({ ...WRITTEN, checkout: [1, 1] }).flatMap(([dataset, perDay]) => perDay.map((n, d) => ({ dataset: `production/${dataset}`, day: dayText(d), from: n, to: n })));
    const byKey = (a: { dataset?: string; day: string }, b: { dataset?: string; day: string }) => `${a.dataset}${a.day}`.localeCompare(`${b.dataset}${b.day}`);
    expect(events.map(({ dataset, day, from, to }) => ({ dataset, day, from, to })).sort(byKey)).toEqual(expected.sort(byKey));
    expect(counts.filter((c) => c.from !== c.to)).toEqual([]);
    expect(counts.filter((c) => c.table === 'trace_index').map((c) => [c.day, c.to])).toEqual([[dayText(0), 1], [dayText(1), 1]]);

    // What ClickHouse holds, read through the store: counts, sums and the capitalised field per dataset and day.
    for (const [dataset, perDay] of Object.entries(WRITTEN)) {
      const table = events.find((c) => c.dataset === `production/${dataset}`)!.table;
      const rows = await store.read(
        `SELECT intDiv(__time, 86400000000) AS day, count() AS n, sum(ms) AS ms, uniqExact(UserId) AS users, countIf(ok = 1) AS oks FROM ${table} GROUP BY day ORDER BY day`,
        [],
        { timeoutMs: 10_000 },
      );
      expect(rows.map((r) => ({ day: Number(r.day), n: Number(r.n), ms: Number(r.ms), users: Number(r.users), oks: Number(r.oks) }))).toEqual(
        perDay.map((n, d) => ({
          day: days[d],
          n,
          ms: Array.from({ length: n }, (_, i) => msOf(dataset, d, i)).reduce((a, b) => a + b, 0),
          users: 3,
          oks: Math.ceil(n / 2),
        })),
      );
    }
    const [{ env }] = await (await client.query({ query: 'SELECT any(env_id) AS env FROM trace_index', format: 'JSONEachRow' })).json<{ env: string }>();
    const checkout = events.find((c) => c.dataset === 'production/checkout')!.table.slice('ev_'.length);
    expect((await store.traces.lookup(env, TRACE_IDS[1])).map((e) => e.datasetId)).toEqual([checkout]);
  } finally {
    await store.close();
    await client.close();
  }
  // The command, once more over the finished copy: every day is skipped and its counts printed.
  const run = await runTend(['migrate', '--from', dataDir, '--events', url, '--json']);
  expect(run.code).toBe(0);
  const printed = JSON.parse(run.stdout) as { days: { dataset?: string; day: string; from: number; to: number }[]; ok: boolean };
  expect(printed.ok).toBe(true);
  expect(printed.days.filter((d) => d.dataset === 'production/jobs').map((d) => [d.day, d.from, d.to])).toEqual([[dayText(0), 5, 5], [dayText(1), 7, 7]]);
  expect(digest()).toBe(untouched);
}
