// Builds DuckDB data chunks from buffers already laid out in DuckDB's vector format, so each
// column reaches DuckDB in one native copy instead of one converted JS value per cell (2-3x
// the throughput of DuckDBDataChunk.setColumnValues, see docs/benchmarks.md). The layout is
// DuckDB's (vector.hpp, string_type.hpp), pinned by vector-chunk.test.ts, which reads every
// value back through DuckDB:
//  - BIGINT and TIMESTAMP (microseconds): little-endian int64; DOUBLE: float64; BOOLEAN: one byte;
//  - VARCHAR: 16-byte string_t, a uint32 byte length then, up to 12 bytes, the UTF-8 bytes
//    themselves (zero-padded); a longer string has its first 4 bytes there and then a pointer
//    to the rest. Longer strings are written one after another into one buffer, handed to
//    DuckDB as a single string of the vector (one native call per column, not per string),
//    and each row then points at its own part of DuckDB's copy;
//  - validity: one bit per row (1 = not null), in uint64 words.
import duckdb from '@duckdb/node-bindings';
import type { ColumnType, FieldValue } from '../types.js';

/** A chunk column's type: a user column's, or the event time. */
export type VectorType = ColumnType | 'timestamp';

const WIDTH: Record<VectorType, number> = { timestamp: 8, integer: 8, float: 8, boolean: 1, string: 16 };
const TYPE_ID: Record<VectorType, duckdb.Type> = {
  timestamp: duckdb.Type.TIMESTAMP,
  integer: duckdb.Type.BIGINT,
  float: duckdb.Type.DOUBLE,
  boolean: duckdb.Type.BOOLEAN,
  string: duckdb.Type.VARCHAR,
};
/** Strings of at most this many UTF-8 bytes live inside the 16-byte string_t. */
const INLINE_BYTES = 12;
const TWO_32 = 4294967296;
const EMPTY = Buffer.alloc(0);

/** DuckDB's rows per vector: a chunk holds at most this many. */
export const VECTOR_ROWS = duckdb.vector_size();

const logicalTypes = new Map<VectorType, duckdb.LogicalType>();
function logicalType(t: VectorType): duckdb.LogicalType {
  let lt = logicalTypes.get(t);
  if (!lt) logicalTypes.set(t, (lt = duckdb.create_logical_type(TYPE_ID[t])));
  return lt;
}

class ColumnBuffer {
  readonly bytes: Buffer;
  readonly words: Int32Array;
  readonly floats: Float64Array;
  /** One bit per row, set when the row has a value. */
  readonly validity: Uint8Array;
  nulls: number;
  /** Strings too long to inline, UTF-8, one after another; `heapUsed` bytes are taken. */
  heap = EMPTY;
  heapUsed = 0;
  /** Rows whose string is in `heap`, and where it starts there. */
  readonly longRows: number[] = [];
  readonly longOffsets: number[] = [];

  constructor(
    readonly type: VectorType,
    readonly rows: number,
  ) {
    const ab = new ArrayBuffer(Math.max(8, rows * WIDTH[type]));
    this.bytes = Buffer.from(ab);
    this.words = new Int32Array(ab, 0, ab.byteLength >> 2);
    this.floats = new Float64Array(ab, 0, ab.byteLength >> 3);
    this.validity = new Uint8Array(Math.ceil(rows / 64) * 8);
    this.nulls = rows;
  }
}

/**
 * One data chunk being filled: set each cell with a value already of the column's type (the
 * store converts), leave a cell unset for NULL, then take the finished chunk.
 */
export class VectorChunkBuilder {
  private readonly columns: ColumnBuffer[];

  constructor(
    private readonly types: readonly VectorType[],
    readonly rows: number,
  ) {
    if (rows > VECTOR_ROWS) throw new Error(`a data chunk holds at most ${VECTOR_ROWS} rows, not ${rows}`);
    this.columns = types.map((t) => new ColumnBuffer(t, rows));
  }

  /** Sets a cell; `value` must be of the column's type (a number of microseconds for a timestamp). */
  set(column: number, row: number, value: FieldValue): void {
    const c = this.columns[column];
    c.validity[row >> 3] |= 1 << (row & 7);
    c.nulls--;
    switch (c.type) {
      case 'integer':
      case 'timestamp': {
        // Whole numbers within 2^53, written as two int32 halves (no BigInt on the hot path).
        const n = value as number;
        const hi = Math.floor(n / TWO_32);
        c.words[row * 2] = n - hi * TWO_32;
        c.words[row * 2 + 1] = hi;
        return;
      }
      case 'float':
        c.floats[row] = value as number;
        return;
      case 'boolean':
        c.bytes[row] = value ? 1 : 0;
        return;
      case 'string':
        setString(c, row, value as string);
        return;
    }
  }

  /** The filled chunk, for an appender. The builder is spent. */
  finish(): duckdb.DataChunk {
    return nativeChunk(this.filled());
  }

  /**
   * The chunk's column buffers, not yet handed to DuckDB: what an ingest worker thread fills and
   * transfers (ingest/worker), so only nativeChunk() runs on the main thread. The builder is spent.
   */
  filled(): FilledChunk {
    return {
      rows: this.rows,
      columns: this.columns.map((c) => ({
        type: c.type,
        data: c.bytes.buffer as ArrayBuffer,
        validity: c.nulls > 0 ? c.validity : undefined,
        // A copy of just the used part: the heap may have grown past it, and it is transferred.
        heap: c.longRows.length > 0 ? new Uint8Array(c.heap.subarray(0, c.heapUsed)) : undefined,
        longRows: c.longRows,
        longOffsets: c.longOffsets,
      })),
    };
  }
}

/** A data chunk's columns in DuckDB's vector layout, as plain buffers (transferable between threads). */
export interface FilledChunk {
  rows: number;
  columns: {
    type: VectorType;
    data: ArrayBuffer;
    /** One bit per row, 1 = not null; undefined when no row is null. */
    validity?: Uint8Array;
    /** Long strings' bytes, one after another; longRows[k]'s starts at longOffsets[k]. */
    heap?: Uint8Array;
    longRows: number[];
    longOffsets: number[];
  }[];
}

/** The buffers in `transfer`'s list that move a filled chunk to another thread without a copy. */
export function chunkTransfers(chunk: FilledChunk): ArrayBuffer[] {
  const list: ArrayBuffer[] = [];
  for (const c of chunk.columns) {
    list.push(c.data);
    if (c.validity) list.push(c.validity.buffer as ArrayBuffer);
    if (c.heap) list.push(c.heap.buffer as ArrayBuffer);
  }
  return list;
}

/** A native DuckDB data chunk holding a filled chunk's values: one copy per column. */
export function nativeChunk(chunk: FilledChunk): duckdb.DataChunk {
  const native = duckdb.create_data_chunk(chunk.columns.map((c) => logicalType(c.type)));
  duckdb.data_chunk_set_size(native, chunk.rows);
  for (let i = 0; i < chunk.columns.length; i++) {
    const c = chunk.columns[i];
    const vector = duckdb.data_chunk_get_vector(native, i);
    if (c.heap) pointAtHeap(vector, c);
    duckdb.copy_data_to_vector(vector, 0, c.data, 0, chunk.rows * WIDTH[c.type]);
    if (c.validity) {
      duckdb.vector_ensure_validity_writable(vector);
      duckdb.copy_data_to_vector_validity(vector, 0, c.validity.buffer as ArrayBuffer, 0, c.validity.byteLength);
    }
  }
  return native;
}

/** Writes a string_t: inline when it fits, else its bytes to the column's heap. */
function setString(c: ColumnBuffer, row: number, s: string): void {
  const at = row * 16;
  const n = s.length;
  const bytes = c.bytes;
  if (n <= INLINE_BYTES) {
    // ASCII (nearly every short value) is copied unit by unit: cheaper than Buffer.write.
    let i = 0;
    while (i < n) {
      const ch = s.charCodeAt(i);
      if (ch >= 0x80) break;
      bytes[at + 4 + i++] = ch;
    }
    if (i === n) {
      c.words[row * 4] = n;
      return;
    }
    if (Buffer.byteLength(s) <= INLINE_BYTES) {
      c.words[row * 4] = bytes.write(s, at + 4, INLINE_BYTES, 'utf8');
      return;
    }
    bytes.fill(0, at + 4, at + 16);
  }
  // At most 3 bytes of UTF-8 per UTF-16 unit.
  if (c.heapUsed + n * 3 > c.heap.length) {
    const grown = Buffer.allocUnsafe(Math.max(c.heap.length * 2, c.heapUsed + n * 3, 4096));
    c.heap.copy(grown, 0, 0, c.heapUsed);
    c.heap = grown;
  }
  const heap = c.heap;
  const start = c.heapUsed;
  let i = 0;
  while (i < n) {
    const ch = s.charCodeAt(i);
    if (ch >= 0x80) break;
    heap[start + i++] = ch;
  }
  const length = i === n ? n : heap.write(s, start, 'utf8');
  c.heapUsed += length;
  c.words[row * 4] = length;
  // string_t keeps the first 4 bytes beside the length; the pointer is set in finish().
  heap.copy(bytes, at + 4, start, start + 4);
  c.longRows.push(row);
  c.longOffsets.push(start);
}

/**
 * Hands the column's long strings to DuckDB as one string (stored in the vector's own heap,
 * which lives as long as the chunk), reads back where DuckDB put it, and points each long
 * row's string_t at its part.
 */
function pointAtHeap(vector: duckdb.Vector, c: FilledChunk['columns'][number]): void {
  duckdb.vector_assign_string_element_len(vector, 0, c.heap!);
  const entry = duckdb.vector_get_data(vector, 16);
  const view = new DataView(entry.buffer, entry.byteOffset, 16);
  const base = view.getUint32(8, true) + view.getUint32(12, true) * TWO_32;
  const words = new Int32Array(c.data);
  for (let k = 0; k < c.longRows.length; k++) {
    const pointer = base + c.longOffsets[k];
    const hi = Math.floor(pointer / TWO_32);
    words[c.longRows[k] * 4 + 2] = pointer - hi * TWO_32;
    words[c.longRows[k] * 4 + 3] = hi;
  }
}
