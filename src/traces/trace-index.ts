// The trace index: which datasets hold a trace, and the time window its events fall in.
// Written at ingest by the OTLP adapter (one row per trace per dataset per request, group-
// committed), read by the trace API so that finding a trace by id scans only the day
// partitions and row groups of that window instead of every event of the environment.
// The ART index on trace_id makes the look-up itself a point read.
import type { DuckDBConnection } from '@duckdb/node-api';
import type { TraceIndexWriter, TraceRef } from '../ingest/index.js';
import type { DatasetRegistry, DuckDatabase } from '../store/index.js';

const SCHEMA = [
  `CREATE TABLE trace_index (env_id TEXT NOT NULL, trace_id TEXT NOT NULL, dataset_id TEXT NOT NULL, first_us BIGINT NOT NULL, last_us BIGINT NOT NULL)`,
  `CREATE INDEX trace_index_trace_id ON trace_index (trace_id)`,
];

/** Where a trace's events are: one dataset, between two times (µs, inclusive). */
export interface TraceLocation {
  datasetId: string;
  firstUs: number;
  lastUs: number;
}

interface Row {
  envId: string;
  traceId: string;
  datasetId: string;
  firstUs: number;
  lastUs: number;
}

export class TraceIndex implements TraceIndexWriter {
  private queue: { rows: Row[]; done: () => void }[] = [];
  private writing = false;
  /** Rows that could not be written; the trace API then finds those traces by scanning. */
  failures = 0;

  private constructor(
    private readonly db: DuckDatabase,
    private readonly datasets: DatasetRegistry,
    private readonly writer: DuckDBConnection,
    private readonly logError: (err: unknown) => void,
  ) {}

  static async open(db: DuckDatabase, datasets: DatasetRegistry, logError: (err: unknown) => void): Promise<TraceIndex> {
    await db.migrate('traces.index.v1', SCHEMA);
    return new TraceIndex(db, datasets, await db.connect(), logError);
  }

  async record(envId: string, refs: TraceRef[]): Promise<void> {
    const rows: Row[] = [];
    try {
      for (const r of refs) {
        const ds = await this.datasets.findOrCreate(envId, r.dataset);
        rows.push({ envId, traceId: r.traceId, datasetId: ds.id, firstUs: r.firstUs, lastUs: r.lastUs });
      }
    } catch (err) {
      this.failures += refs.length;
      this.logError(err);
      return;
    }
    await new Promise<void>((done) => {
      this.queue.push({ rows, done });
      if (!this.writing) {
        this.writing = true;
        setImmediate(() => void this.drain());
      }
    });
  }

  async lookup(envId: string, traceId: string): Promise<TraceLocation[]> {
    // Filter on trace_id alone so DuckDB answers from the ART index (with a second condition
    // in the WHERE clause it scans the table instead); the few rows are merged here.
    const rows = await this.db.query('SELECT env_id, dataset_id, first_us, last_us FROM trace_index WHERE trace_id = $1', [traceId]);
    const byDataset = new Map<string, TraceLocation>();
    for (const r of rows) {
      if (r.env_id !== envId) continue;
      const id = String(r.dataset_id);
      const loc = byDataset.get(id) ?? { datasetId: id, firstUs: Number(r.first_us), lastUs: Number(r.last_us) };
      loc.firstUs = Math.min(loc.firstUs, Number(r.first_us));
      loc.lastUs = Math.max(loc.lastUs, Number(r.last_us));
      byDataset.set(id, loc);
    }
    return [...byDataset.values()];
  }

  /** Forgets traces whose events all ended before `beforeUs` (their day partitions are gone). */
  async prune(beforeUs: number): Promise<void> {
    await this.db.query('DELETE FROM trace_index WHERE last_us < $1', [beforeUs]);
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const group = this.queue.splice(0);
      try {
        await this.writer.run('BEGIN TRANSACTION');
        const appender = await this.writer.createAppender('trace_index');
        for (const g of group) {
          for (const r of g.rows) {
            appender.appendVarchar(r.envId);
            appender.appendVarchar(r.traceId);
            appender.appendVarchar(r.datasetId);
            appender.appendBigInt(BigInt(r.firstUs));
            appender.appendBigInt(BigInt(r.lastUs));
            appender.endRow();
          }
        }
        appender.flushSync();
        appender.closeSync();
        await this.writer.run('COMMIT');
      } catch (err) {
        await this.writer.run('ROLLBACK').catch(() => undefined);
        this.failures += group.reduce((n, g) => n + g.rows.length, 0);
        this.logError(err);
      }
      for (const g of group) g.done();
    }
    this.writing = false;
  }
}
