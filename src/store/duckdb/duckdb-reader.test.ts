// The read side against a real DuckDB: the relation source() builds for reads across datasets
// that lack or retype a column, and DuckDB's errors turned into the store's typed errors.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DatasetRegistry } from '../datasets.js';
import { BadValueError, ReadTimeoutError, UnknownColumnError } from '../errors.js';
import type { Dataset } from '../types.js';
import { DuckDatabase } from './database.js';
import { DuckEventStore } from './duckdb-event-store.js';
import { DAY_US } from './partitions.js';

let dir: string;
let db: DuckDatabase;
let store: DuckEventStore;
let a: Dataset;
let b: Dataset;
const day0 = 20_000 * DAY_US;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-reader-'));
  db = await DuckDatabase.open(dir);
  store = await DuckEventStore.open(db);
  const registry = await DatasetRegistry.open(db);
  a = await registry.findOrCreate('env1', 'a');
  b = await registry.findOrCreate('env1', 'b');
  await store.append([
    { dataset: a, events: [{ time: day0 + 1, samplerate: 1, fields: { Status: 200, only_a: 'x' } }] },
    // b: `Status` as text, and a column only it has, on a day before the window.
    { dataset: b, events: [{ time: day0 + 2, samplerate: 1, fields: { Status: 'ok' } }, { time: day0 - DAY_US, samplerate: 1, fields: { idle: true } }] },
  ]);
});
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const read = (sql: string, timeoutMs = 10_000) => store.read(sql, [], { timeoutMs });

describe('source()', () => {
  it('gives every asked-for column in the asked-for type: NULL where a table lacks it, cast where it holds another type', async () => {
    const columns = [{ name: 'Status', type: 'string' as const }, { name: 'idle', type: 'boolean' as const }, { name: 'only_a', type: 'string' as const }];
    const source = await store.source([a.id, b.id], day0, day0 + DAY_US, columns);
    const rows = await read(`SELECT "^status", "idle", "only_a" FROM ${source} ORDER BY "__time"`);
    expect(rows).toEqual([{ Status: '200', idle: null, only_a: 'x' }, { Status: 'ok', idle: null, only_a: null }]);
  });

  it('is the table itself when it has every asked-for column in that type', async () => {
    expect(await store.source([a.id], day0, day0 + DAY_US, [{ name: 'Status', type: 'integer' }])).toMatch(/^"ev_[0-9a-f]+_\d{8}"$/);
    expect(await store.source([a.id], day0 + DAY_US, day0 + 2 * DAY_US, [])).toBeUndefined();
  });
});

describe('read() errors', () => {
  it('a statement past its time limit is a ReadTimeoutError', async () => {
    await expect(read('SELECT count(*) FROM range(100000000000) t1', 50)).rejects.toBeInstanceOf(ReadTimeoutError);
  });

  it('a value DuckDB cannot compute is a BadValueError', async () => {
    await expect(read(`SELECT CAST('x' AS INTEGER)`)).rejects.toBeInstanceOf(BadValueError);
    await expect(read('SELECT CAST(1e300 AS BIGINT)')).rejects.toBeInstanceOf(BadValueError);
  });

  it('a column the relation lacks is an UnknownColumnError naming the field, capitals decoded', async () => {
    const source = await store.source([a.id], day0, day0 + DAY_US);
    await expect(read(`SELECT "^missing^name" FROM ${source}`)).rejects.toMatchObject({ constructor: UnknownColumnError, column: 'MissingName' });
  });

  it('anything else passes unchanged: a fault in Tend, not in the request', async () => {
    const err = await read('SELEC 1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect([ReadTimeoutError, BadValueError, UnknownColumnError].some((t) => err instanceof t)).toBe(false);
  });
});
