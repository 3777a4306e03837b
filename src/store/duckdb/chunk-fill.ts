// Fills DuckDB data chunks (vector-chunk.ts) with a day table's events, each value converted to
// its column's type by the rule of column-types.ts. Pure JavaScript over plain buffers, so it runs
// on the main thread as the appender takes each chunk, or in an ingest worker thread
// (src/ingest/worker), which hands the buffers over.
import { place } from '../column-types.js';
import type { ColumnType, StoredEvent } from '../types.js';
import { VECTOR_ROWS, VectorChunkBuilder, type FilledChunk, type VectorType } from './vector-chunk.js';
import { fitsColumn, type DatasetSchema, type DayTable } from './write-plan.js';

/** Chunk columns before the table's user columns: __time, __samplerate. */
const FIXED = 2;

/** A table's events as chunks, each filled when called: on the main thread, as its turn to be appended comes. */
export function chunksOf(schema: DatasetSchema, table: DayTable, events: StoredEvent[]): (() => FilledChunk)[] {
  const types = chunkTypes(schema, table);
  const chunks: (() => FilledChunk)[] = [];
  for (let start = 0; start < events.length; start += VECTOR_ROWS) chunks.push(() => fillChunk(schema, table, types, events, start));
  return chunks;
}

function chunkTypes(schema: DatasetSchema, table: DayTable): VectorType[] {
  const types: VectorType[] = ['timestamp', 'integer'];
  for (const name of table.names) types.push(schema.columns[schema.index.get(name)!].type);
  return types;
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
  return chunk.filled();
}
