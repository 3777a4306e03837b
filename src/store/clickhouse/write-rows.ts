// What one append needs from ClickHouse for one dataset: the JSONEachRow rows, the columns to
// add and the integer columns to widen to floats (column-types.ts decides where each value
// lands), and the events refused for the column limit. A dataset is one table whose columns
// are the dataset's columns, so "first seen" order is the table's column order.
import { place, typeOfValue } from '../column-types.js';
import type { Column, ColumnType, FieldValue, StoredEvent } from '../types.js';
import { SAMPLERATE_COLUMN, TIME_COLUMN } from '../types.js';

export interface TableSchema {
  columns: Column[];
  /** name -> type, for the columns above. */
  types: Map<string, ColumnType>;
}

export interface RowsPlan {
  rows: Record<string, FieldValue>[];
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
function stored(type: ColumnType, value: FieldValue): FieldValue {
  if (type === 'boolean') return value === true || value === 'true' ? 1 : 0;
  if (type === 'string') return String(value);
  return typeof value === 'string' ? Number(value) : value;
}

export function planRows(schema: TableSchema, events: StoredEvent[], maxColumns: number): RowsPlan {
  const types = new Map(schema.types);
  const plan: RowsPlan = { rows: [], added: [], widened: [], refused: [] };
  for (const event of events) {
    const landed: [string, ColumnType, FieldValue, boolean][] = [];
    let newColumns = 0;
    for (const name in event.fields) {
      const value = event.fields[name];
      const l = landing(types, name, value);
      if (!types.has(l.column)) newColumns++;
      landed.push([l.column, l.type, value, l.widen]);
    }
    if (newColumns > 0 && types.size + newColumns > maxColumns) {
      plan.refused.push({ event, problem: `data: this event would give the dataset more than ${maxColumns} columns (the per-dataset column limit); send fewer distinct field names` });
      continue;
    }
    const row: Record<string, FieldValue> = { [TIME_COLUMN]: event.time, [SAMPLERATE_COLUMN]: event.samplerate };
    for (const [column, type, value, widen] of landed) {
      if (!types.has(column)) {
        types.set(column, type);
        plan.added.push({ name: column, type });
      } else if (widen && types.get(column) === 'integer') {
        types.set(column, 'float');
        plan.widened.push(column);
      }
      row[column] = stored(type, value);
    }
    plan.rows.push(row);
  }
  return plan;
}
