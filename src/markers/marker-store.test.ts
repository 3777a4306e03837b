import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDatabase } from '../store/index.js';
import { MarkerStore } from './marker-store.js';

let db: DuckDatabase;
let markers: MarkerStore;
beforeAll(async () => {
  db = await DuckDatabase.open(fs.mkdtempSync(path.join(os.tmpdir(), 'markers-')));
  markers = await MarkerStore.open(db);
});
afterAll(() => db.close());

const api = { envId: 'env1', datasetId: 'ds-api', datasetName: 'api' };
const web = { envId: 'env1', datasetId: 'ds-web', datasetName: 'web' };
const everywhere = { envId: 'env1', datasetName: '__all__' };
const otherEnv = { envId: 'env2', datasetId: 'ds-api', datasetName: 'api' };

describe('MarkerStore', () => {
  it('defaults start_time to now and leaves absent fields out', async () => {
    const m = await markers.create(api, { type: 'deploy' }, Date.parse('2026-11-20T10:00:00.500Z'));
    expect(m).toEqual({
      id: expect.stringMatching(/^[0-9a-f]{8}$/),
      start_time: Date.parse('2026-11-20T10:00:00Z') / 1000,
      type: 'deploy',
      created_at: '2026-11-20T10:00:00Z',
      updated_at: '2026-11-20T10:00:00Z',
      dataset: 'api',
    });
  });

  it('updates only the fields given, inside the scope only', async () => {
    const m = await markers.create(api, { start_time: 100, message: 'v1', url: 'http://ci/1' });
    expect(await markers.update(otherEnv, m.id, { message: 'stolen' })).toBeUndefined();
    expect(await markers.update(web, m.id, { message: 'wrong dataset' })).toBeUndefined();
    const updated = await markers.update(api, m.id, { message: 'v2', end_time: 160 }, Date.parse('2026-11-21T00:00:00Z'));
    expect(updated).toMatchObject({ id: m.id, start_time: 100, end_time: 160, message: 'v2', url: 'http://ci/1', updated_at: '2026-11-21T00:00:00Z' });
    expect(await markers.delete(api, m.id)).toMatchObject({ id: m.id, message: 'v2' });
    expect(await markers.get(api, m.id)).toBeUndefined();
    expect(await markers.delete(api, m.id)).toBeUndefined();
  });

  it('finds the markers overlapping a window: the datasets asked for and the environment-wide ones', async () => {
    const inside = await markers.create(api, { start_time: 1000, message: 'inside' });
    const spanning = await markers.create(web, { start_time: 500, end_time: 1500, message: 'spans the window' });
    const global = await markers.create(everywhere, { start_time: 1999, message: 'env-wide' });
    await markers.create(api, { start_time: 2000, message: 'at the end: excluded' });
    await markers.create(api, { start_time: 10, end_time: 999, message: 'ends before' });
    await markers.create(otherEnv, { start_time: 1000, message: 'other env' });
    const apiDs = { id: 'ds-api', name: 'api' };
    const found = await markers.overlapping({ id: 'env1' }, [apiDs, { id: 'ds-web', name: 'web' }], 1000, 2000);
    expect(found.map((m) => [m.message, m.dataset])).toEqual([
      ['spans the window', 'web'],
      ['inside', 'api'],
      ['env-wide', '__all__'],
    ]);
    expect(found.map((m) => m.id)).toEqual([spanning.id, inside.id, global.id]);
    const apiOnly = await markers.overlapping({ id: 'env1' }, [apiDs], 1000, 2000);
    expect(apiOnly.map((m) => m.message)).toEqual(['inside', 'env-wide']);
    expect((await markers.overlapping({ id: 'env1' }, [], 1000, 2000)).map((m) => m.message)).toEqual(['env-wide']);
  });

  it('lists one scope, oldest first', async () => {
    const list = await markers.list(everywhere);
    expect(list.map((m) => m.message)).toEqual(['env-wide']);
    const apiList = await markers.list(api);
    expect(apiList.map((m) => m.start_time)).toEqual([...apiList.map((m) => m.start_time)].sort((a, b) => a - b));
    expect(apiList.every((m) => m.dataset === 'api')).toBe(true);
  });
});
