// node --import tsx bench/ingest-checkpoints.ts — what a checkpoint costs against how much log
// it folds (issue 18: the log size that triggers one bounds the rows DuckDB holds in memory, and
// ingest waits while one runs). Appends BENCH_BATCHES (600) batches of 1,000 bench events to
// Tend's store, one commit each, checkpointing whenever the log reaches the size under test;
// prints the append time, the checkpoints' count, total, median and longest time (the longest
// is the stall an ingest request sees), and the file size. BENCH_WAL_MIB: sizes ("4 8 16 32 64").
import fs from 'node:fs';
import { DatasetRegistry, DuckDatabase, DuckEventStore, type StoredEvent } from '../src/store/index.js';
import { generateEvents } from './generator.js';
import { recordResult, tempDir } from './report.js';

const BATCHES = Number(process.env.BENCH_BATCHES ?? 600);
const SIZES = (process.env.BENCH_WAL_MIB ?? '4 8 16 32 64').split(/\s+/).filter(Boolean).map(Number);
const now = Date.now() * 1000;
const results = [];
for (const mib of SIZES) {
  const dir = tempDir('bench-checkpoints');
  const db = await DuckDatabase.open(dir);
  try {
    const store = await DuckEventStore.open(db);
    const dataset = await (await DatasetRegistry.open(db)).findOrCreate('env', 'bench');
    let appendMs = 0;
    const checkpoints: number[] = [];
    for (let b = 0; b < BATCHES; b++) {
      const events: StoredEvent[] = generateEvents(b * 1000, 1000).map((fields, i) => ({ time: now - 1e9 + b * 1000 + i, samplerate: 1, fields }));
      let started = performance.now();
      await store.append([{ dataset, events }]);
      appendMs += performance.now() - started;
      if (db.walBytes() < mib * 2 ** 20) continue;
      started = performance.now();
      await store.checkpoint();
      checkpoints.push(performance.now() - started);
    }
    checkpoints.sort((x, y) => x - y);
    const total = checkpoints.reduce((x, y) => x + y, 0);
    const r = {
      walMiB: mib,
      appendMs: Math.round(appendMs),
      checkpoints: checkpoints.length,
      checkpointMs: Math.round(total),
      checkpointUsPerEvent: Math.round((total * 1000 * 100) / (BATCHES * 1000)) / 100,
      medianMs: Math.round(checkpoints[checkpoints.length >> 1] ?? 0),
      longestMs: Math.round(checkpoints.at(-1) ?? 0),
      fileMiB: Math.round(db.sizeBytes() / 2 ** 20),
    };
    console.log(JSON.stringify(r));
    results.push(r);
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
recordResult('ingest-checkpoints', { batches: BATCHES, results });
