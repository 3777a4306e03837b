import { describe, expect, it } from 'vitest';
import type { FieldValue, StoredEvent } from '../types.js';
import { DAY_US } from './partitions.js';
import { changesSchema, emptySchema, planDataset, type DatasetSchema } from './write-plan.js';

const DAY = 20_000;
const ev = (fields: Record<string, FieldValue>, day = DAY): StoredEvent => ({ time: day * DAY_US + 1, samplerate: 1, fields });
const fields = (prefix: string, n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, i]));

/** Plans and "commits" (keeps the planned schema), like the store does. */
function commit(schema: DatasetSchema, events: StoredEvent[], max = Infinity) {
  const plan = planDataset('ds', schema, events, max);
  return { plan, schema: plan.schema, tables: [...plan.writes].map(([t, list]) => [t.name, t.names.length, list.length]) };
}

describe('planDataset', () => {
  it('puts events that look alike in one table per day, created with their columns', () => {
    const { plan, tables } = commit(emptySchema(), [ev({ a: 1, b: 'x' }), ev({ a: 2, c: true }), ev({ a: 3 }, DAY + 1)]);
    expect(tables).toEqual([
      ['ev_ds_20241004', 3, 2],
      ['ev_ds_20241005', 1, 1],
    ]);
    expect(plan.ddl).toEqual([
      'CREATE TABLE "ev_ds_20241004" ("__time" TIMESTAMP NOT NULL, "__samplerate" BIGINT NOT NULL, "a" BIGINT, "b" VARCHAR, "c" BOOLEAN)',
      'CREATE TABLE "ev_ds_20241005" ("__time" TIMESTAMP NOT NULL, "__samplerate" BIGINT NOT NULL, "a" BIGINT)',
    ]);
  });

  it('changes nothing and copies nothing when the events fit the tables', () => {
    const first = commit(emptySchema(), [ev({ a: 1, b: 'x' })]).schema;
    const { plan } = commit(first, [ev({ a: 2 }), ev({ b: 'y', a: 3 })]);
    expect(changesSchema(plan)).toBe(false);
    expect(plan.schema).toBe(first);
  });

  it('adds a new column only to the table its event goes to', () => {
    let schema = commit(emptySchema(), [ev({ a: 1 }), ev({ a: 1 }, DAY + 1)]).schema;
    const { plan } = commit(schema, [ev({ a: 2, z: 'new' }, DAY + 1)]);
    expect(plan.ddl).toEqual(['ALTER TABLE "ev_ds_20241005" ADD COLUMN "z" VARCHAR']);
    expect(plan.newColumns).toEqual([[1, 'z', 'string']]);
    schema = plan.schema;
    expect(schema.days.get(DAY)![0].names).toEqual(['a']);
    expect(schema.days.get(DAY + 1)![0].names).toEqual(['a', 'z']);
  });

  it('starts a narrow table for a one-field event beside a wide one, and reuses it', () => {
    let schema = commit(emptySchema(), [ev(fields('w', 2000))]).schema;
    const one = commit(schema, [ev({ w5: 1 })]);
    expect(one.tables).toEqual([['ev_ds_20241004_1', 1, 1]]);
    schema = one.schema;
    // Another few-field event joins the narrow table (one ALTER), not the wide one.
    const two = commit(schema, [ev({ w5: 2, w6: 3 })]);
    expect(two.tables).toEqual([['ev_ds_20241004_1', 2, 1]]);
    // A wide event still goes to the wide table.
    expect(commit(two.schema, [ev(fields('w', 1990))]).tables).toEqual([['ev_ds_20241004', 2000, 1]]);
  });

  it('widens an integer column to float in every table holding it', () => {
    const schema = commit(emptySchema(), [ev({ a: 1 }), ev({ a: 1, ...fields('w', 100) }, DAY + 1), ev({ a: 2 }, DAY + 1)]).schema;
    expect(schema.days.get(DAY + 1)!.length).toBe(2);
    const { plan } = commit(schema, [ev({ a: 1.5 })]);
    expect(plan.widened).toEqual(['a']);
    expect(plan.ddl).toEqual([
      'ALTER TABLE "ev_ds_20241004" ALTER COLUMN "a" SET DATA TYPE DOUBLE',
      'ALTER TABLE "ev_ds_20241005" ALTER COLUMN "a" SET DATA TYPE DOUBLE',
      'ALTER TABLE "ev_ds_20241005_1" ALTER COLUMN "a" SET DATA TYPE DOUBLE',
    ]);
    expect(plan.schema.columns[0]).toEqual({ name: 'a', type: 'float' });
  });

  it('routes a value that cannot be converted to its sibling column', () => {
    const schema = commit(emptySchema(), [ev({ status: 200 })]).schema;
    const { plan } = commit(schema, [ev({ status: 'oops' })]);
    expect(plan.schema.columns.map((c) => c.name)).toEqual(['status', 'status:string']);
    expect([...plan.writes.keys()][0].names).toEqual(['status', 'status:string']);
  });

  it('refuses an event that would pass the column limit, whole, and plans the others', () => {
    const { plan } = commit(emptySchema(), [ev(fields('a', 8)), ev(fields('b', 3)), ev({ a1: 5, c: 1, d: 2 }), ev({ e: 1 })], 10);
    expect(plan.refused.map((r) => Object.keys(r.event.fields))).toEqual([['b0', 'b1', 'b2'], ['e']]);
    expect(plan.refused[0].problem).toMatch(/more than 10 columns/);
    expect(plan.schema.columns.map((c) => c.name)).toEqual([...Object.keys(fields('a', 8)), 'c', 'd']);
    expect([...plan.writes.values()].flat()).toHaveLength(2);
  });

  it('stops starting tables past the per-day bound and widens the narrowest instead', () => {
    let schema = emptySchema();
    // Events of 40 fields, no two alike: two fit a table (80 <= 2 x 40 + 32), a third does not,
    // so they would need 20 tables; the bound is 16.
    for (let k = 0; k < 40; k++) schema = commit(schema, [ev(fields(`g${k}_`, 40))]).schema;
    const tables = schema.days.get(DAY)!;
    expect(tables.length).toBe(16);
    // Every event went somewhere: those past the bound widened existing tables.
    expect(tables.reduce((n, t) => n + t.names.length, 0)).toBe(40 * 40);
  });
});
