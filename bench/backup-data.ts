// The data folder the backup benchmarks share: BENCH_EVENTS of the query benchmark's events
// over 8 days (bench/query-data.ts), in one dataset. The store keeps its writer connections
// open, and with them DuckDB's lock on the file, so the folder is filled by a child process
// (this file run as a script): the caller can then open it, or start `tend serve` on it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuthService } from '../src/auth/index.js';
import { DatasetRegistry, DuckDatabase, DuckEventStore } from '../src/store/index.js';
import { loadBenchEvents } from './query-data.js';

const self = fileURLToPath(import.meta.url);

export function folderBytes(dir: string): number {
  let n = 0;
  for (const e of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) if (e.isFile()) n += fs.statSync(path.join(e.parentPath, e.name)).size;
  return n;
}

/** Fills `dataDir` with `events` events in a child process; returns once it has exited. */
export function fillDataFolder(dataDir: string, events: number): void {
  execFileSync(process.execPath, ['--import', 'tsx', self, dataDir, String(events)], { stdio: 'inherit' });
}

async function fill(dataDir: string, events: number): Promise<void> {
  const db = await DuckDatabase.open(dataDir);
  try {
    const store = await DuckEventStore.open(db);
    const auth = await AuthService.open(db);
    const env = await auth.ensureEnvironment('production');
    const dataset = await (await DatasetRegistry.open(db)).findOrCreate(env.id, 'bench');
    let shown = 0;
    await loadBenchEvents(store, db, dataset, events, Date.now(), (done) => {
      if (done - shown >= events / 8) console.log(`  loaded ${(done / 1e6).toFixed(1)}M events`);
      shown = done;
    });
  } finally {
    db.close();
  }
}

if (process.argv[1] === self) {
  await fill(process.argv[2], Number(process.argv[3]));
  process.exit(0);
}
