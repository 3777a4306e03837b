// Appends events to one day table through DuckDB's appender, a data chunk of up to 2,048 rows
// at a time, each chunk laid out in DuckDB's vector format (vector-chunk.ts). Values are
// converted to their column's type by the rule of column-types.ts.
import { DuckDBDataChunk, type DuckDBConnection } from '@duckdb/node-api';
import { place } from '../column-types.js';
import type { ColumnType, StoredEvent } from '../types.js';
import { takeTurn } from '../../http/index.js';
import { VECTOR_ROWS, VectorChunkBuilder, type VectorType } from './vector-chunk.js';
import { fitsColumn, type DatasetSchema, type DayTable } from './write-plan.js';

/** Chunk columns before the table's user columns: __time, __samplerate. */
const FIXED = 2;

export async function appendToTable(conn: DuckDBConnection, schema: DatasetSchema, table: DayTable, events: StoredEvent[]): Promise<void> {
  const types: VectorType[] = ['timestamp', 'integer'];
  for (const name of table.names) types.push(schema.columns[schema.index.get(name)!].type);
  const appender = await conn.createAppender(table.name);
  try {
    for (let start = 0; start < events.length; start += VECTOR_ROWS) {
      // One chunk per turn of the event loop, in the budget it shares with the parsing of request
      // bodies (src/http/turns.ts), so a big group commit does not hold up health probes for its
      // whole length (issue 18 item 7); each chunk is flushed within its turn, since the appender
      // adds rows to the table only at a flush, synchronously (one flush of a 20,000-row group
      // held the loop for 100-400 ms). Before, the chunks yielded with setImmediate, outside the
      // budget: two writers' chunks and a turn of parsing could run back to back.
      await inTurn(() => {
        appender.appendDataChunk(new DuckDBDataChunk(fillChunk(schema, table, types, events, start)));
        appender.flushSync();
      });
    }
  } catch (err) {
    try {
      appender.closeSync();
    } catch {
      // Closing after a failed append reports the same failure again: keep the first.
    }
    throw err;
  }
  appender.closeSync();
}

/**
 * Runs `step` synchronously in a later turn (so its time counts against that turn's budget),
 * ahead of new requests' parsing: a commit under way frees the queue they would wait for.
 */
function inTurn(step: () => void): Promise<void> {
  return new Promise((resolve, reject) =>
    takeTurn(() => {
      try {
        step();
        resolve();
      } catch (err) {
        reject(err);
      }
    }, true),
  );
}

/** The chunk of events[start..start + 2,048). */
function fillChunk(schema: DatasetSchema, table: DayTable, types: VectorType[], events: StoredEvent[], start: number) {
  const rows = Math.min(VECTOR_ROWS, events.length - start);
  const chunk = new VectorChunkBuilder(types, rows);
  for (let r = 0; r < rows; r++) {
    const e = events[start + r];
    chunk.set(0, r, Math.round(e.time));
    chunk.set(1, r, e.samplerate);
    for (const name in e.fields) {
      const value = e.fields[name];
      const at = table.position.get(name);
      if (at !== undefined && fitsColumn(types[at + FIXED] as ColumnType, value)) {
        chunk.set(at + FIXED, r, value);
        continue;
      }
      // A value of another type: converted, or kept in a sibling column (the plan made it).
      const p = place(name, schema.columns[schema.index.get(name)!].type, value);
      chunk.set(table.position.get(p.kind === 'sibling' ? p.column : name)! + FIXED, r, p.value);
    }
  }
  return chunk.finish();
}
