import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DatasetRegistry } from '../datasets.js';
import type { Dataset } from '../types.js';
import { DuckDatabase } from './database.js';
import { DuckEventStore } from './duckdb-event-store.js';
import { DAY_US, partitionTable } from './partitions.js';

let dir: string;
let db: DuckDatabase;
let store: DuckEventStore;
let ds: Dataset;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-store-'));
  db = await DuckDatabase.open(dir);
  store = await DuckEventStore.open(db);
  ds = await (await DatasetRegistry.open(db)).findOrCreate('env1', 'svc');
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const day0 = 20_000 * DAY_US; // 2024-10-05
const ev = (time: number, fields: Record<string, string | number | boolean>) => ({ time, samplerate: 1, fields });

async function all(from = 0, to = Number.MAX_SAFE_INTEGER) {
  const source = await store.source([ds.id], from, to);
  if (!source) return [];
  return store.read(`SELECT * EXCLUDE ("__time"), epoch_us("__time") AS t FROM ${source} ORDER BY t`, [], { timeoutMs: 10_000 });
}

describe('DuckEventStore', () => {
  it('keeps one table per day and reads only the days a window covers', async () => {
    await store.append([{ dataset: ds, events: [ev(day0 + 5, { a: 1 }), ev(day0 + DAY_US + 5, { a: 2 }), ev(day0 + 2 * DAY_US + 5, { a: 3 })] }]);
    expect((await all()).map((r) => r.a)).toEqual([1, 2, 3]);
    expect((await all(day0 + DAY_US, day0 + 2 * DAY_US)).map((r) => r.a)).toEqual([2]);
    expect(await store.source([ds.id], day0 + 10 * DAY_US, day0 + 11 * DAY_US)).toBeUndefined();
  });

  it('reads a column added later as NULL in tables that never had it', async () => {
    await store.append([{ dataset: ds, events: [ev(day0, { a: 1 })] }]);
    await store.append([{ dataset: ds, events: [ev(day0 + DAY_US, { a: 2, b: 'x' })] }]);
    await store.append([{ dataset: ds, events: [ev(day0 + 1, { c: true })] }]);
    expect(await store.columns(ds.id)).toEqual([
      { name: 'a', type: 'integer' },
      { name: 'b', type: 'string' },
      { name: 'c', type: 'boolean' },
    ]);
    expect((await all()).map((r) => [r.a, r.b, r.c])).toEqual([
      [1, null, null],
      [null, null, true],
      [2, 'x', null],
    ]);
  });

  it('widens an integer column to float in every day table, even within one batch', async () => {
    await store.append([{ dataset: ds, events: [ev(day0, { d: 1 })] }]);
    await store.append([{ dataset: ds, events: [ev(day0 + DAY_US, { d: 2 }), ev(day0 + DAY_US + 1, { d: 2.5 })] }]);
    expect(await store.columns(ds.id)).toEqual([{ name: 'd', type: 'float' }]);
    expect((await all()).map((r) => r.d)).toEqual([1, 2, 2.5]);
  });

  it('stores nothing and keeps its schema when a commit fails', async () => {
    await store.append([{ dataset: ds, events: [ev(day0, { a: 1 })] }]);
    // Make the next day's CREATE TABLE fail inside the transaction, after the new column was added.
    await db.query(`CREATE TABLE ${partitionTable(ds.id, 20_001)} (x INTEGER)`);
    await expect(store.append([{ dataset: ds, events: [ev(day0, { z: 'new', a: 5 }), ev(day0 + DAY_US, { a: 2 })] }])).rejects.toThrow(/already exists/);
    expect(await store.columns(ds.id)).toEqual([{ name: 'a', type: 'integer' }]);
    expect((await all()).map((r) => r.a)).toEqual([1]);
    await store.append([{ dataset: ds, events: [ev(day0, { z: 'later' })] }]);
    expect((await all()).map((r) => r.z)).toEqual([null, 'later']);
  });

  it('stores every row when appends, new columns and new days run concurrently', async () => {
    const writes = Array.from({ length: 40 }, (_, i) =>
      store.append([
        {
          dataset: ds,
          // Every fifth write brings a new column, every seventh a new day: both need the gate alone.
          events: [ev(day0 + (i % 7 === 0 ? (i / 7) * DAY_US : 0) + i, { n: i, ...(i % 5 === 0 ? { [`c${i}`]: i } : {}) })],
        },
      ]),
    );
    await Promise.all(writes);
    const rows = await all();
    expect(rows.map((r) => r.n).sort((a, b) => (a as number) - (b as number))).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect((await store.columns(ds.id)).map((c) => c.name).sort()).toEqual(['c0', 'c10', 'c15', 'c20', 'c25', 'c30', 'c35', 'c5', 'n']);
    expect(rows.find((r) => r.n === 35)!.c35).toBe(35);
  });

  it('drops whole day tables past retention', async () => {
    await store.append([{ dataset: ds, events: [ev(day0, { a: 1 }), ev(day0 + DAY_US, { a: 2 }), ev(day0 + 2 * DAY_US, { a: 3 })] }]);
    expect(await store.dropBefore(day0 + DAY_US + 1)).toBe(1);
    expect((await all()).map((r) => r.a)).toEqual([2, 3]);
    const tables = await db.query(`SELECT table_name FROM duckdb_tables() WHERE regexp_matches(table_name, '^ev_[0-9a-f]+_')`);
    expect(tables).toHaveLength(2);
  });

  it('survives reopening: schema and partitions come back from the metadata tables', async () => {
    await store.append([{ dataset: ds, events: [ev(day0, { a: 1, s: 'x' })] }]);
    db.close();
    db = await DuckDatabase.open(dir);
    store = await DuckEventStore.open(db);
    expect(await store.columns(ds.id)).toEqual([
      { name: 'a', type: 'integer' },
      { name: 's', type: 'string' },
    ]);
    await store.append([{ dataset: ds, events: [ev(day0 + 1, { a: 2, s: 'y' })] }]);
    expect((await all()).map((r) => r.s)).toEqual(['x', 'y']);
  });

  it('keeps a one-field event out of a wide table, and reads both back as one day', async () => {
    const wide = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`w${i}`, i]));
    await store.append([{ dataset: ds, events: [ev(day0, { n: 1, ...wide }), ev(day0 + 1, { n: 2 }), ev(day0 + 2, { n: 3, x: 'a' })] }]);
    const tables = await db.query<{ table_name: string; columns: number }>(
      `SELECT table_name, count(*) AS columns FROM duckdb_columns() WHERE regexp_matches(table_name, '^ev_[0-9a-f]+_') GROUP BY table_name ORDER BY table_name`,
    );
    // The wide event's table, and a narrow one for the one- and two-field events.
    expect(tables).toEqual([
      { table_name: partitionTable(ds.id, 20_000), columns: 2 + 301 },
      { table_name: `${partitionTable(ds.id, 20_000)}_1`, columns: 2 + 2 },
    ]);
    const rows = await all();
    expect(rows.map((r) => [r.n, r.x, r.w7])).toEqual([
      [1, null, 7],
      [2, null, null],
      [3, 'a', null],
    ]);
    // After reopening, the tables come back with their columns, and appends go where they went.
    db.close();
    db = await DuckDatabase.open(dir);
    store = await DuckEventStore.open(db);
    await store.append([{ dataset: ds, events: [ev(day0 + 3, { n: 4, x: 'b' }), ev(day0 + 4, { n: 5, ...wide, w0: 99 })] }]);
    const after = await db.query(`SELECT count(*) AS n FROM duckdb_tables() WHERE regexp_matches(table_name, '^ev_[0-9a-f]+_')`);
    expect(after).toEqual([{ n: 2 }]);
    expect((await all()).map((r) => [r.n, r.x, r.w0])).toEqual([
      [1, null, 0],
      [2, null, null],
      [3, 'a', null],
      [4, 'b', null],
      [5, null, 99],
    ]);
  });

  it('refuses an event that would pass the column limit, and stores the others of the write', async () => {
    const refused = await store.append([{ dataset: ds, events: [ev(day0, { a: 1, b: 2 }), ev(day0 + 1, { c: 3, d: 4 }), ev(day0 + 2, { a: 5, c: 6 })] }], { maxColumnsPerDataset: 3 });
    expect(refused.map((r) => r.event.fields)).toEqual([{ c: 3, d: 4 }]);
    expect(refused[0].problem).toMatch(/more than 3 columns/);
    expect((await all()).map((r) => [r.a, r.b, r.c])).toEqual([
      [1, 2, null],
      [5, null, 6],
    ]);
    expect((await store.columns(ds.id)).map((c) => c.name)).toEqual(['a', 'b', 'c']);
  });
});
