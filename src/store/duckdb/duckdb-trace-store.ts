// The trace index in DuckDB: one row per trace per dataset per ingest request, group-committed
// in one INSERT on its own connection. The ART index on trace_id makes a look-up a
// point read.
import { BIGINT, LIST, listValue, VARCHAR, type DuckDBConnection } from '@duckdb/node-api';
import type { TraceEntry, TraceStore } from '../trace-store.js';
import type { DuckDatabase } from './database.js';

const SCHEMA = [
  `CREATE TABLE trace_index (env_id TEXT NOT NULL, trace_id TEXT NOT NULL, dataset_id TEXT NOT NULL, first_us BIGINT NOT NULL, last_us BIGINT NOT NULL)`,
  `CREATE INDEX trace_index_trace_id ON trace_index (trace_id)`,
];

export class DuckTraceStore implements TraceStore {
  private queue: { entries: TraceEntry[]; resolve: () => void; reject: (err: unknown) => void }[] = [];
  private writing = false;

  private constructor(
    private readonly db: DuckDatabase,
    private readonly writer: DuckDBConnection,
  ) {}

  static async open(db: DuckDatabase): Promise<DuckTraceStore> {
    await db.migrate('traces.index.v1', SCHEMA);
    return new DuckTraceStore(db, await db.connect());
  }

  record(entries: TraceEntry[]): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ entries, resolve, reject });
      if (!this.writing) {
        this.writing = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  async lookup(envId: string, traceId: string): Promise<TraceEntry[]> {
    // Filter on trace_id alone so DuckDB answers from the ART index (with a second condition
    // in the WHERE clause it scans the table instead); the environment is checked here.
    const rows = await this.db.query('SELECT env_id, dataset_id, first_us, last_us FROM trace_index WHERE trace_id = $1', [traceId]);
    return rows
      .filter((r) => r.env_id === envId)
      .map((r) => ({ envId, traceId, datasetId: String(r.dataset_id), firstUs: Number(r.first_us), lastUs: Number(r.last_us) }));
  }

  async prune(beforeUs: number): Promise<void> {
    await this.db.query('DELETE FROM trace_index WHERE last_us < $1', [beforeUs]);
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0);
      try {
        // One INSERT of the entries as lists, run on DuckDB's threads. An appender's flush runs
        // on the main thread and waits there while the event store commits on another
        // connection: 13-25 ms per group measured, against 0.3-0.6 ms to start this statement.
        const entries = group.flatMap((g) => g.entries);
        const column = (f: (e: TraceEntry) => string | bigint) => listValue(entries.map(f));
        await this.writer.run(
          'INSERT INTO trace_index SELECT unnest($1), unnest($2), unnest($3), unnest($4), unnest($5)',
          [column((e) => e.envId), column((e) => e.traceId), column((e) => e.datasetId), column((e) => BigInt(e.firstUs)), column((e) => BigInt(e.lastUs))],
          [LIST(VARCHAR), LIST(VARCHAR), LIST(VARCHAR), LIST(BIGINT), LIST(BIGINT)],
        );
        for (const g of group) g.resolve();
      } catch (err) {
        for (const g of group) g.reject(err);
      }
    }
    this.writing = false;
  }
}
