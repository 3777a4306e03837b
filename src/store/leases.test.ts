import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDatabase } from './duckdb/database.js';
import { Leases } from './leases.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leases-'));
const db = await DuckDatabase.open(dir);
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('leases', () => {
  it('lets one node hold work until its lease runs out, then another', async () => {
    const a = await Leases.open(db, 'node-a');
    const b = await Leases.open(db, 'node-b');
    const t0 = 1_000_000;
    expect(await a.acquire('work', 10_000, t0)).toBe(true);
    expect(await b.acquire('work', 10_000, t0 + 1)).toBe(false);
    expect(await a.acquire('work', 10_000, t0 + 5_000)).toBe(true); // renewed until t0 + 15 s
    expect(await b.acquire('work', 10_000, t0 + 12_000)).toBe(false);
    expect(await b.acquire('work', 10_000, t0 + 15_001)).toBe(true);
    expect(await a.acquire('work', 10_000, t0 + 15_002)).toBe(false);
    await b.release('work');
    expect(await a.acquire('work', 10_000, t0 + 15_003)).toBe(true);
    expect(await b.acquire('other', 10_000, t0)).toBe(true);
  });
});
