// The ClickHouse event store against a real ClickHouse server (Debian's 18.16, started in a temp
// folder by bench/clickhouse.ts): tables and columns created as fields arrive, type changes,
// reads through the compiler, errors, day partitions dropped, the trace index.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startClickHouse, type ClickHouse } from '../../../bench/clickhouse.js';
import { BadValueError, UnknownColumnError } from '../errors.js';
import type { Dataset, StoredEvent } from '../types.js';
import { literal } from './clickhouse-compiler.js';
import { ClickHouseEventStore } from './clickhouse-event-store.js';
import { parseClickHouseUrl } from './connection.js';

const DAY_US = 86_400_000_000;
const T0 = Date.UTC(2026, 10, 20, 10) * 1000;
let ch: ClickHouse;
let store: ClickHouseEventStore;
const ds = (id: string): Dataset => ({ id, envId: 'e1', slug: id, name: id, createdAt: '2026-11-20T00:00:00Z' });
const ev = (time: number, fields: StoredEvent['fields'], samplerate = 1): StoredEvent => ({ time, samplerate, fields });
const read = (sql: string) => store.read(sql, [], { timeoutMs: 10_000 });

beforeAll(async () => {
  const started = await startClickHouse();
  if (!started) throw new Error('clickhouse-server is missing: run scripts/ensure-test-tools.sh');
  ch = started;
  // The database does not exist yet: the store creates it.
  store = await ClickHouseEventStore.open(`${ch.url.replace('http:', 'clickhouse:').replace('//', '//default:@')}/tend_test`);
});
afterAll(async () => {
  await store?.close();
  await ch?.stop();
});

describe('parseClickHouseUrl', () => {
  it('reads user, password, host, port and database, allowing an empty password', () => {
    expect(parseClickHouseUrl('clickhouse://ann:s%40cret@ch.example:9000/events')).toEqual({ url: 'http://ch.example:9000', username: 'ann', password: 's@cret', database: 'events' });
    expect(parseClickHouseUrl('clickhouse://default:@localhost/tend')).toEqual({ url: 'http://localhost:8123', username: 'default', password: '', database: 'tend' });
    expect(() => parseClickHouseUrl('postgres://x@y/z')).toThrow(/--events/);
    expect(() => parseClickHouseUrl('clickhouse://x@y/bad-name')).toThrow(/database name/);
  });
});

describe('the ClickHouse event store', () => {
  it('creates the table, adds columns as fields arrive and answers reads through its compiler', async () => {
    await store.append([{ dataset: ds('a1'), events: [ev(T0, { svc: 'api', dur: 1.5 }, 4), ev(T0 + 1, { svc: 'web', code: 200, ok: true })] }]);
    await store.append([{ dataset: ds('a1'), events: [ev(T0 + 2, { 'we`ird\\name': 'x', Svc: 'upper' })] }]);
    expect(await store.columns('a1')).toEqual([
      { name: 'svc', type: 'string' }, { name: 'dur', type: 'float' }, { name: 'code', type: 'integer' }, { name: 'ok', type: 'boolean' },
      { name: 'we`ird\\name', type: 'string' }, { name: 'Svc', type: 'string' },
    ]);
    const c = store.compiler();
    const source = await store.source(['a1'], T0, T0 + 1000);
    const sql = `SELECT ${c.ident('svc')} AS s, sum(${c.weightColumn}) AS n FROM ${source} WHERE ${c.timeRange({ startUs: T0, endUs: T0 + 1000 } as never)} AND ${c.contains(c.ident('svc'), c.param("a'p\\"))} = 0 GROUP BY s ORDER BY s`;
    expect(await read(sql)).toEqual([{ s: 'api', n: 4 }, { s: 'web', n: 1 }]);
    expect(await store.source(['a1'], T0 + DAY_US, T0 + 2 * DAY_US)).toBeUndefined();
    // Reading a dataset that was never written creates nothing.
    expect(await store.columns('never')).toEqual([]);
    expect(await store.source(['never'], 0, T0)).toBeUndefined();
    expect(await read("SELECT count() AS n FROM system.tables WHERE name = 'ev_never'")).toEqual([{ n: 0 }]);
  });

  it('keeps the type rules: integers widen to floats, mismatched values go to sibling columns', async () => {
    await store.append([{ dataset: ds('t1'), events: [ev(T0, { n: 1, s: 'text', b: true })] }]);
    await store.append([{ dataset: ds('t1'), events: [ev(T0 + 1, { n: 2.5, s: 7, b: 'nope' })] }]);
    expect(await store.columns('t1')).toEqual([
      { name: 'n', type: 'float' }, { name: 's', type: 'string' }, { name: 'b', type: 'boolean' }, { name: 'b:string', type: 'string' },
    ]);
    expect(await read('SELECT n, s, b, `b:string` AS bs FROM ev_t1 ORDER BY __time')).toEqual([
      { n: 1, s: 'text', b: true, bs: null },
      { n: 2.5, s: '7', b: null, bs: 'nope' },
    ]);
  });

  it('stores every kind of value exactly as sent, in one insert of the rows in RowBinary', async () => {
    // The first byte of the first row (its time's lowest byte) is a newline: the rows start right after the statement's.
    const t = T0 - (T0 % 256) + 0x0a;
    const strings = ['', 'a', 'x'.repeat(127), 'y'.repeat(128), 'é'.repeat(60), `${'z'.repeat(126)}é`, 'ünïcødé 🚀', 'nul\u0000 line\nbreak\ttab', 'ä'.repeat(5000)];
    const events = [
      ev(t, { s: strings[0], i: -1, f: 0.1, b: true, wide: 1 }, 2 ** 40),
      ...strings.slice(1).map((v, k) => ev(t + 1 + k, { s: v, i: k % 2 ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER, f: k % 2 ? 1e308 : -5e-324, b: k % 2 === 0 })),
      // In the same batch: the integer column widens, text that reads as its column's type is converted, the rest goes to siblings.
      ev(t + 20, { wide: 2.5, i: '42', b: 'false', f: '1.25', s: 17 }),
      ev(t + 21, { i: 'many', b: 3 }),
    ];
    await store.append([{ dataset: ds('k1'), events }]);
    expect(await store.columns('k1')).toEqual([
      { name: 's', type: 'string' }, { name: 'i', type: 'integer' }, { name: 'f', type: 'float' }, { name: 'b', type: 'boolean' },
      { name: 'wide', type: 'float' }, { name: 'i:string', type: 'string' }, { name: 'b:integer', type: 'integer' },
    ]);
    const rows = await read('SELECT __time AS t, __samplerate AS r, s, i, f, b, wide, `i:string` AS is, `b:integer` AS bi FROM ev_k1 ORDER BY __time');
    expect(rows).toEqual([
      { t, r: 2 ** 40, s: '', i: -1, f: 0.1, b: true, wide: 1, is: null, bi: null },
      ...strings.slice(1).map((v, k) => ({ t: t + 1 + k, r: 1, s: v, i: k % 2 ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER, f: k % 2 ? 1e308 : -5e-324, b: k % 2 === 0, wide: null, is: null, bi: null })),
      { t: t + 20, r: 1, s: '17', i: 42, f: 1.25, b: false, wide: 2.5, is: null, bi: null },
      { t: t + 21, r: 1, s: null, i: null, f: null, b: null, wide: null, is: 'many', bi: 3 },
    ]);
  });

  it('writes into a table whose column list is longer than a URL may be', async () => {
    const names = Array.from({ length: 600 }, (_, k) => `a_field_name_of_thirty_chars_${String(k).padStart(3, '0')}`);
    await store.append([{ dataset: ds('w1'), events: [ev(T0, Object.fromEntries(names.map((n, k) => [n, k])))] }]);
    await store.append([{ dataset: ds('w1'), events: [ev(T0 + 1, Object.fromEntries(names.map((n, k) => [n, -k]))), ev(T0 + 2, { [names[599]]: 7 })] }]);
    expect(await read(`SELECT \`${names[0]}\` AS first, \`${names[599]}\` AS last FROM ev_w1 ORDER BY __time`)).toEqual([
      { first: 0, last: 599 },
      { first: 0, last: -599 },
      { first: null, last: 7 },
    ]);
  });

  it('refuses events past the column limit and stores the rest', async () => {
    const refused = await store.append([{ dataset: ds('l1'), events: [ev(T0, { a: 1, b: 2 }), ev(T0, { c: 1 }), ev(T0, { a: 3 })] }], { maxColumnsPerDataset: 2 });
    expect(refused.map((r) => r.event.fields)).toEqual([{ c: 1 }]);
    expect(await read('SELECT count() AS n FROM ev_l1')).toEqual([{ n: 2 }]);
  });

  it('reads several datasets as one relation with the columns asked for', async () => {
    await store.append([{ dataset: ds('u1'), events: [ev(T0, { x: 1 })] }, { dataset: ds('u2'), events: [ev(T0, { x: 'one', y: 2 })] }]);
    const source = await store.source(['u1', 'u2'], T0, T0 + 1, [{ name: 'x', type: 'string' }, { name: 'y', type: 'integer' }]);
    expect(await read(`SELECT x, y FROM ${source} ORDER BY x`)).toEqual([{ x: '1', y: null }, { x: 'one', y: 2 }]);
  });

  it('writes values as literals ClickHouse reads back unchanged (18.16 takes no query parameters)', async () => {
    const nasty = ["x'); DROP TABLE ev_a1; --", 'back\\slash\\', "quote ' and \\'", 'line\nbreak\ttab', 'nul\u0000byte', 'ünïcødé 🚀', ''];
    const sql = `SELECT ${nasty.map((v, i) => `${literal(v)} AS v${i}`).join(', ')}, ${literal(2 ** 60)} AS big, ${literal(-1.5e-7)} AS small, ${literal(true)} AS yes`;
    const [row] = await read(sql);
    expect(nasty.map((_, i) => row[`v${i}`])).toEqual(nasty);
    expect([row.big, row.small, row.yes]).toEqual([String(2 ** 60), -1.5e-7, true]);
  });

  it('turns ClickHouse errors into the engine-neutral ones', async () => {
    await expect(read('SELECT nope FROM ev_a1')).rejects.toBeInstanceOf(UnknownColumnError);
    await expect(read("SELECT toInt64('abc') AS x")).rejects.toBeInstanceOf(BadValueError);
  });

  it('drops whole days before the cut-off, only of the datasets asked for', async () => {
    const day = (d: number) => T0 + d * DAY_US;
    await store.append([{ dataset: ds('r1'), events: [ev(day(-3), { a: 1 }), ev(day(-2), { a: 2 }), ev(day(0), { a: 3 })] }, { dataset: ds('r2'), events: [ev(day(-3), { a: 1 })] }]);
    expect(await store.dropBefore(day(-1), (id) => id === 'r1')).toBe(2);
    expect(await read('SELECT a FROM ev_r1 ORDER BY a')).toEqual([{ a: 3 }]);
    expect(await read('SELECT count() AS n FROM ev_r2')).toEqual([{ n: 1 }]);
    expect(await store.source(['r1'], day(-3), day(-1))).toBeUndefined();
  });

  it('records and looks up traces per environment, and prunes whole days', async () => {
    await Promise.all([
      store.traces.record([{ envId: 'e1', traceId: 't-1', datasetId: 'a1', firstUs: T0, lastUs: T0 + 5 }]),
      store.traces.record([{ envId: 'e2', traceId: 't-1', datasetId: 'b1', firstUs: T0, lastUs: T0 + 5 }, { envId: 'e1', traceId: 't-old', datasetId: 'a1', firstUs: T0 - 3 * DAY_US, lastUs: T0 - 3 * DAY_US }]),
    ]);
    expect(await store.traces.lookup('e1', 't-1')).toEqual([{ envId: 'e1', traceId: 't-1', datasetId: 'a1', firstUs: T0, lastUs: T0 + 5 }]);
    await store.traces.prune(T0 - DAY_US);
    expect(await store.traces.lookup('e1', 't-old')).toEqual([]);
    expect(await store.traces.lookup('e1', 't-1')).toHaveLength(1);
  });
});
