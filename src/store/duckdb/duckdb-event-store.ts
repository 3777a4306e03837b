// The embedded EventStore. Each dataset has a column list (first-seen types, see
// column-types.ts) and, per UTC day, one or more tables holding the columns their events carry
// (write-plan.ts decides which table an event goes to, so an append costs what its events
// carry, not what the dataset has ever had). A write is planned against cached schemas, then
// appended table by table in DuckDB's vector format (table-appender.ts), in one transaction.
import type { DuckDBConnection } from '@duckdb/node-api';
import { eventsByDataset, type AppendOptions, type DatasetWrite, type EventStore, type ReadOptions, type Refusal } from '../event-store.js';
import type { Row } from '../meta-store.js';
import type { Column, ColumnType } from '../types.js';
import { fieldName } from './column-names.js';
import { DuckDatabase } from './database.js';
import { DuckDbCompiler } from './duckdb-compiler.js';
import { readRows, sourceOf } from './duckdb-reader.js';
import { DuckTraceStore } from './duckdb-trace-store.js';
import { WriteGate, type WriteMode } from './write-gate.js';
import { DAY_US, quoteIdent } from './partitions.js';
import { chunksOf } from './chunk-fill.js';
import { appendChunks, type ChunkSource } from './table-appender.js';
import { changesSchema, emptySchema, planDataset, type DatasetSchema, type DayTable, type SchemaChanges } from './write-plan.js';

const SCHEMA = [
  `CREATE TABLE dataset_columns (dataset_id TEXT NOT NULL, position INTEGER NOT NULL, name TEXT NOT NULL, type TEXT NOT NULL, PRIMARY KEY (dataset_id, name))`,
  `CREATE TABLE event_partitions (dataset_id TEXT NOT NULL, day INTEGER NOT NULL, table_name TEXT NOT NULL, PRIMARY KEY (dataset_id, day))`,
];
/** A day may hold several tables (write-plan.ts); v1 had exactly one, which carries over. */
const SCHEMA_V2 = [
  `CREATE TABLE event_tables (dataset_id TEXT NOT NULL, day INTEGER NOT NULL, table_name TEXT PRIMARY KEY)`,
  `INSERT INTO event_tables (dataset_id, day, table_name) SELECT dataset_id, day, table_name FROM event_partitions`,
  `DROP TABLE event_partitions`,
];

/** Transactions appending at once; more would only contend for the same two cores. */
const CONCURRENT_WRITERS = 2;

/** A dataset's schema as the store holds it, and a number that changes whenever it does. */
export interface VersionedSchema {
  version: number;
  schema: DatasetSchema;
}

/** One dataset's part of a write, planned (write-plan.ts) and cut into chunks, ready to commit. */
export interface PreparedWrite extends SchemaChanges {
  /** The schema once committed: the one it was planned against when it changes nothing. */
  schema: DatasetSchema;
  /** Each destination table's chunks, in order. */
  tables: { name: string; chunks: ChunkSource[] }[];
}

/**
 * Plans a write against the schemas it is given, by dataset id; called again (with the same
 * schemas) when a plan changes a schema while other writers run, to be redone alone.
 */
export type PrepareWrite = (schemas: Map<string, VersionedSchema>) => Promise<Map<string, PreparedWrite>>;

export class DuckEventStore implements EventStore {
  private schemas = new Map<string, DatasetSchema>();
  /** dataset id -> the number of its cached schema (VersionedSchema), from one counter. */
  private versions = new Map<string, number>();
  private lastVersion = 0;
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
    await db.migrate('store.duckdb.v2', SCHEMA_V2);
    const writers = await Promise.all(Array.from({ length: CONCURRENT_WRITERS }, () => db.connect()));
    return new DuckEventStore(db, writers, await DuckTraceStore.open(db));
  }

  async append(writes: DatasetWrite[], options: AppendOptions = {}): Promise<Refusal[]> {
    const byDataset = eventsByDataset(writes);
    let refused: Refusal[] = [];
    await this.appendPrepared([...byDataset.keys()], async (schemas) => {
      refused = [];
      const prepared = new Map<string, PreparedWrite>();
      for (const [id, events] of byDataset) {
        const plan = planDataset(id, schemas.get(id)!.schema, events, options.maxColumnsPerDataset ?? Infinity);
        refused.push(...plan.refused);
        prepared.set(id, { ...plan, tables: [...plan.writes].map(([table, list]) => ({ name: table.name, chunks: chunksOf(plan.schema, table, list).map((fill) => ({ fill })) })) });
      }
      return prepared;
    });
    return refused;
  }

  /**
   * Commits a write that `prepare` plans against the current schemas: append() plans here; an
   * ingest worker thread plans and fills events it holds (src/ingest/worker), so that work
   * leaves the main thread. Planned under a shared slot; a plan that changes a schema is redone
   * alone, since another writer may change the schemas in between.
   */
  async appendPrepared(datasetIds: string[], prepare: PrepareWrite): Promise<void> {
    let mode: WriteMode = 'shared';
    let prepared: Map<string, PreparedWrite>;
    for (;;) {
      await this.gate.acquire(mode);
      try {
        const schemas = new Map<string, VersionedSchema>();
        for (const id of datasetIds) {
          const schema = await this.schemaOf(id);
          schemas.set(id, { version: this.versions.get(id)!, schema });
        }
        prepared = await prepare(schemas);
      } catch (err) {
        this.gate.release(mode);
        throw err;
      }
      if (mode === 'exclusive' || ![...prepared.values()].some(changesSchema)) break;
      this.gate.release(mode);
      mode = 'exclusive';
    }
    try {
      await this.inTransaction(async (conn) => {
        for (const [id, write] of prepared) if (changesSchema(write)) await applySchemaChanges(conn, id, write);
        for (const write of prepared.values()) {
          for (const table of write.tables) await appendChunks(conn, table.name, table.chunks);
        }
      });
      for (const [id, write] of prepared) if (write.schema !== this.schemas.get(id)) this.remember(id, write.schema);
    } finally {
      this.gate.release(mode);
    }
  }

  private remember(datasetId: string, schema: DatasetSchema): void {
    this.schemas.set(datasetId, schema);
    this.versions.set(datasetId, ++this.lastVersion);
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

  async dropBefore(beforeUs: number, which: (datasetId: string) => boolean = () => true): Promise<number> {
    const found = await this.db.query<{ dataset_id: string; day: number; table_name: string }>(
      'SELECT dataset_id, day, table_name FROM event_tables WHERE day < $1 ORDER BY dataset_id, day',
      [Math.floor(beforeUs / DAY_US)],
    );
    const rows = found.filter((r) => which(r.dataset_id));
    for (const r of rows) {
      await this.gate.acquire('exclusive');
      try {
        await this.inTransaction(async (conn) => {
          await conn.run(`DROP TABLE IF EXISTS ${quoteIdent(r.table_name)}`);
          await conn.run('DELETE FROM event_tables WHERE table_name = $1', [r.table_name]);
        });
        // Reloaded on next use: cheaper to get right than to edit in place.
        this.schemas.delete(r.dataset_id);
        this.versions.delete(r.dataset_id);
      } finally {
        this.gate.release('exclusive');
      }
    }
    return new Set(rows.map((r) => `${r.dataset_id} ${r.day}`)).size;
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
      this.gate.heldMs(true);
    } finally {
      this.gate.release('exclusive');
    }
  }

  /** Bytes in DuckDB's write-ahead log. */
  walBytes(): number {
    return this.db.walBytes();
  }

  /** Milliseconds spent appending since the last checkpoint: a start after a crash replays about a third of it. */
  writtenMs(): number {
    return this.gate.heldMs();
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
    // Each table's columns come from DuckDB's own catalog, which changes in the same
    // transactions as the tables do.
    const tableColumns = await this.db.query<{ day: number; table_name: string; column_name: string | null }>(
      `SELECT t.day, t.table_name, c.column_name FROM event_tables t
       LEFT JOIN duckdb_columns() c ON c.table_name = t.table_name AND c.column_index > 2 -- after __time, __samplerate
       WHERE t.dataset_id = $1 ORDER BY t.day, t.table_name, c.column_index`,
      [datasetId],
    );
    const schema = emptySchema();
    for (const c of cols) {
      schema.index.set(c.name, schema.columns.length);
      schema.columns.push({ name: c.name, type: c.type });
    }
    const tables = new Map<string, DayTable>();
    for (const r of tableColumns) {
      let table = tables.get(r.table_name);
      if (!table) {
        tables.set(r.table_name, (table = { name: r.table_name, day: r.day, names: [], position: new Map() }));
        schema.days.set(r.day, [...(schema.days.get(r.day) ?? []), table]);
      }
      if (r.column_name === null) continue; // a table of events without fields
      const name = fieldName(r.column_name);
      table.position.set(name, table.names.length);
      table.names.push(name);
    }
    // Tables sort by name, the day's first table (no suffix) first; later ones keep their order.
    for (const list of schema.days.values()) list.sort((a, b) => a.name.length - b.name.length || a.name.localeCompare(b.name, 'en', { numeric: true }));
    this.remember(datasetId, schema);
    return schema;
  }
}

/** Metadata rows per INSERT: well under DuckDB's limit on parameters per statement. */
const ROWS_PER_INSERT = 500;

/**
 * Runs a plan's DDL as one script and its metadata as a few multi-row statements: a commit that
 * adds hundreds of columns over many day tables makes a handful of round trips to DuckDB, not
 * one per statement (each of which waits for a turn of a busy event loop).
 */
async function applySchemaChanges(conn: DuckDBConnection, datasetId: string, plan: SchemaChanges): Promise<void> {
  if (plan.ddl.length > 0) await conn.run(plan.ddl.join(';\n'));
  const insert = async (table: string, columns: string[], rows: unknown[][]) => {
    for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
      const part = rows.slice(i, i + ROWS_PER_INSERT);
      const params: unknown[] = [];
      const tuples = part.map((row) => `(${[datasetId, ...row].map((v) => `$${params.push(v)}`).join(', ')})`);
      await conn.run(`INSERT INTO ${table} (dataset_id, ${columns.join(', ')}) VALUES ${tuples.join(', ')}`, params as never);
    }
  };
  await insert('dataset_columns', ['position', 'name', 'type'], plan.newColumns);
  await insert('event_tables', ['day', 'table_name'], plan.newTables);
  if (plan.widened.length > 0) {
    const params = [datasetId, ...plan.widened];
    await conn.run(`UPDATE dataset_columns SET type = 'float' WHERE dataset_id = $1 AND name IN (${plan.widened.map((_, i) => `$${i + 2}`).join(', ')})`, params as never);
  }
}
