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
