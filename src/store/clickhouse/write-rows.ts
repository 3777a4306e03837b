// What one append needs from ClickHouse for one dataset: the rows in RowBinary (row-binary.ts)
// with their column list, the columns to add and the integer columns to widen to floats
// (column-types.ts decides where each value lands), and the events refused for the column
// limit. A dataset is one table whose columns are the dataset's columns, so "first seen" order
// is the table's column order.
//
// Two passes over the events: the first decides each value's column and what the table must
// gain, the second writes the rows against the table as it will be once it has, naming only the
// columns the batch has values for (a wide table's other columns get their NULL from ClickHouse).
import { place, typeOfValue } from '../column-types.js';
import type { Column, ColumnType, FieldValue, StoredEvent } from '../types.js';
import { SAMPLERATE_COLUMN, TIME_COLUMN } from '../types.js';
import { RowBinaryWriter } from './row-binary.js';

export interface TableSchema {
  columns: Column[];
  /** name -> type, for the columns above. */
  types: Map<string, ColumnType>;
}

export interface RowsPlan {
  /** The INSERT's column list: the time, the sample rate, then the fields' columns. */
  columns: string[];
  /** The rows, RowBinary, in the order of `columns`. */
  rows: Buffer;
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

/** Bytes a row of the bench's 22-field events takes, about: the first guess of a batch's size. */
const ROW_BYTES_GUESS = 400;

export function planRows(schema: TableSchema, events: StoredEvent[], maxColumns: number): RowsPlan {
  const types = new Map(schema.types);
  const plan: RowsPlan = { columns: [TIME_COLUMN, SAMPLERATE_COLUMN], rows: Buffer.alloc(0), times: [], added: [], widened: [], refused: [] };
  const kept: StoredEvent[] = [];
  /**
   * The batch's columns (their place in plan.columns minus the two of every row). A refused
   * event's columns of its own type may have one: a column of NULLs, harmless.
   */
  const slotOf = new Map<string, number>();
  const slot = (column: string) => {
    if (!slotOf.has(column)) slotOf.set(column, slotOf.size);
  };
  for (const event of events) {
    // Columns this event adds or widens, applied once it is known to stay under the limit.
    // Most values land as they are in a column of their own type, with nothing allocated.
    let changes: { column: string; type: ColumnType; widen: boolean }[] | undefined;
    let newColumns = 0;
    for (const name in event.fields) {
      const value = event.fields[name];
      const type = types.get(name);
      if (type !== undefined && typeOfValue(value) === type) {
        slot(name);
        continue;
      }
      const l = landing(types, name, value);
      if (!types.has(l.column) && !changes?.some((c) => c.column === l.column)) newColumns++;
      (changes ??= []).push(l);
    }
    if (newColumns > 0 && types.size + newColumns > maxColumns) {
      plan.refused.push({ event, problem: `data: this event would give the dataset more than ${maxColumns} columns (the per-dataset column limit); send fewer distinct field names` });
      continue;
    }
    for (const { column, type, widen } of changes ?? []) {
      slot(column);
      if (!types.has(column)) {
        types.set(column, type);
        plan.added.push({ name: column, type });
      } else if (widen && types.get(column) === 'integer') {
        types.set(column, 'float');
        plan.widened.push(column);
      }
    }
    kept.push(event);
    plan.times.push(event.time);
  }
  for (const column of slotOf.keys()) plan.columns.push(column);
  plan.rows = encodeRows(kept, types, slotOf);
  return plan;
}

/** The events as RowBinary rows of the time, the sample rate and the `slotOf` columns, typed as `types` says. */
function encodeRows(events: StoredEvent[], types: Map<string, ColumnType>, slotOf: Map<string, number>): Buffer {
  const columnTypes = [...slotOf.keys()].map((c) => types.get(c)!);
  /** One row's values by slot, reused: undefined for NULL. */
  const values: (FieldValue | undefined)[] = new Array(slotOf.size).fill(undefined);
  const out = new RowBinaryWriter(Math.max(1024, events.length * ROW_BYTES_GUESS));
  for (const event of events) {
    for (const name in event.fields) {
      const value = event.fields[name];
      const k = slotOf.get(name);
      if (k !== undefined) {
        const type = columnTypes[k];
        if (typeOfValue(value) === type || (type === 'float' && typeof value === 'number')) {
          values[k] = value;
          continue;
        }
      }
      const p = place(name, types.get(name)!, value);
      // The types are final here, so nothing widens: a value is stored converted or in a sibling.
      values[slotOf.get(p.kind === 'sibling' ? p.column : name)!] = p.value;
    }
    out.int64(event.time);
    out.int64(event.samplerate);
    for (let k = 0; k < values.length; k++) {
      const value = values[k];
      if (value === undefined) {
        out.null();
        continue;
      }
      values[k] = undefined;
      out.present();
      switch (columnTypes[k]) {
        case 'string':
          out.string(value as string);
          break;
        case 'integer':
          out.int64(value as number);
          break;
        case 'float':
          out.float64(value as number);
          break;
        case 'boolean':
          out.uint8(value === true ? 1 : 0);
          break;
      }
    }
  }
  return out.bytes();
}
