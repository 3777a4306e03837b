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

async function until(what: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!what()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('shared changes on PostgreSQL', () => {
  it('tell every other node what changed, and everything after a lost connection', async () => {
    const [a, b] = [await PgMetaStore.open(pg.url('shared')), await PgMetaStore.open(pg.url('shared'))];
    stores.push(a, b);
    const heard: Record<string, (string | undefined)[]> = { 'node-a': [], 'node-b': [] };
    const announce = {
      a: await shareChanges(a, 'tend_test', 'node-a', async (what) => void heard['node-a'].push(what), log),
      b: await shareChanges(b, 'tend_test', 'node-b', async (what) => void heard['node-b'].push(what), log),
    };
    announce.a('check-1');
    announce.a();
    await until(() => heard['node-b'].length === 2);
    expect(heard['node-b']).toEqual(['check-1', undefined]);
    announce.b('check-2');
    await until(() => heard['node-a'].length === 1);
    expect(heard).toEqual({ 'node-a': ['check-2'], 'node-b': ['check-1', undefined] });

    // PostgreSQL cuts the listening connections: each node listens again and reads everything.
    const cut = await a.query(`SELECT pg_terminate_backend(pid) AS cut FROM pg_stat_activity WHERE query LIKE 'LISTEN%'`);
    expect(cut).toEqual([{ cut: true }, { cut: true }]);
    await until(() => heard['node-a'].length === 2 && heard['node-b'].length === 3);
    await new Promise((r) => setTimeout(r, 1500)); // a second reading for one loss would show now
    expect(heard).toEqual({ 'node-a': ['check-2', undefined], 'node-b': ['check-1', undefined, undefined] });
    announce.a('check-3');
    await until(() => heard['node-b'].length === 4);
    expect(heard['node-b'][3]).toBe('check-3');
  });
});
