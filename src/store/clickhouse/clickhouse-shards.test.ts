// The ClickHouse event store on a cluster of two shards (Debian's 18.16 twice on loopback, one
// <remote_servers> cluster, started by bench/clickhouse.ts): each table is a share on every shard
// behind a Distributed table, columns reach every share and every Distributed table, inserts
// spread over the shards, two writers racing to add a column settle, retention and trace
// pruning drop days on every shard.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouseCluster, type ClickHouseCluster } from '../../../bench/clickhouse.js';
import type { Dataset, StoredEvent } from '../types.js';
import { ClickHouseEventStore } from './clickhouse-event-store.js';

const DAY_US = 86_400_000_000;
const T0 = Date.UTC(2026, 10, 20, 10) * 1000;
let cluster: ClickHouseCluster;
const stores: ClickHouseEventStore[] = [];
const ds = (id: string): Dataset => ({ id, envId: 'e1', slug: id, name: id, createdAt: '2026-11-20T00:00:00Z' });
const ev = (time: number, fields: StoredEvent['fields'], samplerate = 1): StoredEvent => ({ time, samplerate, fields });
/** A statement's answer from one shard, as TSV lines. */
const onShard = async (i: number, sql: string) => (await cluster.shards[i].query(sql)).trim().split('\n').filter(Boolean);

async function openStore(url: string): Promise<ClickHouseEventStore> {
  const store = await ClickHouseEventStore.open(url);
  stores.push(store);
  return store;
}

const urlOf = (db: string, query = '?cluster=tend') => `${cluster.shards[0].url.replace('http://', 'clickhouse://default:@')}/${db}${query}`;

beforeAll(async () => {
  const started = await startClickHouseCluster(2);
  if (!started) throw new Error('clickhouse-server is missing: run scripts/ensure-test-tools.sh');
  cluster = started;
});
afterAll(async () => {
  for (const s of stores) await s.close();
  await cluster?.stop();
});

describe('the ClickHouse event store on two shards', () => {
  it('keeps a share of each table on every shard behind a Distributed table, columns alike everywhere', async () => {
    const store = await openStore(urlOf('shards_a'));
    await store.append([{ dataset: ds('a1'), events: [ev(T0, { svc: 'api', dur: 1 }, 2)] }]);
    await store.append([{ dataset: ds('a1'), events: [ev(T0 + 1, { svc: 'web', dur: 2.5, code: 500 })] }]);
    for (const shard of [0, 1]) {
      expect(await onShard(shard, "SELECT name, engine FROM system.tables WHERE database = 'shards_a' AND name LIKE 'ev_a1%' ORDER BY name FORMAT TSV")).toEqual(['ev_a1\tDistributed', 'ev_a1_local\tMergeTree']);
      for (const table of ['ev_a1', 'ev_a1_local']) {
        expect(await onShard(shard, `SELECT name, type FROM system.columns WHERE database = 'shards_a' AND table = '${table}' FORMAT TSV`)).toEqual([
          '__time\tInt64', '__samplerate\tInt64', 'svc\tNullable(String)', 'dur\tNullable(Float64)', 'code\tNullable(Int64)',
        ]);
      }
      // Each insert went to one shard: one event each.
      expect(await onShard(shard, 'SELECT count() FROM shards_a.ev_a1_local')).toEqual(['1']);
    }
    expect(await store.columns('a1')).toEqual([{ name: 'svc', type: 'string' }, { name: 'dur', type: 'float' }, { name: 'code', type: 'integer' }]);
    const c = store.compiler();
    const source = await store.source(['a1'], T0, T0 + 10);
    const rows = await store.read(`SELECT ${c.ident('svc')} AS s, sum(${c.weightColumn}) AS n, sum(${c.ident('dur')}) AS d FROM ${source} GROUP BY s ORDER BY s`, [], { timeoutMs: 10_000 });
    expect(rows).toEqual([{ s: 'api', n: 2, d: 1 }, { s: 'web', n: 1, d: 2.5 }]);
  });

  it('gives a shard that missed a column (a writer died part way) the columns of the first shard before writing to it', async () => {
    for (const table of ['ev_a1', 'ev_a1_local']) await cluster.shards[1].query(`ALTER TABLE shards_a.${table} DROP COLUMN code`);
    const store = await openStore(urlOf('shards_a'));
    // Two inserts: one for each shard.
    for (let i = 0; i < 2; i++) await store.append([{ dataset: ds('a1'), events: [ev(T0 + 5, { code: 200 + i })] }]);
    for (const table of ['ev_a1', 'ev_a1_local']) expect(await onShard(1, `SELECT name FROM system.columns WHERE database = 'shards_a' AND table = '${table}' AND name = 'code' FORMAT TSV`)).toEqual(['code']);
    expect(await store.read('SELECT code FROM ev_a1 WHERE isNotNull(code) ORDER BY code', [], { timeoutMs: 10_000 })).toEqual([{ code: 200 }, { code: 201 }]);
  });

  it('settles two writers adding the same field with different types at once', async () => {
    const [one, two] = [await openStore(urlOf('shards_b')), await openStore(urlOf('shards_b'))];
    await one.append([{ dataset: ds('b1'), events: [ev(T0, { first: 1 })] }]);
    await Promise.all([
      one.append([{ dataset: ds('b1'), events: Array.from({ length: 5 }, (_, i) => ev(T0 + i, { x: i, y: 'a' })) }]),
      two.append([{ dataset: ds('b1'), events: Array.from({ length: 5 }, (_, i) => ev(T0 + i, { x: `s${i}`, z: true })) }]),
    ]);
    const columns = await two.columns('b1');
    // Whichever came first owns `x`; the other's values went to its sibling column.
    const x = columns.find((col) => col.name === 'x')!;
    const sibling = x.type === 'integer' ? 'x:string' : 'x:integer';
    expect(columns.map((col) => col.name).sort()).toEqual(['first', 'x', sibling, 'y', 'z'].sort());
    const described = (shard: number, table: string) => onShard(shard, `SELECT name, type FROM system.columns WHERE database = 'shards_b' AND table = '${table}' FORMAT TSV`);
    const expected = await described(0, 'ev_b1_local');
    for (const shard of [0, 1]) for (const table of ['ev_b1', 'ev_b1_local']) expect(await described(shard, table)).toEqual(expected);
    const rows = await one.read('SELECT count() AS n, countIf(isNotNull(x)) AS x, countIf(isNotNull(`' + sibling + '`)) AS s FROM ev_b1', [], { timeoutMs: 10_000 });
    expect(rows).toEqual([{ n: 11, x: 5, s: 5 }]);
  });

  it('drops whole days on every shard, and prunes the trace index on every shard', async () => {
    const store = await openStore(urlOf('shards_c'));
    const day = (d: number) => T0 + d * DAY_US;
    // Four inserts, the shards' turns alternating: each shard gets days -3 and 0 of dataset r1.
    for (let i = 0; i < 4; i++) await store.append([{ dataset: ds('r1'), events: [ev(day(i < 2 ? -3 : 0), { a: i })] }]);
    expect(await onShard(0, 'SELECT count() FROM shards_c.ev_r1_local')).toEqual(['2']);
    expect(await store.dropBefore(day(-1))).toBe(1);
    for (const shard of [0, 1]) expect(await onShard(shard, 'SELECT a FROM shards_c.ev_r1_local ORDER BY a')).toEqual([String(shard + 2)]);
    expect(await store.source(['r1'], day(-3), day(-2))).toBeUndefined();

    for (let i = 0; i < 4; i++) await store.traces.record([{ envId: 'e1', traceId: 't-1', datasetId: `d${i}`, firstUs: day(i < 2 ? -3 : 0), lastUs: day(i < 2 ? -3 : 0) + 5 }]);
    expect((await store.traces.lookup('e1', 't-1')).map((e) => e.datasetId).sort()).toEqual(['d0', 'd1', 'd2', 'd3']);
    for (const shard of [0, 1]) expect(await onShard(shard, 'SELECT count() FROM shards_c.trace_index_local')).toEqual(['2']);
    await store.traces.prune(day(-1));
    expect((await store.traces.lookup('e1', 't-1')).map((e) => e.datasetId).sort()).toEqual(['d2', 'd3']);
  });

  it('refuses a cluster the server does not know and settings it does not know, naming them', async () => {
    await expect(ClickHouseEventStore.open(urlOf('shards_d', '?cluster=replicated'))).rejects.toThrow(/several replicas/);
    await expect(ClickHouseEventStore.open(urlOf('shards_d', '?cluster=nope'))).rejects.toThrow(/no cluster "nope"/);
    await expect(ClickHouseEventStore.open(urlOf('shards_d', '?shards=2'))).rejects.toThrow(/unknown setting "shards"/);
  });
});
