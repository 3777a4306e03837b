import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetRegistry, DuckDatabase, DuckEventStore, type StoredEvent } from '../store/index.js';
import { bubbleUp, parseBubbleUp } from './bubbleup.js';
import type { QueryDeps } from './run.js';

let db: DuckDatabase;
let deps: QueryDeps;
const env = { id: 'env', name: 'production', slug: 'production' };
const T0 = Date.parse('2026-11-20T10:00:00Z') / 1000;

// 1,000 events over 1,000 seconds. The slow ones (duration >= 500) all come from /checkout
// and are twice as common on build b2; region is spread evenly whatever the speed.
function events(): StoredEvent[] {
  const out: StoredEvent[] = [];
  for (let i = 0; i < 1000; i++) {
    const slow = i % 10 === 0;
    out.push({
      time: (T0 + i) * 1e6,
      samplerate: 1,
      fields: {
        endpoint: slow ? '/checkout' : ['/a', '/b', '/c'][((i % 10) - 1) % 3],
        region: ['us', 'eu'][Math.floor(i / 10) % 2],
        build: slow ? (i % 30 === 0 ? 'b1' : 'b2') : ['b1', 'b2'][Math.floor(i / 3) % 2],
        duration_ms: slow ? 500 + i : 10 + (i % 100) / 10,
        status: slow ? 500 : 200,
        ...(slow ? {} : { cache: true }),
      },
    });
  }
  return out;
}

beforeAll(async () => {
  db = await DuckDatabase.open(fs.mkdtempSync(path.join(os.tmpdir(), 'bubbleup-')));
  const store = await DuckEventStore.open(db);
  const datasets = await DatasetRegistry.open(db);
  await store.append([{ dataset: await datasets.findOrCreate('env', 'shop'), events: events() }]);
  deps = { store, datasets };
});
afterAll(() => db.close());

const window = { start_time: T0, end_time: T0 + 1000 };

describe('bubbleUp', () => {
  it('ranks the column that explains a value-range selection first, with the shares of its values', async () => {
    const r = await bubbleUp(deps, env, 'shop', parseBubbleUp({ baseline: window, selection: { column: 'duration_ms', min: 500 } }));
    expect(r.selection.count).toBe(100);
    expect(r.baseline.count).toBe(900);
    const byName = new Map(r.columns.map((c) => [c.column, c]));
    // endpoint, status and cache separate the two sides completely; region does not at all.
    expect(r.columns.slice(0, 4).map((c) => c.column).sort()).toEqual(['cache', 'duration_ms', 'endpoint', 'status']);
    expect(byName.get('endpoint')!.score).toBe(1);
    expect(byName.get('endpoint')!.values).toContainEqual({ value: '/checkout', selection: 1, baseline: 0 });
    expect(byName.get('endpoint')!.values).toContainEqual({ value: '/a', selection: 0, baseline: 0.333333 });
    expect(byName.get('cache')!.values).toEqual([
      { value: 'true', selection: 0, baseline: 1 },
      { value: null, selection: 1, baseline: 0 },
    ]);
    expect(byName.get('region')!.score).toBe(0);
    expect(r.columns.at(-1)!.column).toBe('region');
    // build: the distance computed here from the events themselves.
    const share = (slow: boolean) => {
      const side = events().filter((e) => ((e.fields.duration_ms as number) >= 500) === slow);
      return side.filter((e) => e.fields.build === 'b2').length / side.length;
    };
    expect(byName.get('build')!.score).toBeCloseTo(Math.abs(share(true) - share(false)), 5);
    expect(r.meta).toMatchObject({ statistic: 'total_variation_distance', columns_examined: 6, columns_total: 6 });
  });

  it('bins numbers with many values by deciles and lists rarer values under "other"', async () => {
    const r = await bubbleUp(deps, env, 'shop', parseBubbleUp({ baseline: window, selection: { start_time: T0, end_time: T0 + 100 }, top: 2 }));
    expect(r.selection.count).toBe(100);
    const duration = r.columns.find((c) => c.column === 'duration_ms')!;
    expect(duration.binned).toBe(true);
    expect(duration.values.every((v) => /^(< |>= |\[)/.test(v.value!))).toBe(true);
    const endpoint = r.columns.find((c) => c.column === 'endpoint')!;
    expect(endpoint.values).toHaveLength(2);
    expect(endpoint.other.selection + endpoint.values.reduce((a, v) => a + v.selection, 0)).toBeCloseTo(1, 6);
  });

  it('takes a filter selection, caps the columns examined and samples each side', async () => {
    const r = await bubbleUp(
      deps, env, 'shop',
      parseBubbleUp({ baseline: { ...window, filters: [{ column: 'region', op: '=', value: 'us' }] }, selection: { filters: [{ column: 'status', op: '>=', value: 500 }] }, max_columns: 2, sample: 100 }),
    );
    expect(r.selection.count).toBe(50);
    expect(r.baseline.count).toBe(450);
    expect(r.columns.map((c) => c.column).sort()).toEqual(['endpoint', 'region']);
    expect(r.meta).toMatchObject({ columns_examined: 2, columns_total: 6, sample_per_side: 100 });
    expect(r.columns[0]).toMatchObject({ column: 'endpoint', score: 1 });
  });

  it('answers empty sides without comparing', async () => {
    const r = await bubbleUp(deps, env, 'shop', parseBubbleUp({ baseline: window, selection: { column: 'duration_ms', min: 1e9 } }));
    expect(r).toMatchObject({ selection: { count: 0 }, baseline: { count: 1000 }, columns: [] });
  });

  it('names the field at fault', () => {
    expect(() => parseBubbleUp({ selection: {} })).toThrow(/^selection: give a time range/);
    expect(() => parseBubbleUp({ selection: { min: 3 } })).toThrow(/^selection.column: min and max need/);
    expect(() => parseBubbleUp({ selection: { column: 'x', min: 5, max: 1 } })).toThrow(/^selection.max/);
    expect(() => parseBubbleUp({ selection: { filters: [{ column: 'x', op: 'in', value: 3 }] } })).toThrow(/^selection.filters\[0\].value: in needs an array/);
    expect(() => parseBubbleUp({ baseline: { time_range: 'x' }, selection: { start_time: 1 } })).toThrow(/^baseline.time_range:/);
    expect(() => parseBubbleUp({ selection: { start_time: 1 }, sample: 5 })).toThrow(/^sample:/);
  });
});
