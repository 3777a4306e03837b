// The ClickHouse EventStore. Each dataset is one MergeTree table, `ev_<dataset id>`, with
// `__time` and `__samplerate` (Int64: microseconds since the epoch, and the sample rate) and
// one Nullable column per field, added (ALTER TABLE ADD COLUMN) as fields first arrive. Tables
// are partitioned by UTC day (intDiv(__time, 86400000000)), so retention drops whole
// partitions. Everything here runs on ClickHouse 18.16 (no DateTime64, Map or TTL). On a cluster
// the table is a share on every shard behind a Distributed table of that name (tables.ts).
//
// An append resolves only after ClickHouse answered every INSERT: each dataset's events go in
// one INSERT, which ClickHouse applies as one block. ClickHouse has no transaction across
// tables, so a write spanning datasets that fails part way may leave the datasets written
// before the failure stored (docs/scale-out.md).
import { eventsByDataset, type AppendOptions, type DatasetWrite, type EventStore, type ReadOptions, type Refusal } from '../event-store.js';
import type { Row } from '../meta-store.js';
import { Serial } from '../serial.js';
import { SAMPLERATE_COLUMN, TIME_COLUMN, type Column, type ColumnType, type StoredEvent } from '../types.js';
import { ClickHouseCompiler, clickHouseIdent } from './clickhouse-compiler.js';
import { readRows } from './clickhouse-reader.js';
import { ClickHouseTraceStore } from './clickhouse-trace-store.js';
import { parseClickHouseUrl } from './connection.js';
import { Tables } from './tables.js';
import { planRows, schemaOf, type TableSchema } from './write-rows.js';

export const DAY_US = 86_400_000_000;
const TYPE_OF: Record<string, ColumnType> = { 'Nullable(String)': 'string', 'Nullable(Int64)': 'integer', 'Nullable(Float64)': 'float', 'Nullable(UInt8)': 'boolean' };
const SQL_TYPE: Record<ColumnType, string> = { string: 'Nullable(String)', integer: 'Nullable(Int64)', float: 'Nullable(Float64)', boolean: 'Nullable(UInt8)' };
/** How long the size figure (system.parts) may be stale. */
const SIZE_REFRESH_MS = 10_000;

export function eventTable(datasetId: string): string {
  return `ev_${datasetId}`;
}

interface DatasetState extends TableSchema {
  /** Days (UTC day numbers) holding events. */
  days: Set<number>;
  loadedAt: number;
}

/**
 * Reads trust a dataset's cached columns and days for this long: other nodes add columns and
 * days too, and a read started this long after their append sees them.
 */
const READ_STALE_MS = 1000;

export class ClickHouseEventStore implements EventStore {
  /**
   * Every INSERT is a part ClickHouse writes (a file per column) and later merges, a cost per
   * insert that outweighs the rows' own on the bench's 1,000-event requests; waiting 10 ms lets
   * a node's concurrent requests share one. Measured with bench:scale (2 nodes, 4 connections,
   * two rounds): ClickHouse's CPU 8.8 against 11.3 us per event and the nodes' 13.0 against 14.9,
   * where 25 ms gave no more. Each request is still answered only after its INSERT is.
   */
  readonly commitLingerMs = 10;
  private states = new Map<string, DatasetState>();
  /** Schema changes of this node, one at a time (another node's meet a retry, see appendDataset). */
  private readonly ddl = new Serial();
  private bytes = 0;
  private bytesAt = 0;

  private constructor(
    private readonly tables: Tables,
    readonly traces: ClickHouseTraceStore,
  ) {}

  /**
   * Connects to `clickhouse://user:pass@host:8123/db` (`?cluster=NAME`: sharded), creating the
   * database and trace table when missing.
   */
  static async open(url: string): Promise<ClickHouseEventStore> {
    const tables = await Tables.open(parseClickHouseUrl(url));
    try {
      return new ClickHouseEventStore(tables, await ClickHouseTraceStore.open(tables));
    } catch (err) {
      await tables.close();
      throw err;
    }
  }

  compiler(): ClickHouseCompiler {
    return new ClickHouseCompiler();
  }

  async append(writes: DatasetWrite[], options: AppendOptions = {}): Promise<Refusal[]> {
    const refused = await Promise.all([...eventsByDataset(writes)].map(([id, events]) => this.appendDataset(id, events, options.maxColumnsPerDataset ?? Infinity)));
    return refused.flat();
  }

  private async appendDataset(datasetId: string, events: StoredEvent[], maxColumns: number): Promise<Refusal[]> {
    let state = await this.stateOf(datasetId, Infinity, true);
    let plan = planRows(state, events, maxColumns);
    if (plan.added.length > 0 || plan.widened.length > 0) {
      // Planned again under the lock against the table as it is now: another append (of this
      // node or another) may have added the same columns meanwhile, maybe with other types.
      plan = await this.ddl.run(async () => {
        for (let attempt = 1; ; attempt++) {
          this.states.delete(datasetId);
          state = await this.stateOf(datasetId, Infinity, true);
          const again = planRows(state, events, maxColumns);
          // A column added and widened by the same batch is wanted once, as a float.
          const wanted = new Map(again.added.map((c) => [c.name, SQL_TYPE[c.type]]));
          for (const name of again.widened) wanted.set(name, SQL_TYPE.float);
          if (await this.tables.ensureColumns(eventTable(datasetId), [...wanted].map(([name, type]) => ({ name, type })))) {
            this.states.delete(datasetId);
            return again;
          }
          if (attempt >= 3) throw new Error(`the columns of dataset ${datasetId} kept changing under this write; send it again`);
        }
      });
      state = await this.stateOf(datasetId);
    }
    if (plan.times.length > 0) {
      await this.tables.insert(eventTable(datasetId), plan.columns, 'RowBinary', plan.rows);
      for (const time of plan.times) state.days.add(Math.floor(time / DAY_US));
    }
    return plan.refused;
  }

  async columns(datasetId: string): Promise<Column[]> {
    return [...(await this.stateOf(datasetId, READ_STALE_MS)).columns];
  }

  async source(datasetIds: string[], fromUs: number, toUs: number, wanted?: Column[]): Promise<string | undefined> {
    const parts: { table: string; state: DatasetState }[] = [];
    for (const id of datasetIds) {
      const state = await this.stateOf(id, READ_STALE_MS);
      if ([...state.days].some((d) => d * DAY_US < toUs && (d + 1) * DAY_US > fromUs)) parts.push({ table: clickHouseIdent(eventTable(id)), state });
    }
    if (parts.length === 0) return undefined;
    const columns = wanted ?? unionOf(parts.map((p) => p.state.columns));
    if (parts.length === 1 && columns.every((c) => parts[0].state.types.get(c.name) === c.type)) return parts[0].table;
    // Each table says exactly what the query expects: a column it lacks reads as NULL, one
    // stored with another type is cast (the branches of a UNION ALL must agree on types).
    const c = new ClickHouseCompiler();
    const select = (p: (typeof parts)[number]) => {
      const cols = [TIME_COLUMN, SAMPLERATE_COLUMN].map((n) => c.ident(n));
      for (const col of columns) {
        const have = p.state.types.get(col.name);
        const name = c.ident(col.name);
        cols.push(have === undefined ? `${c.nullOf(col.type)} AS ${name}` : `${c.cast(name, col.type)} AS ${name}`);
      }
      return `SELECT ${cols.join(', ')} FROM ${p.table}`;
    };
    return `(${parts.map(select).join(' UNION ALL ')})`;
  }

  read(sql: string, _params: unknown[], options: ReadOptions): Promise<Row[]> {
    // The compiler wrote the parameters into the SQL as literals (clickhouse-compiler.ts).
    return readRows(this.tables.reader, sql, options);
  }

  async dropBefore(beforeUs: number, which: (datasetId: string) => boolean = () => true): Promise<number> {
    const before = Math.floor(beforeUs / DAY_US);
    let dropped = 0;
    for (const p of await this.tables.partitions('ev_')) {
      const datasetId = p.table.slice('ev_'.length);
      const day = Number(p.partition);
      if (day >= before || !which(datasetId)) continue;
      await this.dropDay(p.table, day);
      dropped++;
    }
    return dropped;
  }

  /** Rows per UTC day (its number) of one of the store's tables, over every shard: what `tend migrate` resumes by. */
  rowsPerDay(table: string): Promise<Map<number, number>> {
    return this.tables.rowsPerDay(table);
  }

  /** Drops one UTC day of one of the store's tables (events or the trace index) on every shard. */
  async dropDay(table: string, day: number): Promise<void> {
    await this.tables.dropPartition(table, day);
    if (table.startsWith('ev_')) this.states.get(table.slice('ev_'.length))?.days.delete(day);
  }

  sizeBytes(): number {
    if (Date.now() - this.bytesAt > SIZE_REFRESH_MS) {
      this.bytesAt = Date.now();
      void this.tables
        .bytes()
        .then((b) => (this.bytes = b))
        .catch(() => undefined);
    }
    return this.bytes;
  }

  async close(): Promise<void> {
    await this.traces.close();
    await this.tables.close();
  }

  /**
   * The dataset's columns and the days it holds; its table is created first when `create` (a
   * write), while a read of a dataset without one finds no columns and no days.
   */
  private async stateOf(datasetId: string, maxAgeMs = Infinity, create = false): Promise<DatasetState> {
    const cached = this.states.get(datasetId);
    if (cached && Date.now() - cached.loadedAt <= maxAgeMs) return cached;
    const table = eventTable(datasetId);
    if (create) {
      const [time, rate] = [clickHouseIdent(TIME_COLUMN), clickHouseIdent(SAMPLERATE_COLUMN)];
      await this.tables.create(table, `${time} Int64, ${rate} Int64`, `PARTITION BY intDiv(${time}, ${DAY_US}) ORDER BY ${time}`);
    }
    const [described, parts] = await Promise.all([this.tables.describe(table), this.tables.partitions(table)]);
    const columns = described.filter((d) => d.name !== TIME_COLUMN && d.name !== SAMPLERATE_COLUMN).map((d) => ({ name: d.name, type: TYPE_OF[d.type] ?? 'string' }));
    const days = parts.filter((p) => p.table === table).map((p) => Number(p.partition));
    const state: DatasetState = { ...schemaOf(columns), days: new Set(days), loadedAt: Date.now() };
    this.states.set(datasetId, state);
    return state;
  }
}

/** Every column of these lists, first-seen order, the first list's type winning. */
function unionOf(lists: Column[][]): Column[] {
  const seen = new Map<string, Column>();
  for (const list of lists) for (const c of list) if (!seen.has(c.name)) seen.set(c.name, c);
  return [...seen.values()];
}
