// A query that drops groups (a having, or a limit below the default) is compiled in two passes:
// totals first, then the series of the groups it keeps (src/query/compile.ts). Its answer must
// be exactly what the one-pass statement answers for the same groups: every calculation that
// has its own part of the statement (percentiles exact and weighted, HEATMAP, CONCURRENCY,
// COUNT_DISTINCT, RATE_*), groups with a missing breakdown value, and groups past the limit.
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseQuerySpec, runQuery, type QueryDeps, type QueryResult } from '../src/query/index.js';
import { DatasetRegistry, DuckDatabase, DuckEventStore, type Environment, type StoredEvent } from '../src/store/index.js';
import { tempDataDir } from './support/tend.js';

const T0 = Date.UTC(2026, 10, 20, 10) / 1000;
const env: Environment = { id: 'env-cut', name: 'cut', slug: 'cut' };
let db: DuckDatabase;
let deps: QueryDeps;
let dataDir: string;

/** 3,000 events over two hours in 25 customers (and some without one), sampled or not. */
function events(sampled: boolean): StoredEvent[] {
  const out: StoredEvent[] = [];
  for (let i = 0; i < 3000; i++) {
    // A fixed scramble of i: the same events every run, spread over customers, times and values.
    const h = (i * 2654435761) % 4294967296;
    const fields: Record<string, unknown> = { dur: (h % 977) / 4, status: h % 7 === 0 ? 500 : 200, endpoint: `/e${h % 5}` };
    if (i % 13 !== 0) fields.customer = `c${(h >>> 8) % 25}`;
    out.push({ time: (T0 + ((h >>> 4) % 7200)) * 1e6 + (i % 1000), samplerate: sampled && i % 3 === 0 ? 4 : 1, fields: fields as StoredEvent['fields'] });
  }
  return out;
}

beforeAll(async () => {
  dataDir = tempDataDir('query-cut');
  db = await DuckDatabase.open(dataDir);
  deps = { store: await DuckEventStore.open(db), datasets: await DatasetRegistry.open(db) };
  for (const [name, sampled] of [['plain', false], ['sampled', true]] as const) {
    const dataset = await deps.datasets.findOrCreate(env.id, name);
    await deps.store.append([{ dataset, events: events(sampled) }]);
  }
});
afterAll(() => {
  db?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const CALCS = [
  { op: 'COUNT' }, { op: 'P90', column: 'dur' }, { op: 'HEATMAP', column: 'dur' }, { op: 'CONCURRENCY' },
  { op: 'COUNT_DISTINCT', column: 'endpoint' }, { op: 'RATE_SUM', column: 'dur' }, { op: 'AVG', column: 'dur' },
];
const run = (dataset: string, extra: object): Promise<QueryResult> =>
  runQuery(deps, env, dataset, parseQuerySpec({ start_time: T0, end_time: T0 + 7200, granularity: 600, calculations: CALCS, breakdowns: ['customer'], ...extra }));

describe.each(['plain', 'sampled'])('a query that drops groups, on %s events', (dataset) => {
  it('answers a having that keeps every group exactly as the one-pass query', async () => {
    const onePass = await run(dataset, {});
    const cutFirst = await run(dataset, { havings: [{ calculate_op: 'COUNT', op: '>', value: 0 }] });
    expect(onePass.data.results).toHaveLength(26);
    expect(cutFirst.data).toEqual(onePass.data);
    expect(cutFirst.metadata.rows_scanned).toBe(3000);
    expect(cutFirst.metadata.groups).toBe(26);
    expect(cutFirst.metadata.truncated).toBe(false);
  });

  it('answers a small limit with the first groups of the one-pass answer and their series', async () => {
    const onePass = await run(dataset, {});
    const cutFirst = await run(dataset, { limit: 4 });
    const kept = onePass.data.results.slice(0, 4);
    expect(cutFirst.data.results).toEqual(kept);
    const keptKeys = new Set(kept.map((r) => r.data.customer));
    expect(cutFirst.data.series).toEqual(onePass.data.series.filter((p) => keptKeys.has(p.data.customer)));
    expect(cutFirst.data.series).toHaveLength(4 * 12);
    expect(cutFirst.metadata.truncated).toBe(true);
    expect(cutFirst.metadata.rows_scanned).toBe(3000);
  });

  it('drops the groups a having refuses, keeping the null group when it passes', async () => {
    const onePass = await run(dataset, {});
    const floor = (onePass.data.results[10].data.COUNT as number) + 1;
    const cutFirst = await run(dataset, { havings: [{ calculate_op: 'COUNT', op: '>=', value: floor }] });
    const kept = onePass.data.results.filter((r) => (r.data.COUNT as number) >= floor);
    expect(kept.length).toBeGreaterThan(0);
    expect(kept.length).toBeLessThan(11);
    expect(cutFirst.data.results).toEqual(kept);
    expect(cutFirst.metadata.groups).toBe(kept.length);
    const keptKeys = new Set(kept.map((r) => r.data.customer));
    expect(cutFirst.data.series).toEqual(onePass.data.series.filter((p) => keptKeys.has(p.data.customer)));
    // The events without a customer are the largest group: 1 in 13 of them.
    expect(kept.some((r) => r.data.customer === null)).toBe(true);
  });
});
