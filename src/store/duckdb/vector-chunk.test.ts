// Pins the vector layout vector-chunk.ts writes against the DuckDB package in use: every
// column of chunks built from edge-case values is read back through DuckDB and compared value
// by value, so a DuckDB upgrade that changes the in-memory format fails here, not in a store.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBDataChunk, DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FieldValue } from '../types.js';
import { VECTOR_ROWS, VectorChunkBuilder, type VectorType } from './vector-chunk.js';

const SQL: Record<VectorType, string> = { timestamp: 'TIMESTAMP', integer: 'BIGINT', float: 'DOUBLE', boolean: 'BOOLEAN', string: 'VARCHAR' };

const SAMPLES: Record<VectorType, FieldValue[]> = {
  timestamp: [0, 1, -1, 1_764_000_000_123_456, -62_135_596_800_000_000, 2 ** 53 - 1, -(2 ** 53) + 1],
  integer: [0, 1, -1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32, 2 ** 32 + 1, Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER, 4_294_967_295, -4_294_967_296],
  float: [0, -0, 1.5, -2.25, 1e300, -1e-300, Number.MAX_VALUE, Number.MIN_VALUE, 0.1 + 0.2, Infinity, -Infinity],
  boolean: [true, false],
  string: [
    '',
    'a',
    'abcd',
    'abcdefghijkl', // 12 bytes: the last inline length
    'abcdefghijklm', // 13: the first stored apart
    'é', // 2 bytes
    'ééééé', // 5 units, 10 bytes: inline
    'éééééé', // 6 units, 12 bytes: inline
    'ééééééé', // 7 units, 14 bytes: not inline
    '日本語です', // 5 units, 15 bytes: not inline
    '😀😀😀', // surrogate pairs, 12 bytes
    '😀😀😀a', // 13 bytes
    'x'.repeat(5000),
    'quote " and \\ and \u0001',
  ],
};

let dir: string;
let instance: DuckDBInstance;
let conn: DuckDBConnection;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-vector-'));
  instance = await DuckDBInstance.create(path.join(dir, 'v.duckdb'));
  conn = await instance.connect();
});
afterAll(() => {
  instance.closeSync();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** What DuckDB's JS reader gives back for a value we wrote. */
function expected(type: VectorType, v: FieldValue | null): unknown {
  if (v === null) return null;
  if (type === 'timestamp' || type === 'integer') return BigInt(v as number);
  return v;
}

async function roundTrip(types: VectorType[], rows: (FieldValue | null)[][]): Promise<unknown[][]> {
  const table = `t${Math.floor(Math.random() * 1e9)}`;
  await conn.run(`CREATE TABLE ${table} (i INTEGER, ${types.map((t, c) => `c${c} ${SQL[t]}`).join(', ')})`);
  const appender = await conn.createAppender(table);
  for (let start = 0; start < rows.length; start += VECTOR_ROWS) {
    const slice = rows.slice(start, start + VECTOR_ROWS);
    const builder = new VectorChunkBuilder(['integer', ...types], slice.length);
    slice.forEach((row, r) => {
      builder.set(0, r, start + r);
      row.forEach((v, c) => v !== null && builder.set(c + 1, r, v));
    });
    appender.appendDataChunk(new DuckDBDataChunk(builder.finish()));
  }
  appender.closeSync();
  // Timestamps come back as their microseconds, to compare exactly.
  const cols = types.map((t, c) => (t === 'timestamp' ? `epoch_us(c${c})` : `c${c}`));
  const reader = await conn.runAndReadAll(`SELECT ${cols.join(', ')} FROM ${table} ORDER BY i`);
  return reader.getRowsJS() as unknown[][];
}

function compare(types: VectorType[], rows: (FieldValue | null)[][], back: unknown[][]): void {
  expect(back.length).toBe(rows.length);
  for (let r = 0; r < rows.length; r++) {
    for (let c = 0; c < types.length; c++) {
      const want = expected(types[c], rows[r][c]);
      const got = back[r][c];
      if (!Object.is(got, want)) {
        expect({ row: r, column: c, type: types[c], got }).toEqual({ row: r, column: c, type: types[c], got: want });
      }
    }
  }
}

describe('VectorChunkBuilder', () => {
  for (const type of Object.keys(SAMPLES) as VectorType[]) {
    it(`writes ${type} values DuckDB reads back unchanged, with NULLs between them`, async () => {
      const values = SAMPLES[type];
      // Each value, then a NULL, so validity bits on both sides of every value are checked.
      const rows = values.flatMap((v) => [[v], [null]]);
      compare([type], rows, await roundTrip([type], rows));
    });
  }

  it('keeps every column of full chunks apart, across chunk boundaries, with mixed NULLs', async () => {
    const types: VectorType[] = ['timestamp', 'integer', 'float', 'boolean', 'string', 'string'];
    const n = VECTOR_ROWS * 2 + 77;
    let seed = 7;
    const next = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
    const rows = Array.from({ length: n }, () =>
      types.map((t) => {
        if (next() < 0.2) return null;
        const pool = SAMPLES[t];
        return pool[Math.floor(next() * pool.length)];
      }),
    );
    compare(types, rows, await roundTrip(types, rows));
  });

  it('writes a column with no NULL at all and one with only NULLs', async () => {
    const rows = Array.from({ length: 300 }, (_, i) => [i * 1000, null] as (FieldValue | null)[]);
    compare(['integer', 'string'], rows, await roundTrip(['integer', 'string'], rows));
  });

  it('refuses more rows than a vector holds', () => {
    expect(() => new VectorChunkBuilder(['integer'], VECTOR_ROWS + 1)).toThrow(/at most/);
  });
});
