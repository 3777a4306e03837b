// The embedded EventStore. Each dataset has a column list (first-seen types, see
// column-types.ts) and one table per UTC day with exactly those columns in that order, so a
// batch is appended column by column through DuckDB's appender, inside one transaction.
import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  DuckDBConnection,
  DuckDBDataChunk,
  DuckDBTimestampValue,
  TIMESTAMP,
  VARCHAR,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import type { DatasetWrite, EventStore, ReadOptions } from '../event-store.js';
import type { Row } from '../meta-store.js';
import { place, typeOfValue } from '../column-types.js';
import { SAMPLERATE_COLUMN, TIME_COLUMN, type Column, type ColumnType, type StoredEvent } from '../types.js';
import { DuckDatabase } from './database.js';
import { DuckDbCompiler } from './duckdb-compiler.js';
import { readRows, sourceOf } from './duckdb-reader.js';
import { DuckTraceStore } from './duckdb-trace-store.js';
import { WriteGate, type WriteMode } from './write-gate.js';
import { DAY_US, dayOf, partitionTable, quoteIdent } from './partitions.js';

const SQL_TYPE: Record<ColumnType, string> = { string: 'VARCHAR', integer: 'BIGINT', float: 'DOUBLE', boolean: 'BOOLEAN' };
const CHUNK_TYPE: Record<ColumnType, DuckDBType> = { string: VARCHAR, integer: BIGINT, float: DOUBLE, boolean: BOOLEAN };
/** DuckDB's vector size: a data chunk holds at most this many rows. */
const CHUNK_ROWS = 2048;

interface WritePlan {
  ddl: string[];
  metaInserts: { sql: string; params: unknown[] }[];
  /** The schema of each write's dataset after these writes, in the order of the writes. */
  schemas: DatasetSchema[];
  /** Each write's events by UTC day, in the order of the writes. */
  days: Map<number, StoredEvent[]>[];
}

interface DatasetSchema {
  columns: Column[];
  index: Map<string, number>;
  /** day number -> table name */
  partitions: Map<number, string>;
}

const SCHEMA = [
  `CREATE TABLE dataset_columns (dataset_id TEXT NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, PRIMARY KEY (dataset_id, name))`,
  `CREATE TABLE event_partitions (dataset_id TEXT NOT NULL, day INTEGER NOT NULL, table_name TEXT NOT NULL, PRIMARY KEY (dataset_id, day))`,
];

/** Transactions appending at once; more would only contend for the same two cores. */
const CONCURRENT_WRITERS = 2;

export class DuckEventStore implements EventStore {
  private schemas = new Map<string, DatasetSchema>();
  private readonly gate = new WriteGate(CONCURRENT_WRITERS);

  private constructor(
    private readonly db: DuckDatabase,
    /** Idle writer connections: a transaction holds one from BEGIN to COMMIT. */
    private readonly writers: DuckDBConnection[],
    readonly traces: DuckTraceStore,
  ) {}

  compiler(): DuckDbCompiler {
    return new DuckDbCompiler();
  }

  static async open(db: DuckDatabase): Promise<DuckEventStore> {
    await db.migrate('store.duckdb.v1', SCHEMA);
    const writers = await Promise.all(Array.from({ length: CONCURRENT_WRITERS }, () => db.connect()));
    return new DuckEventStore(db, writers, await DuckTraceStore.open(db));
  }

  async append(writes: DatasetWrite[]): Promise<void> {
    // Plan against the cached schemas under a shared slot; a plan that needs DDL is redone
    // alone, since another writer may change the schemas in between.
    let mode: WriteMode = 'shared';
    let plan: WritePlan;
    for (;;) {
      await this.gate.acquire(mode);
      try {
        plan = await this.planWrites(writes);
      } catch (err) {
        this.gate.release(mode);
        throw err;
      }
      if (mode === 'exclusive' || (plan.ddl.length === 0 && plan.metaInserts.length === 0)) break;
      this.gate.release(mode);
      mode = 'exclusive';
    }
    try {
      await this.inTransaction(async (conn) => {
        for (const sql of plan.ddl) await conn.run(sql);
        for (const m of plan.metaInserts) await conn.run(m.sql, m.params as never);
        for (let i = 0; i < writes.length; i++) await appendRows(conn, plan.schemas[i], plan.days[i]);
      });
      for (let i = 0; i < writes.length; i++) this.schemas.set(writes[i].dataset.id, plan.schemas[i]);
    } finally {
      this.gate.release(mode);
    }
  }

  /** The schemas these writes need, and the statements that make them real. */
  private async planWrites(writes: DatasetWrite[]): Promise<WritePlan> {
    const plan: WritePlan = { ddl: [], metaInserts: [], schemas: [], days: [] };
    for (const w of writes) {
      // Work on copies so a failed commit leaves the cached schema as it was.
      const next = cloneSchema(await this.schemaOf(w.dataset.id));
      const days = groupByDay(w.events);
      evolveSchema(w.dataset.id, next, days, plan.ddl, plan.metaInserts);
      plan.schemas.push(next);
      plan.days.push(days);
    }
    return plan;
  }

  private async inTransaction(work: (conn: DuckDBConnection) => Promise<void>): Promise<void> {
    const conn = this.writers.pop()!;
    try {
      await conn.run('BEGIN TRANSACTION');
      try {
        await work(conn);
        await conn.run('COMMIT');
      } catch (err) {
        await conn.run('ROLLBACK').catch(() => undefined);
        throw err;
      }
    } finally {
      this.writers.push(conn);
    }
  }

  async columns(datasetId: string): Promise<Column[]> {
    return [...(await this.schemaOf(datasetId)).columns];
  }

  async source(datasetIds: string[], fromUs: number, toUs: number, columns?: Column[]): Promise<string | undefined> {
    const schemas = await Promise.all(datasetIds.map((id) => this.schemaOf(id)));
    return sourceOf(schemas, fromUs, toUs, columns);
  }

  read(sql: string, params: unknown[], options: ReadOptions): Promise<Row[]> {
    return readRows(this.db, sql, params, options);
  }

  async dropBefore(beforeUs: number): Promise<number> {
    const rows = await this.db.query<{ dataset_id: string; day: number; table_name: string }>(
      'SELECT dataset_id, day, table_name FROM event_partitions WHERE day < $1',
      [Math.floor(beforeUs / DAY_US)],
    );
    for (const r of rows) {
      await this.gate.acquire('exclusive');
      try {
        await this.inTransaction(async (conn) => {
          await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(r.table_name)}`);
          await conn.run('DELETE FROM event_partitions WHERE dataset_id = $1 AND day = $2', [r.dataset_id, r.day]);
        });
        this.schemas.get(r.dataset_id)?.partitions.delete(r.day);
      } finally {
        this.gate.release('exclusive');
      }
    }
    return rows.length;
  }

  /**
   * Folds DuckDB's write-ahead log into the database file while no append runs, so a start
   * after a crash replays little (checkpoints.ts calls this on a schedule, and a clean stop
   * once more at the end).
   */
  async checkpoint(): Promise<void> {
    await this.gate.acquire('exclusive');
    try {
      await this.db.checkpoint();
    } finally {
      this.gate.release('exclusive');
    }
  }

  /** Bytes in DuckDB's write-ahead log: what a start after a crash would replay. */
  walBytes(): number {
    return this.db.walBytes();
  }

  sizeBytes(): number {
    return this.db.sizeBytes();
  }

  private async schemaOf(datasetId: string): Promise<DatasetSchema> {
    const cached = this.schemas.get(datasetId);
    if (cached) return cached;
    const cols = await this.db.query<{ name: string; type: ColumnType }>(
      'SELECT name, type FROM dataset_columns WHERE dataset_id = $1 ORDER BY position',
      [datasetId],
    );
    const parts = await this.db.query<{ day: number; table_name: string }>(
      'SELECT day, table_name FROM event_partitions WHERE dataset_id = $1',
      [datasetId],
    );
    const schema: DatasetSchema = {
      columns: cols.map((c) => ({ name: c.name, type: c.type })),
      index: new Map(cols.map((c, i) => [c.name, i])),
      partitions: new Map(parts.map((p) => [p.day, p.table_name])),
    };
    this.schemas.set(datasetId, schema);
    return schema;
  }
}

function groupByDay(events: StoredEvent[]): Map<number, StoredEvent[]> {
  const byDay = new Map<number, StoredEvent[]>();
  for (const e of events) {
    const day = dayOf(e.time);
    const list = byDay.get(day);
    if (list) list.push(e);
    else byDay.set(day, [e]);
  }
  return byDay;
}

/** Appends events to their day tables, one data chunk of up to 2,048 rows at a time. */
async function appendRows(conn: DuckDBConnection, schema: DatasetSchema, byDay: Map<number, StoredEvent[]>): Promise<void> {
  const types = [TIMESTAMP, BIGINT, ...schema.columns.map((c) => CHUNK_TYPE[c.type])];
  for (const [day, dayEvents] of byDay) {
    const appender = await conn.createAppender(schema.partitions.get(day)!);
    for (let start = 0; start < dayEvents.length; start += CHUNK_ROWS) {
      const slice = dayEvents.slice(start, start + CHUNK_ROWS);
      const chunk = DuckDBDataChunk.create(types, slice.length);
      const columns = toColumns(schema, slice);
      for (let c = 0; c < columns.length; c++) chunk.setColumnValues(c, columns[c]);
      appender.appendDataChunk(chunk);
    }
    appender.flushSync();
    appender.closeSync();
  }
}

function cloneSchema(s: DatasetSchema): DatasetSchema {
  return { columns: s.columns.map((c) => ({ ...c })), index: new Map(s.index), partitions: new Map(s.partitions) };
}

/**
 * Adds the columns, type widenings and day tables these events need to `schema`, and the
 * statements that make them real to `ddl` and `metaInserts`.
 */
function evolveSchema(
  datasetId: string,
  schema: DatasetSchema,
  byDay: Map<number, StoredEvent[]>,
  ddl: string[],
  metaInserts: { sql: string; params: unknown[] }[],
): void {
  const newDays = [...byDay.keys()].filter((day) => !schema.partitions.has(day));
  for (const day of newDays) schema.partitions.set(day, partitionTable(datasetId, day));
  const addColumn = (name: string, type: ColumnType) => {
    schema.index.set(name, schema.columns.length);
    schema.columns.push({ name, type });
    metaInserts.push({
      sql: 'INSERT INTO dataset_columns (dataset_id, position, name, type) VALUES ($1, $2, $3, $4)',
      params: [datasetId, schema.columns.length - 1, name, type],
    });
    // Day tables new in this batch are created at the end with every column.
    for (const [day, table] of schema.partitions) {
      if (!newDays.includes(day)) ddl.push(`ALTER TABLE ${quoteIdent(table)} ADD COLUMN ${quoteIdent(name)} ${SQL_TYPE[type]}`);
    }
  };
  for (const events of byDay.values()) for (const e of events) {
    for (const name in e.fields) {
      const value = e.fields[name];
      const at = schema.index.get(name);
      if (at === undefined) {
        addColumn(name, typeOfValue(value));
        continue;
      }
      const column = schema.columns[at];
      if (fitsColumn(column.type, value)) continue;
      const placement = place(name, column.type, value);
      if (placement.kind === 'widen') {
        column.type = 'float';
        metaInserts.push({ sql: `UPDATE dataset_columns SET type = 'float' WHERE dataset_id = $1 AND name = $2`, params: [datasetId, name] });
        for (const [day, table] of schema.partitions) {
          if (!newDays.includes(day)) ddl.push(`ALTER TABLE ${quoteIdent(table)} ALTER COLUMN ${quoteIdent(name)} SET DATA TYPE DOUBLE`);
        }
      } else if (placement.kind === 'sibling' && !schema.index.has(placement.column)) {
        addColumn(placement.column, placement.type);
      }
    }
  }
  // New day tables are created last, with the final column list.
  for (const day of newDays) {
    const table = schema.partitions.get(day)!;
    const cols = [`${quoteIdent(TIME_COLUMN)} TIMESTAMP NOT NULL`, `${quoteIdent(SAMPLERATE_COLUMN)} BIGINT NOT NULL`];
    for (const c of schema.columns) cols.push(`${quoteIdent(c.name)} ${SQL_TYPE[c.type]}`);
    ddl.push(`CREATE TABLE ${quoteIdent(table)} (${cols.join(', ')})`);
    metaInserts.push({
      sql: 'INSERT INTO event_partitions (dataset_id, day, table_name) VALUES ($1, $2, $3)',
      params: [datasetId, day, table],
    });
  }
}

/** Turns events into one value array per table column, converted to the column's type. */
function toColumns(schema: DatasetSchema, events: StoredEvent[]): DuckDBValue[][] {
  const n = events.length;
  const out: DuckDBValue[][] = [new Array(n), new Array(n)];
  for (let c = 0; c < schema.columns.length; c++) out.push(new Array(n).fill(null));
  for (let r = 0; r < n; r++) {
    const e = events[r];
    out[0][r] = new DuckDBTimestampValue(BigInt(Math.round(e.time)));
    out[1][r] = BigInt(e.samplerate);
    for (const name in e.fields) {
      const at = schema.index.get(name)!;
      const column = schema.columns[at];
      const value = e.fields[name];
      if (fitsColumn(column.type, value)) {
        out[at + 2][r] = column.type === 'integer' ? BigInt(value as number) : value;
        continue;
      }
      const placement = place(name, column.type, value);
      if (placement.kind === 'sibling') {
        const s = schema.index.get(placement.column)!;
        out[s + 2][r] = toDuck(schema.columns[s].type, placement.value);
      } else {
        out[at + 2][r] = toDuck(column.type, placement.value);
      }
    }
  }
  return out;
}

/** The common case, checked before the full rule in column-types.ts: the value already fits. */
function fitsColumn(type: ColumnType, value: string | number | boolean): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'float':
      return typeof value === 'number';
    case 'integer':
      return Number.isSafeInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
  }
}

function toDuck(type: ColumnType, value: string | number | boolean): DuckDBValue {
  return type === 'integer' ? BigInt(value as number) : value;
}
