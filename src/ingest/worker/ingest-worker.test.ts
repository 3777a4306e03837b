// The ingest worker thread against a real embedded store: what it parses and holds is what the
// main thread commits and reads back, schema changes made in the worker's plans reach the
// store's own schemas, and refusals come back by their index in the body.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultIngestLimits } from '../../config.js';
import { HttpError } from '../../http/index.js';
import { DatasetRegistry, DuckDatabase, DuckEventStore } from '../../store/index.js';
import { MetricsRegistry } from '../../telemetry/index.js';
import { IngestPipeline } from '../pipeline.js';
import { IngestWorker } from './ingest-worker.js';

const env = { id: 'e1', name: 'production', slug: 'production' };
const day0Iso = '2024-10-04T10:00:00Z';

let dir: string;
let db: DuckDatabase;
let store: DuckEventStore;
let datasets: DatasetRegistry;
let thread: IngestWorker;
let pipeline: IngestPipeline;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-ingest-worker-'));
  db = await DuckDatabase.open(dir);
  store = await DuckEventStore.open(db);
  datasets = await DatasetRegistry.open(db);
  thread = new IngestWorker((err) => {
    throw err;
  });
  pipeline = new IngestPipeline(store, datasets, { ...defaultIngestLimits, maxColumnsPerDataset: 4 }, new MetricsRegistry(), { thread, store });
});
afterEach(async () => {
  await thread.close();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A body with memory of its own, as a request body past Node's small-buffer pool has. */
function body(items: unknown[]): Buffer {
  const text = JSON.stringify(items);
  const buffer = Buffer.alloc(Buffer.byteLength(text));
  buffer.write(text);
  return buffer;
}

async function rows(name: string): Promise<Record<string, unknown>[]> {
  const ds = await datasets.find(env.id, name);
  const source = ds && (await store.source([ds.id], 0, Number.MAX_SAFE_INTEGER));
  if (!source) return [];
  return store.read(`SELECT * EXCLUDE (__time, __samplerate) FROM ${source} ORDER BY id`, [], { timeoutMs: 5000 });
}

describe('IngestWorker', () => {
  it('parses and holds a batch in the worker; the main thread commits it, refusals named by their index in the body', async () => {
    const sent = body([
      { data: { id: 1, name: 'a', ok: true }, time: day0Iso },
      'not an event',
      { data: { id: 2, http: { status: 500 } }, time: day0Iso },
      // A fifth column: past this dataset's limit of 4, refused by the store's plan.
      { data: { id: 3, name: 'c', ok: false, http: { status: 200 }, extra: 1 }, time: day0Iso },
    ]);
    const batch = await thread.check(sent, Date.now() * 1000, defaultIngestLimits);
    // The body moved to the worker: its memory is no longer this thread's.
    expect(sent.buffer.byteLength).toBe(0);
    expect({ total: batch.total, good: batch.good, problems: batch.problems }).toEqual({
      total: 4,
      good: 3,
      problems: [[1, 'event 1: expected an object with a "data" field']],
    });
    const refused = await pipeline.submitHeld(env, 'web', batch);
    expect([...(refused ?? [])]).toEqual([[3, expect.stringMatching(/more than 4 columns/)]]);
    expect(await rows('web')).toEqual([
      { id: 1, name: 'a', ok: true, 'http.status': null },
      { id: 2, name: null, ok: null, 'http.status': 500 },
    ]);
    // The columns the worker's plan added are the store's: queries see them.
    const ds = (await datasets.find(env.id, 'web'))!;
    expect((await store.columns(ds.id)).map((c) => c.name)).toEqual(['id', 'name', 'ok', 'http.status']);
  });

  it('keeps planning against the store schema as it changes, across batches and datasets', async () => {
    for (let i = 0; i < 3; i++) {
      const batch = await thread.check(body([{ data: { id: i, [`f${i}`]: `v${i}` }, time: day0Iso }]), Date.now() * 1000, defaultIngestLimits);
      expect(await pipeline.submitHeld(env, i === 2 ? 'other' : 'web', batch)).toBeUndefined();
    }
    // A batch planned on the main thread changes the schema the worker must plan against next.
    await pipeline.submit(env, 'web', [{ time: Date.parse(day0Iso) * 1000, samplerate: 1, fields: { id: 10, f0: 'main' } }]);
    const batch = await thread.check(body([{ data: { id: 11, f0: 'again', f1: 'x' }, time: day0Iso }]), Date.now() * 1000, defaultIngestLimits);
    expect(await pipeline.submitHeld(env, 'web', batch)).toBeUndefined();
    expect(await rows('web')).toEqual([
      { id: 0, f0: 'v0', f1: null },
      { id: 1, f0: null, f1: 'v1' },
      { id: 10, f0: 'main', f1: null },
      { id: 11, f0: 'again', f1: 'x' },
    ]);
    expect(await rows('other')).toEqual([{ id: 2, f2: 'v2' }]);
  });

  it('answers a body that is not a batch with a 400, as the main thread would', async () => {
    const err = await thread.check(Buffer.from('{"data": 1'), Date.now() * 1000, defaultIngestLimits).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpError);
    expect((err as HttpError).status).toBe(400);
    expect((err as HttpError).message).toMatch(/^request body is not valid JSON/);
  });
});
