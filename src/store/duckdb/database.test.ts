import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDatabase } from './database.js';

let dir: string;
let db: DuckDatabase | undefined;
afterEach(() => {
  db?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('DuckDatabase', () => {
  it('opens with a 256 MiB checkpoint threshold and the memory limit it is given', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'database-'));
    db = await DuckDatabase.open(dir, { memoryLimit: '1GB' });
    const [row] = await db.query<{ checkpoint: string; memory: string }>(
      `SELECT current_setting('checkpoint_threshold') AS checkpoint, current_setting('memory_limit') AS memory`,
    );
    expect(row.checkpoint).toBe('256.0 MiB');
    expect(row.memory).toMatch(/^(953\.6 MiB|1\.0 GiB|1000\.0 MB|1\.0 GB)$/);
  });
});

describe('DuckDatabase metadata writes', () => {
  it('runs concurrent writers of one row one after another, where DuckDB alone aborts all but one', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'database-'));
    db = await DuckDatabase.open(dir);
    const meta = db;
    await meta.query('CREATE TABLE one_row (k TEXT PRIMARY KEY, v INTEGER NOT NULL)');
    await meta.query(`INSERT INTO one_row VALUES ('k', 0)`);
    const n = 20;
    const results = await Promise.allSettled(
      Array.from({ length: n }, (_, i) =>
        i % 2
          ? meta.query(`UPDATE one_row SET v = v + 1 WHERE k = 'k'`)
          : meta.transaction([
              { sql: `DELETE FROM one_row WHERE k = 'k'` },
              { sql: `INSERT INTO one_row VALUES ('k', $1)`, params: [1000 + i] },
            ]),
      ),
    );
    expect(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))).toEqual([]);
    // The last writer was a transaction (i = 18) followed by one update (i = 19).
    expect(await meta.query(`SELECT v FROM one_row`)).toEqual([{ v: 1019 }]);
  });

  it('checkpoints on demand: the write-ahead log is folded into the database file', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'database-'));
    db = await DuckDatabase.open(dir);
    await db.query('CREATE TABLE t (x INTEGER)');
    for (let i = 0; i < 20; i++) await db.query('INSERT INTO t VALUES ($1)', [i]);
    expect(db.walBytes()).toBeGreaterThan(0);
    await db.checkpoint();
    expect(db.walBytes()).toBe(0);
    expect(await db.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 20 }]);
  });
});

describe('DuckDatabase bulk upserts', () => {
  it('inserts new rows and updates the rest of a row whose key exists, keeping types and nulls', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'database-'));
    db = await DuckDatabase.open(dir);
    await db.query('CREATE TABLE t (env TEXT NOT NULL, id TEXT NOT NULL, n BIGINT, x DOUBLE, ok BOOLEAN, note TEXT, PRIMARY KEY (env, id))');
    const cols = ['env', 'id', 'n', 'x', 'ok', 'note'];
    await db.upsert('t', cols, ['env', 'id'], [
      ['e', 'a', 1_700_000_000_123, 1.5, true, 'first'],
      ['e', 'b', 2, null, false, null],
    ]);
    await db.upsert('t', cols, ['env', 'id'], [
      ['e', 'b', 3, 2.25, true, "it's"],
      ['f', 'a', 4, 0, false, 'other env'],
    ]);
    const rows = await db.query('SELECT * FROM t ORDER BY env, id');
    expect(rows).toEqual([
      { env: 'e', id: 'a', n: 1_700_000_000_123, x: 1.5, ok: true, note: 'first' },
      { env: 'e', id: 'b', n: 3, x: 2.25, ok: true, note: "it's" },
      { env: 'f', id: 'a', n: 4, x: 0, ok: false, note: 'other env' },
    ]);
    await expect(db.upsert('t', cols, ['env', 'id'], [['e', 'c', 1]])).rejects.toThrow(/3 values for 6 columns/);
    await expect(db.upsert('t', cols, ['env', 'id'], [['e', 'd', 1, 0, true, 'x'], ['e', 'c', 'not a number', 0, true, 'x']])).rejects.toThrow();
    // The failed call left nothing staged behind for the next.
    await db.upsert('t', cols, ['env', 'id'], [['e', 'c', 5, null, null, null]]);
    expect(await db.query(`SELECT id, n FROM t WHERE env = 'e' ORDER BY id`)).toEqual([{ id: 'a', n: 1_700_000_000_123 }, { id: 'b', n: 3 }, { id: 'c', n: 5 }]);
  });

  it('inserts rows said to be new beside the upserted ones, and upserts them all when one is stored after all', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'database-'));
    db = await DuckDatabase.open(dir);
    await db.query('CREATE TABLE t (env TEXT NOT NULL, id TEXT NOT NULL, n BIGINT, PRIMARY KEY (env, id))');
    const cols = ['env', 'id', 'n'];
    await db.upsert('t', cols, ['env', 'id'], [], [['e', 'a', 1], ['e', 'b', 2]]);
    await db.upsert('t', cols, ['env', 'id'], [['e', 'a', 10]], [['e', 'c', 3]]);
    expect(await db.query('SELECT id, n FROM t ORDER BY id')).toEqual([{ id: 'a', n: 10 }, { id: 'b', n: 2 }, { id: 'c', n: 3 }]);
    // 'b' is stored: the insert fails, and the whole write is redone as an upsert.
    await db.upsert('t', cols, ['env', 'id'], [['e', 'a', 11]], [['e', 'b', 20], ['e', 'd', 4]]);
    expect(await db.query('SELECT id, n FROM t ORDER BY id')).toEqual([{ id: 'a', n: 11 }, { id: 'b', n: 20 }, { id: 'c', n: 3 }, { id: 'd', n: 4 }]);
    await expect(db.upsert('t', cols, ['env', 'id'], [], [['e', 'x', 'not a number']])).rejects.toThrow();
    expect(await db.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 4 }]);
  });
});
