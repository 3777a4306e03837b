import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultIngestLimits } from '../config.js';
import { DatasetRegistry, DuckDatabase, DuckEventStore } from '../store/index.js';
import { MetricsRegistry } from '../telemetry/index.js';
import { IngestPipeline, OverloadedError } from './pipeline.js';

const DAY_US = 86_400_000_000;
const day0 = 20_000 * DAY_US;
const env = { id: 'e1', name: 'production', slug: 'production' };
const ev = (id: number, time = day0) => ({ time, samplerate: 1, fields: { id } });

let dir: string;
let db: DuckDatabase;
let store: DuckEventStore;
let datasets: DatasetRegistry;
let metrics: MetricsRegistry;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-pipeline-'));
  db = await DuckDatabase.open(dir);
  store = await DuckEventStore.open(db);
  datasets = await DatasetRegistry.open(db);
  // Create the datasets up front: a first write's dataset creation is a round trip to the
  // metadata store, which would make the grouping below depend on timing.
  for (const name of ['a', 'b']) await datasets.findOrCreate(env.id, name);
  metrics = new MetricsRegistry();
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function storedIds(name: string): Promise<number[]> {
  const ds = await datasets.find(env.id, name);
  const source = ds && (await store.source([ds.id], 0, Number.MAX_SAFE_INTEGER));
  if (!source) return [];
  return (await store.read(`SELECT id FROM ${source} ORDER BY id`, [], { timeoutMs: 5000 })).map((r) => r.id as number);
}

const committed = () => Number(/^tend_ingest_commits_total (\d+)$/m.exec(metrics.render())![1]);

describe('IngestPipeline', () => {
  it('commits requests that arrive together in one group, and answers only after the commit', async () => {
    const p = new IngestPipeline(store, datasets, defaultIngestLimits, metrics);
    await Promise.all([p.submit(env, 'a', [ev(1)]), p.submit(env, 'a', [ev(2)]), p.submit(env, 'b', [ev(3)])]);
    expect(committed()).toBe(1);
    expect(await storedIds('a')).toEqual([1, 2]);
    expect(await storedIds('b')).toEqual([3]);
  });

  it('waits the time the store asks for before a group commit, so later requests join it', async () => {
    const lingering = Object.create(store, { commitLingerMs: { value: 50 } });
    const p = new IngestPipeline(lingering, datasets, defaultIngestLimits, metrics);
    const first = p.submit(env, 'a', [ev(1)]);
    // A later turn of the event loop, well within the store's 50 ms.
    await new Promise((r) => setTimeout(r, 5));
    await Promise.all([first, p.submit(env, 'a', [ev(2)])]);
    expect(committed()).toBe(1);
    expect(await storedIds('a')).toEqual([1, 2]);
  });

  it('fails only the request the store refuses when a group commit fails', async () => {
    const p = new IngestPipeline(store, datasets, defaultIngestLimits, metrics);
    await p.submit(env, 'a', [ev(0)]);
    // The next day's table cannot be created: any request with an event on that day fails.
    const ds = await datasets.find(env.id, 'a');
    const nextDay = new Date((day0 + DAY_US) / 1000).toISOString().slice(0, 10).replaceAll('-', '');
    await db.query(`CREATE TABLE "ev_${ds!.id}_${nextDay}" (x INTEGER)`);
    const results = await Promise.allSettled([p.submit(env, 'a', [ev(1)]), p.submit(env, 'a', [ev(2, day0 + DAY_US)]), p.submit(env, 'a', [ev(3)])]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(await storedIds('a')).toEqual([0, 1, 3]);
  });

  it('answers 507 when the disk fills under a commit, and stores nothing of it', async () => {
    const full = Object.create(store, { append: { value: () => Promise.reject(new Error('Could not write file "tend.duckdb.wal": No space left on device')) } });
    const p = new IngestPipeline(full, datasets, defaultIngestLimits, metrics);
    await expect(p.submit(env, 'a', [ev(1)])).rejects.toMatchObject({ status: 507, message: expect.stringMatching(/disk is full; writes resume once space is freed$/) });
    expect(await storedIds('a')).toEqual([]);
  });

  it('refuses work past the queue bound', async () => {
    const p = new IngestPipeline(store, datasets, { ...defaultIngestLimits, maxQueuedEvents: 3 }, metrics);
    const first = p.submit(env, 'a', [ev(1), ev(2)]);
    await expect(p.submit(env, 'a', [ev(3), ev(4)])).rejects.toBeInstanceOf(OverloadedError);
    await first;
    expect(p.depth()).toBe(0);
    expect(await storedIds('a')).toEqual([1, 2]);
  });
});
