// What nodes keep in memory above one PostgreSQL is announced with NOTIFY and read again by the
// others (shareChanges): each hears the others' announcements with what they named, never its
// own, and reads everything again when its listening connection was cut and re-made.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgMetaStore, shareChanges } from '../src/store/index.js';
import { startPostgres, type PgCluster } from './support/postgres.js';

let pg: PgCluster;
const stores: PgMetaStore[] = [];
const log = { error: () => undefined };

beforeAll(async () => {
  pg = await startPostgres();
});
afterAll(async () => {
  for (const s of stores) await s.close();
  await pg?.stop();
});

describe('shared changes on PostgreSQL', () => {
  it('tell every other node what changed, and everything after a lost connection', async () => {
    const [a, b] = [await PgMetaStore.open(pg.url('shared')), await PgMetaStore.open(pg.url('shared'))];
    stores.push(a, b);
    const heard: Record<string, (string | undefined)[]> = { 'node-a': [], 'node-b': [] };
    /** Resolves once `node` has heard `count` announcements in all. */
    const waiting: (() => void)[] = [];
    const hear = (node: string) => async (what?: string) => {
      heard[node].push(what);
      waiting.splice(0).forEach((w) => w());
    };
    const heardBy = async (node: string, count: number) => {
      while (heard[node].length < count) await new Promise<void>((r) => waiting.push(r));
    };
    const announce = {
      a: await shareChanges(a, 'tend_test', 'node-a', hear('node-a'), log),
      b: await shareChanges(b, 'tend_test', 'node-b', hear('node-b'), log),
    };
    announce.a('check-1');
    announce.a();
    await heardBy('node-b', 2);
    expect(heard['node-b']).toEqual(['check-1', undefined]);
    announce.b('check-2');
    await heardBy('node-a', 1);
    expect(heard).toEqual({ 'node-a': ['check-2'], 'node-b': ['check-1', undefined] });

    // PostgreSQL cuts the listening connections: each node listens again and reads everything.
    const cut = await a.query(`SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE query LIKE 'LISTEN%'`);
    expect(cut).toEqual([{ cut: true }, { cut: true }]);
    await Promise.all([heardBy('node-a', 2), heardBy('node-b', 3)]);
    await new Promise((r) => setTimeout(r, 1500)); // a second reading for one loss would show now
    expect(heard).toEqual({ 'node-a': ['check-2', undefined], 'node-b': ['check-1', undefined, undefined] });
    announce.a('check-3');
    await heardBy('node-b', 4);
    expect(heard['node-b'][3]).toBe('check-3');
  });
});
