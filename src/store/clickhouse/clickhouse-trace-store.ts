// The trace index in ClickHouse: one row per trace per dataset per ingest request, in a
// MergeTree ordered by trace id, so a look-up reads the few granules holding that id.
// Entries are group-committed: requests arriving while an INSERT runs share the next one.
// Partitioned by the day of last_us, so pruning drops whole days like the events do. On a
// cluster it is sharded like the events (tables.ts): a look-up asks every shard.
import type { TraceEntry, TraceStore } from '../trace-store.js';
import { literal } from './clickhouse-compiler.js';
import type { Tables } from './tables.js';

const DAY_US = 86_400_000_000;
const TABLE = 'trace_index';
const TRACE_COLUMNS = ['env_id', 'trace_id', 'dataset_id', 'first_us', 'last_us'];

export class ClickHouseTraceStore implements TraceStore {
  private queue: { entries: TraceEntry[]; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;

  private constructor(private readonly tables: Tables) {}

  static async open(tables: Tables): Promise<ClickHouseTraceStore> {
    await tables.create(TABLE, 'env_id String, trace_id String, dataset_id String, first_us Int64, last_us Int64', `PARTITION BY intDiv(last_us, ${DAY_US}) ORDER BY trace_id`);
    return new ClickHouseTraceStore(tables);
  }

  record(entries: TraceEntry[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ entries, resolve, reject });
      this.writing ??= this.drain();
    });
  }

  async lookup(envId: string, traceId: string): Promise<TraceEntry[]> {
    const rs = await this.tables.reader.query({
      query: `SELECT dataset_id, first_us, last_us FROM ${TABLE} WHERE trace_id = ${literal(traceId)} AND env_id = ${literal(envId)}`,
      format: 'JSONEachRow',
    });
    const rows = await rs.json<{ dataset_id: string; first_us: number; last_us: number }>();
    return rows.map((r) => ({ envId, traceId, datasetId: r.dataset_id, firstUs: Number(r.first_us), lastUs: Number(r.last_us) }));
  }

  /** Drops the days whose entries all ended before `beforeUs` (entries of its own day stay until the day is whole). */
  async prune(beforeUs: number): Promise<void> {
    for (const { table, partition } of await this.tables.partitions(TABLE)) {
      if (table === TABLE && (Number(partition) + 1) * DAY_US <= beforeUs) await this.tables.dropPartition(TABLE, Number(partition));
    }
  }

  /** Waits for the entries recorded so far. */
  async close(): Promise<void> {
    await this.writing;
  }

  private async drain(): Promise<void> {
    // Let the requests of this turn of the event loop join the first INSERT.
    await new Promise((r) => setImmediate(r));
    while (this.queue.length > 0) {
      const group = this.queue.splice(0);
      try {
        const rows = group.flatMap((g) => g.entries).map((e) => JSON.stringify({ env_id: e.envId, trace_id: e.traceId, dataset_id: e.datasetId, first_us: e.firstUs, last_us: e.lastUs }));
        await this.tables.insert(TABLE, TRACE_COLUMNS, 'JSONEachRow', rows.join('\n'));
        for (const g of group) g.resolve();
      } catch (err) {
        for (const g of group) g.reject(err);
      }
    }
    this.writing = undefined;
  }
}
