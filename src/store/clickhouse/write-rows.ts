// What one append needs from ClickHouse for one dataset: the JSONEachRow rows, the columns to
// add and the integer columns to widen to floats (column-types.ts decides where each value
// lands), and the events refused for the column limit. A dataset is one table whose columns
// are the dataset's columns, so "first seen" order is the table's column order.
//
// The rows are written as JSONEachRow text here, value by value, rather than as objects the
// client stringifies: measured on the bench generator's 22-field events, 5.3 against 9.2 us per
// event, a node's costliest step of an ingest after parsing the request.
import { place, typeOfValue } from '../column-types.js';
import type { Column, ColumnType, FieldValue, StoredEvent } from '../types.js';
import { SAMPLERATE_COLUMN, TIME_COLUMN } from '../types.js';

export interface TableSchema {
  columns: Column[];
  /** name -> type, for the columns above. */
  types: Map<string, ColumnType>;
}

export interface RowsPlan {
  /** The rows, JSONEachRow: one JSON object per line. */
  text: string;
  /** The times of the rows (microseconds). */
  times: number[];
  added: Column[];
  widened: string[];
  refused: { event: StoredEvent; problem: string }[];
}

export function schemaOf(columns: Column[]): TableSchema {
  return { columns, types: new Map(columns.map((c) => [c.name, c.type])) };
}

/** The column and type a value of `name` lands in, and whether its column widens to float. */
function landing(types: Map<string, ColumnType>, name: string, value: FieldValue): { column: string; type: ColumnType; widen: boolean } {
  const type = types.get(name);
  if (type === undefined) return { column: name, type: typeOfValue(value), widen: false };
  const p = place(name, type, value);
  if (p.kind === 'sibling') return { column: p.column, type: p.type, widen: false };
  return { column: name, type: p.kind === 'widen' ? 'float' : type, widen: p.kind === 'widen' };
}

/** The value as JSONEachRow writes it into a column of `type`. */
function stored(type: ColumnType, value: FieldValue): string {
  if (type === 'boolean') return value === true || value === 'true' ? '1' : '0';
  if (type === 'string') return JSON.stringify(String(value));
  return String(typeof value === 'string' ? Number(value) : value);
}

/** `,"name":` for each column name, made once. */
const keys = new Map<string, string>();
function key(name: string): string {
  let k = keys.get(name);
  if (k === undefined) {
    k = `,${JSON.stringify(name)}:`;
    // Field names are many but few per dataset; a flood of distinct ones must not grow this forever.
    if (keys.size > 100_000) keys.clear();
    keys.set(name, k);
  }
  return k;
}

export function planRows(schema: TableSchema, events: StoredEvent[], maxColumns: number): RowsPlan {
  const types = new Map(schema.types);
  const plan: RowsPlan = { text: '', times: [], added: [], widened: [], refused: [] };
  const timeKey = `{${JSON.stringify(TIME_COLUMN)}:`;
  const rateKey = key(SAMPLERATE_COLUMN);
  for (const event of events) {
    let row = `${timeKey}${event.time}${rateKey}${event.samplerate}`;
    // Columns this event adds or widens, applied once it is known to stay under the limit.
    // Most values land as they are in a column of their own type, with nothing allocated
    // (measured: this loop was a fifth of a node's ingest CPU, much of it garbage).
    let changes: { column: string; type: ColumnType; widen: boolean }[] | undefined;
    let newColumns = 0;
    for (const name in event.fields) {
      const value = event.fields[name];
      const type = types.get(name);
      if (type !== undefined && typeOfValue(value) === type) {
        row += key(name) + stored(type, value);
        continue;
      }
      const l = landing(types, name, value);
      if (!types.has(l.column) && !changes?.some((c) => c.column === l.column)) newColumns++;
      (changes ??= []).push({ column: l.column, type: l.type, widen: l.widen });
      row += key(l.column) + stored(l.type, value);
    }
    if (newColumns > 0 && types.size + newColumns > maxColumns) {
      plan.refused.push({ event, problem: `data: this event would give the dataset more than ${maxColumns} columns (the per-dataset column limit); send fewer distinct field names` });
      continue;
    }
    for (const { column, type, widen } of changes ?? []) {
      if (!types.has(column)) {
        types.set(column, type);
        plan.added.push({ name: column, type });
      } else if (widen && types.get(column) === 'integer') {
        types.set(column, 'float');
        plan.widened.push(column);
      }
    }
    plan.text += `${row}}\n`;
    plan.times.push(event.time);
  }
  return plan;
}
