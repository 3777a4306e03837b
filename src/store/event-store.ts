// EventStore: where events live. DuckDB implements it now (store/duckdb); ClickHouse will
// implement the same interface, so ingest and query never learn which one they talk to:
// the store hands out its own SQL compiler, reads throw the engine-neutral errors of
// errors.ts, and the trace index is part of it.
import type { Column, Dataset, StoredEvent } from './types.js';
import type { Row } from './meta-store.js';
import type { SqlCompiler } from './sql-compiler.js';
import type { TraceStore } from './trace-store.js';

export interface DatasetWrite {
  dataset: Dataset;
  events: StoredEvent[];
}

/** A write's events by dataset id, the writes of one dataset joined (an append commits each dataset's at once). */
export function eventsByDataset(writes: DatasetWrite[]): Map<string, StoredEvent[]> {
  const byDataset = new Map<string, StoredEvent[]>();
  for (const w of writes) {
    const list = byDataset.get(w.dataset.id);
    if (list) list.push(...w.events);
    else byDataset.set(w.dataset.id, [...w.events]);
  }
  return byDataset;
}

export interface AppendOptions {
  /** Most user columns a dataset may have: an event that would add columns past it is refused. */
  maxColumnsPerDataset?: number;
}

/** An event append() refused whole (the others of its write were stored). */
export interface Refusal {
  event: StoredEvent;
  /** What is wrong, naming the limit: for the client. */
  problem: string;
}

export interface ReadOptions {
  /** Abort the statement after this many milliseconds. */
  timeoutMs: number;
}

export interface EventStore {
  /** A fresh compiler for this store's SQL, with an empty parameter list. */
  compiler(): SqlCompiler;
  /**
   * Stores every event of every write in one commit, except those it refuses (returned, with
   * the reason): when the promise resolves, all the others survive a crash and every read
   * started afterwards sees them; when it rejects, none of them were stored.
   */
  append(writes: DatasetWrite[], options?: AppendOptions): Promise<Refusal[]>;
  /** The dataset's columns with their types, in the order they first appeared. */
  columns(datasetId: string): Promise<Column[]>;
  /**
   * A SQL relation (a table name or a parenthesised union) holding the events of these
   * datasets that may fall between `fromUs` and `toUs`; always filter on time as well.
   * Undefined when no stored event can fall in the window.
   *
   * With `columns`, the relation has each of them with the type asked for, whichever
   * datasets and days it spans: a column a table lacks reads as NULL, one stored with
   * another type is cast (to text, or a whole number to a float). Without, it has the
   * columns of the tables it reads.
   */
  source(datasetIds: string[], fromUs: number, toUs: number, columns?: Column[]): Promise<string | undefined>;
  /**
   * Runs a read-only statement built by the store's compiler. Throws ReadTimeoutError past
   * the timeout, BadValueError when a value cannot be computed, UnknownColumnError for a
   * column the relation lacks (errors.ts); anything else is a fault in Tend.
   */
  read(sql: string, params: unknown[], options: ReadOptions): Promise<Row[]>;
  /** The trace index: which datasets and times hold each trace. */
  readonly traces: TraceStore;
  /**
   * Drops whole day partitions that end before `beforeUs`, of the datasets `which` accepts (all
   * by default; the audit log keeps its own retention); returns how many were dropped.
   */
  dropBefore(beforeUs: number, which?: (datasetId: string) => boolean): Promise<number>;
  /** Bytes used on disk. */
  sizeBytes(): number;
  /**
   * How long ingest waits for more requests before a group commit starts (0 or absent: only for
   * the requests of the same turn of the event loop): for a store whose every commit has a
   * high fixed cost, fewer and larger commits.
   */
  readonly commitLingerMs?: number;
}
