// Issue 18 item 1: restarts stay fast. `tend serve` runs as a child process under the ingest
// that is costliest for DuckDB to replay (wide events over 40 days), is killed with SIGKILL,
// and must answer /healthz within 5 s of its next start; a clean stop (SIGTERM) finishes,
// checkpoints and removes server.json within 30 s, and the start after it takes under 2 s.
// Needs the built CLI: `npm run build` first (npm test does).
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, tempDataDir } from './support/tend.js';
import { ingestWide, keysOf, storeFiles, timedStart, type TimedTend } from './support/restart.js';

let current: TimedTend | undefined;
afterAll(() => {
  current?.child.kill('SIGKILL');
});

describe('restart', () => {
  it('starts in under 5 s after kill -9 during 20 s of wide ingest, and in under 2 s after a clean stop', { timeout: 120_000 }, async () => {
    expect(fs.existsSync(cliPath), 'run `npm run build` first').toBe(true);
    const dataDir = tempDataDir('tend-restart');
    current = await timedStart(dataDir);
    const acked = await ingestWide(current.url, keysOf(dataDir).ingest, 20_000);
    expect(acked).toBeGreaterThan(0);
    current.child.kill('SIGKILL');
    await current.exited;
    const afterKill = storeFiles(dataDir);

    current = await timedStart(dataDir);
    expect(current.startMs, `start after kill -9 with a ${(afterKill.wal / 2 ** 20).toFixed(1)} MiB log`).toBeLessThan(5000);
    expect(fs.existsSync(path.join(dataDir, 'server.json'))).toBe(true);

    const t0 = performance.now();
    current.child.kill('SIGTERM');
    const exit = await current.exited;
    const stopMs = performance.now() - t0;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(stopMs).toBeLessThan(30_000);
    expect(fs.existsSync(path.join(dataDir, 'server.json'))).toBe(false);
    expect(storeFiles(dataDir).wal).toBe(0);

    current = await timedStart(dataDir);
    expect(current.startMs, 'start after a clean stop').toBeLessThan(2000);
    current.child.kill('SIGTERM');
    await current.exited;
    current = undefined;
  });
});
