// Where a write's events go, and the schema changes that needs. A dataset has one column list
// (first-seen types, column-types.ts) and, for each UTC day, one or more tables each holding a
// subset of those columns. DuckDB's cost to append a row (and its memory, a block per column
// being appended to) grows with the table's width, not with the values the row carries, so a
// table is only as wide as the events written to it need:
//  - an event goes to the first table of its day that is, with the event's missing columns
//    added, at most WIDTH_FACTOR x its fields + WIDTH_SLACK wide; missing columns are added;
//  - when no table of the day qualifies, the event starts a new table with just its columns.
// A dataset whose events all look alike keeps one table per day; a one-field event beside
// 2,000-field ones costs what a one-field event costs. Queries read a day's tables as one
// (duckdb-reader.ts), a column a table lacks reading as NULL.
import { place, typeOfValue } from '../column-types.js';
import type { Column, ColumnType, FieldValue, StoredEvent } from '../types.js';
import { dayOf, partitionTable, quoteIdent } from './partitions.js';

/** A table may be this many times as wide as the fields of an event written to it... */
const WIDTH_FACTOR = 2;
/** ...plus this many columns. */
const WIDTH_SLACK = 32;
/** Past this many tables in one day, events go to the narrowest fitting table instead of a new one. */
const MAX_TABLES_PER_DAY = 16;

export const SQL_TYPE: Record<ColumnType, string> = { string: 'VARCHAR', integer: 'BIGINT', float: 'DOUBLE', boolean: 'BOOLEAN' };

export interface DayTable {
  name: string;
  day: number;
  /** User columns in table order (after __time and __samplerate). */
  names: string[];
  /** name -> position in `names`. */
  position: Map<string, number>;
}

export interface DatasetSchema {
  columns: Column[];
  /** name -> position in `columns`. */
  index: Map<string, number>;
  /** day number -> the day's tables, oldest first. */
  days: Map<number, DayTable[]>;
}

/** What committing a plan changes in the schema. */
export interface SchemaChanges {
  /** CREATE and ALTER statements, in order, to run in the write's transaction. */
  ddl: string[];
  /** Rows for the metadata: new columns (position, name, type), new tables (day, name), widened columns. */
  newColumns: [number, string, ColumnType][];
  newTables: [number, string][];
  widened: string[];
}

export interface DatasetPlan extends SchemaChanges {
  /** The schema once the plan is committed (the same object as before when nothing changes). */
  schema: DatasetSchema;
  /** Events by destination table. */
  writes: Map<DayTable, StoredEvent[]>;
  /** Events refused whole, with the reason. */
  refused: { event: StoredEvent; problem: string }[];
}

export function emptySchema(): DatasetSchema {
  return { columns: [], index: new Map(), days: new Map() };
}

/** The column a value of `name` lands in: its own, or a `name:<type>` sibling (column-types.ts). */
function landing(schema: DatasetSchema, name: string, value: FieldValue): { column: string; type: ColumnType; widen: boolean } {
  const at = schema.index.get(name);
  if (at === undefined) return { column: name, type: typeOfValue(value), widen: false };
  const type = schema.columns[at].type;
  if (fitsColumn(type, value)) return { column: name, type, widen: false };
  const p = place(name, type, value);
  if (p.kind === 'sibling') return { column: p.column, type: p.type, widen: false };
  return { column: name, type, widen: p.kind === 'widen' };
}

/** Whether committing the plan changes the schema (and so must run alone). */
export function changesSchema(plan: SchemaChanges): boolean {
  return plan.ddl.length > 0 || plan.newColumns.length > 0 || plan.newTables.length > 0 || plan.widened.length > 0;
}

/** Plans one dataset's events against its current schema, which is left untouched. */
export function planDataset(datasetId: string, current: DatasetSchema, events: StoredEvent[], maxColumns: number): DatasetPlan {
  const plan: DatasetPlan = { schema: current, writes: new Map(), ddl: [], newColumns: [], newTables: [], widened: [], refused: [] };
  // Copy on first change: most writes change nothing and pay nothing.
  let schemaCopied = false;
  const mutable = (): DatasetSchema => {
    if (!schemaCopied) {
      plan.schema = { columns: current.columns.map((c) => ({ ...c })), index: new Map(current.index), days: new Map(current.days) };
      schemaCopied = true;
    }
    return plan.schema;
  };
  const copiedTables = new Set<DayTable>();
  const mutableTable = (day: number, table: DayTable): DayTable => {
    if (copiedTables.has(table)) return table;
    const tables = [...(mutable().days.get(day) ?? [])];
    const copy: DayTable = { ...table, names: [...table.names], position: new Map(table.position) };
    tables[tables.indexOf(table)] = copy;
    plan.schema.days.set(day, tables);
    copiedTables.add(copy);
    return copy;
  };
  /** Tables created by this plan: their CREATE is written last, with their final columns. */
  const created: DayTable[] = [];

  const columns: string[] = [];
  const types: ColumnType[] = [];
  for (const event of events) {
    const schema = plan.schema;
    columns.length = 0;
    types.length = 0;
    let added = 0;
    const widened: string[] = [];
    for (const name in event.fields) {
      const l = landing(schema, name, event.fields[name]);
      if (!schema.index.has(l.column)) added++;
      if (l.widen) widened.push(name);
      columns.push(l.column);
      types.push(l.type);
    }
    if (added > 0 && schema.columns.length + added > maxColumns) {
      plan.refused.push({ event, problem: `data: this event would give the dataset more than ${maxColumns} columns (the per-dataset column limit); send fewer distinct field names` });
      continue;
    }
    if (added > 0 || widened.length > 0) {
      const s = mutable();
      for (let i = 0; i < columns.length; i++) {
        if (s.index.has(columns[i])) continue;
        s.index.set(columns[i], s.columns.length);
        s.columns.push({ name: columns[i], type: types[i] });
        plan.newColumns.push([s.columns.length - 1, columns[i], types[i]]);
      }
      for (const name of widened) {
        if (s.columns[s.index.get(name)!].type === 'integer') widenToFloat(s, name, created, plan);
      }
    }
    const day = dayOf(event.time);
    let table = chooseTable(plan.schema.days.get(day) ?? [], columns);
    if (!table) {
      const tables = plan.schema.days.get(day) ?? [];
      table = { name: tables.length === 0 ? partitionTable(datasetId, day) : `${partitionTable(datasetId, day)}_${tables.length}`, day, names: [], position: new Map() };
      mutable().days.set(day, [...tables, table]);
      copiedTables.add(table);
      created.push(table);
      plan.newTables.push([day, table.name]);
    }
    for (const name of columns) {
      if (table.position.has(name)) continue;
      table = mutableTable(day, table);
      table.position.set(name, table.names.length);
      table.names.push(name);
      if (!created.includes(table)) {
        const type = plan.schema.columns[plan.schema.index.get(name)!].type;
        plan.ddl.push(`ALTER TABLE ${quoteIdent(table.name)} ADD COLUMN ${quoteIdent(name)} ${SQL_TYPE[type]}`);
      }
    }
    const list = plan.writes.get(table);
    if (list) list.push(event);
    else plan.writes.set(table, [event]);
  }
  for (const table of created) plan.ddl.push(createTable(plan.schema, table));
  // A table copied after events were routed to its older version: route them to the copy.
  for (const [table, list] of plan.writes) {
    const latest = plan.schema.days.get(table.day)!.find((t) => t.name === table.name)!;
    if (latest !== table) {
      plan.writes.delete(table);
      const into = plan.writes.get(latest);
      if (into) into.push(...list);
      else plan.writes.set(latest, list);
    }
  }
  return plan;
}

/**
 * The first of the day's tables that can take an event with these columns while staying at
 * most WIDTH_FACTOR x their number + WIDTH_SLACK wide; past MAX_TABLES_PER_DAY, the one
 * that would end narrowest. Undefined: start a new table.
 */
function chooseTable(tables: DayTable[], columns: string[]): DayTable | undefined {
  const bound = WIDTH_FACTOR * columns.length + WIDTH_SLACK;
  let best: DayTable | undefined;
  let bestWidth = Infinity;
  for (const t of tables) {
    let width = t.names.length;
    if (width > bound && tables.length < MAX_TABLES_PER_DAY) continue;
    for (const c of columns) if (!t.position.has(c)) width++;
    if (width <= bound) return t;
    if (width < bestWidth) {
      best = t;
      bestWidth = width;
    }
  }
  return tables.length >= MAX_TABLES_PER_DAY ? best : undefined;
}

function widenToFloat(schema: DatasetSchema, name: string, created: DayTable[], plan: DatasetPlan): void {
  schema.columns[schema.index.get(name)!].type = 'float';
  plan.widened.push(name);
  for (const tables of schema.days.values()) {
    for (const t of tables) {
      if (t.position.has(name) && !created.includes(t)) {
        plan.ddl.push(`ALTER TABLE ${quoteIdent(t.name)} ALTER COLUMN ${quoteIdent(name)} SET DATA TYPE DOUBLE`);
      }
    }
  }
}

function createTable(schema: DatasetSchema, table: DayTable): string {
  const cols = [`"__time" TIMESTAMP NOT NULL`, `"__samplerate" BIGINT NOT NULL`];
  for (const name of table.names) cols.push(`${quoteIdent(name)} ${SQL_TYPE[schema.columns[schema.index.get(name)!].type]}`);
  return `CREATE TABLE ${quoteIdent(table.name)} (${cols.join(', ')})`;
}

/** The common case, checked before the full rule in column-types.ts: the value already fits. */
export function fitsColumn(type: ColumnType, value: FieldValue): boolean {
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
