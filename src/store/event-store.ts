// EventStore: where events live. DuckDB implements it now (store/duckdb); ClickHouse will
// implement the same interface, so ingest and query never learn which one they talk to.
import type { Column, Dataset, StoredEvent } from './types.js';
import type { Row } from './meta-store.js';

export interface DatasetWrite {
  dataset: Dataset;
  events: StoredEvent[];
}

export interface ReadOptions {
  /** Abort the statement after this many milliseconds. */
  timeoutMs: number;
}

export interface EventStore {
  /** Which SQL compiler reads this store. */
  readonly dialect: 'duckdb' | 'clickhouse';
  /**
   * Stores every event of every write in one commit: when the promise resolves, all of them
   * survive a crash; when it rejects, none of them were stored.
   */
  append(writes: DatasetWrite[]): Promise<void>;
  /** The dataset's columns with their types, in the order they first appeared. */
  columns(datasetId: string): Promise<Column[]>;
  /**
   * A SQL relation (a table name or a parenthesised union) holding the events of these
   * datasets that may fall between `fromUs` and `toUs`; always filter on time as well.
   * Undefined when no stored event can fall in the window.
   */
  source(datasetIds: string[], fromUs: number, toUs: number): Promise<string | undefined>;
  /** Runs a read-only statement built by the query compiler. */
  read(sql: string, params: unknown[], options: ReadOptions): Promise<Row[]>;
  /** Drops whole day partitions that end before `beforeUs`; returns how many were dropped. */
  dropBefore(beforeUs: number): Promise<number>;
  /** Bytes used on disk. */
  sizeBytes(): number;
}
