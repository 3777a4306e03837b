// `tend migrate --events clickhouse://...`: copies the events of an embedded folder (DuckDB, day
// tables per dataset) and its trace index into ClickHouse, one dataset-day at a time, through the
// ClickHouse event store itself (so columns and types come out as an ingest would make them).
// ClickHouse partitions each table by day, and a partition's row count is in system.parts (summed
// over the shards on a cluster, where each day is dropped on every shard), so a run cut short is resumed by running it again: a day whose count already matches is skipped,
// any other day is dropped in ClickHouse and copied whole. The folder is opened read-only.
import { ClickHouseEventStore, eventTable } from './clickhouse/clickhouse-event-store.js';
import { fieldName } from './duckdb/column-names.js';
import { DAY_US, dayLabel, quoteIdent } from './duckdb/partitions.js';
import { DuckDatabase, plainValue } from './duckdb/database.js';
import type { TraceEntry } from './trace-store.js';
import { SAMPLERATE_COLUMN, TIME_COLUMN, type Dataset, type FieldValue, type StoredEvent } from './types.js';

/** Events per INSERT: each INSERT is a ClickHouse part, and many small parts slow merges down. */
const EVENTS_PER_INSERT = 50_000;
const TRACE_TABLE = 'trace_index';

/** Rows of one ClickHouse table in one UTC day: in the folder, and in ClickHouse after the copy. */
export interface DayCount {
  table: string;
  /** `environment/dataset`, for event tables. */
  dataset?: string;
  /** YYYY-MM-DD */
  day: string;
  from: number;
  to: number;
}

/** What a ClickHouse table gets: its rows per day in the folder, and how to copy one day. */
interface Copy {
  table: string;
  dataset?: string;
  days: Map<number, number>;
  /** Copies the day's rows, calling `copied` with each batch's size. */
  copyDay(day: number, copied: (rows: number) => void): Promise<void>;
}

export async function migrateEvents(from: string, eventsUrl: string, onProgress: (done: number, total: number) => void = () => undefined): Promise<DayCount[]> {
  const source = await DuckDatabase.open(from, { readOnly: true });
  try {
    const store = await ClickHouseEventStore.open(eventsUrl);
    try {
      const copies = [...(await eventCopies(source, store)), await traceCopy(source, store)];
      const total = copies.reduce((sum, c) => sum + [...c.days.values()].reduce((a, b) => a + b, 0), 0);
      let done = 0;
      const copied = (rows: number) => onProgress((done += rows), total);
      onProgress(0, total);
      for (const c of copies) {
        const there = await store.rowsPerDay(c.table);
        for (const [day, rows] of c.days) {
          if (there.get(day) === rows) {
            copied(rows);
            continue;
          }
          // Whatever a cut-short run left of this day goes, then the whole day is copied again.
          if (there.has(day)) await store.dropDay(c.table, day);
          await c.copyDay(day, copied);
        }
      }
      await store.traces.close();
      return await compare(store, copies);
    } finally {
      await store.close();
    }
  } finally {
    source.close();
  }
}

/** One copy per dataset: its day tables (a day may have several) read in batches and appended. */
async function eventCopies(source: DuckDatabase, store: ClickHouseEventStore): Promise<Copy[]> {
  const datasets = await source.query<{ id: string; env_id: string; slug: string; name: string; created_at: string; env: string | null }>(
    'SELECT d.*, e.slug AS env FROM datasets d LEFT JOIN environments e ON e.id = d.env_id',
  );
  const byId = new Map(datasets.map((d) => [d.id, d]));
  const tables = await source.query<{ dataset_id: string; day: number; table_name: string }>('SELECT dataset_id, day, table_name FROM event_tables ORDER BY dataset_id, day, table_name');
  const copies = new Map<string, Copy & { tables: Map<number, string[]> }>();
  for (const t of tables) {
    const d = byId.get(t.dataset_id);
    const dataset: Dataset = { id: t.dataset_id, envId: d?.env_id ?? '', slug: d?.slug ?? t.dataset_id, name: d?.name ?? t.dataset_id, createdAt: d?.created_at ?? '' };
    let copy = copies.get(t.dataset_id);
    if (!copy) {
      const dayTables = new Map<number, string[]>();
      copy = {
        table: eventTable(t.dataset_id),
        dataset: `${d?.env ?? '?'}/${dataset.name}`,
        days: new Map(),
        tables: dayTables,
        copyDay: async (day, copied) => {
          for (const table of dayTables.get(day) ?? []) {
            for await (const rows of batches(source, `SELECT * REPLACE (epoch_us(${quoteIdent(TIME_COLUMN)}) AS ${quoteIdent(TIME_COLUMN)}) FROM ${quoteIdent(table)}`)) {
              await store.append([{ dataset, events: rows.map(toEvent) }]);
              copied(rows.length);
            }
          }
        },
      };
      copies.set(t.dataset_id, copy);
    }
    const [{ n }] = await source.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${quoteIdent(t.table_name)}`);
    copy.days.set(t.day, (copy.days.get(t.day) ?? 0) + n);
    copy.tables.set(t.day, [...(copy.tables.get(t.day) ?? []), t.table_name]);
  }
  return [...copies.values()];
}

/** The trace index, by the day its entries end (ClickHouse partitions it so). */
async function traceCopy(source: DuckDatabase, store: ClickHouseEventStore): Promise<Copy> {
  const days = await source.query<{ day: number; n: number }>(`SELECT CAST(floor(last_us / ${DAY_US}) AS BIGINT) AS day, COUNT(*) AS n FROM trace_index GROUP BY 1 ORDER BY 1`);
  return {
    table: TRACE_TABLE,
    days: new Map(days.map((d) => [d.day, d.n])),
    copyDay: async (day, copied) => {
      const where = `WHERE last_us >= ${day * DAY_US} AND last_us < ${(day + 1) * DAY_US}`;
      for await (const rows of batches(source, `SELECT * FROM trace_index ${where}`)) {
        const entries: TraceEntry[] = rows.map((r) => ({ envId: String(r.env_id), traceId: String(r.trace_id), datasetId: String(r.dataset_id), firstUs: Number(r.first_us), lastUs: Number(r.last_us) }));
        await store.traces.record(entries);
        copied(rows.length);
      }
    },
  };
}

/** A DuckDB table's row (its TIMESTAMP read as microseconds) as the event it was stored from (a NULL is a field the event lacked). */
function toEvent(row: Record<string, unknown>): StoredEvent {
  const fields: Record<string, FieldValue> = {};
  for (const [name, value] of Object.entries(row)) {
    if (name === TIME_COLUMN || name === SAMPLERATE_COLUMN || value === null) continue;
    fields[fieldName(name)] = plainValue(value) as FieldValue;
  }
  return { time: Number(row[TIME_COLUMN]), samplerate: Number(row[SAMPLERATE_COLUMN]), fields };
}

/** A query's rows in batches of about EVENTS_PER_INSERT, streamed, so a large day is never all in memory. */
async function* batches(source: DuckDatabase, sql: string): AsyncGenerator<Record<string, unknown>[]> {
  const conn = await source.connect();
  try {
    const result = await conn.stream(sql);
    const names = result.columnNames();
    let batch: Record<string, unknown>[] = [];
    for (let chunk = await result.fetchChunk(); chunk && chunk.rowCount > 0; chunk = await result.fetchChunk()) {
      batch.push(...chunk.getRowObjects(names));
      if (batch.length >= EVENTS_PER_INSERT) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  } finally {
    conn.closeSync();
  }
}

/** Counts per table and day, the folder's against ClickHouse's (a day only ClickHouse has shows with from 0). */
async function compare(store: ClickHouseEventStore, copies: Copy[]): Promise<DayCount[]> {
  const counts: DayCount[] = [];
  for (const c of copies) {
    const there = await store.rowsPerDay(c.table);
    const days = [...new Set([...c.days.keys(), ...there.keys()])].sort((a, b) => a - b);
    for (const day of days) {
      const label = dayLabel(day);
      counts.push({ table: c.table, ...(c.dataset ? { dataset: c.dataset } : {}), day: `${label.slice(0, 4)}-${label.slice(4, 6)}-${label.slice(6)}`, from: c.days.get(day) ?? 0, to: there.get(day) ?? 0 });
    }
  }
  return counts;
}
