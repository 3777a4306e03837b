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
