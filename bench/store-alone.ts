// Tend's store with nothing in front of it: DuckEventStore.append on a fresh data folder, one
// commit per batch. The ingest and OTLP benchmarks use it as the ceiling of their HTTP paths.
import fs from 'node:fs';
import { DatasetRegistry, DuckDatabase, DuckEventStore, type StoredEvent } from '../src/store/index.js';
import { tempDir } from './report.js';

/** Events/s of `store.append`, one commit per batch; only the appends are timed. */
export async function storeAppendRate(batches: Iterable<StoredEvent[]>): Promise<number> {
  const dir = tempDir('bench-store');
  const db = await DuckDatabase.open(dir);
  try {
    const store = await DuckEventStore.open(db);
    const dataset = await (await DatasetRegistry.open(db)).findOrCreate('env', 'bench');
    let events = 0;
    let seconds = 0;
    for (const batch of batches) {
      const started = performance.now();
      await store.append([{ dataset, events: batch }]);
      seconds += (performance.now() - started) / 1000;
      events += batch.length;
    }
    return events / seconds;
  } finally {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
