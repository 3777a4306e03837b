// Appends data chunks to one day table through DuckDB's appender, one chunk (up to 2,048 rows)
// per turn of the event loop. The chunks are filled on this thread as their turn comes
// (chunk-fill.ts), or arrive filled from an ingest worker thread (src/ingest/worker).
import { DuckDBDataChunk, type DuckDBConnection } from '@duckdb/node-api';
import { takeTurn } from '../../http/index.js';
import { nativeChunk, type FilledChunk } from './vector-chunk.js';

/**
 * A chunk to append: filled on this thread within its turn (chunk-fill.ts), or fetched already
 * filled from an ingest worker thread before its turn.
 */
export type ChunkSource = { fill: () => FilledChunk } | { fetch: () => Promise<FilledChunk> };

/** Appends chunks to a table, in order. */
export async function appendChunks(conn: DuckDBConnection, tableName: string, chunks: ChunkSource[]): Promise<void> {
  const appender = await conn.createAppender(tableName);
  try {
    for (const source of chunks) {
      const fetched = 'fetch' in source ? await source.fetch() : undefined;
      // One chunk per turn of the event loop, in the budget it shares with the parsing of request
      // bodies (src/http/turns.ts), so a big group commit does not hold up health probes for its
      // whole length (issue 18 item 7); each chunk is flushed within its turn, since the appender
      // adds rows to the table only at a flush, synchronously (one flush of a 20,000-row group
      // held the loop for 100-400 ms). Before, the chunks yielded with setImmediate, outside the
      // budget: two writers' chunks and a turn of parsing could run back to back.
      await inTurn(() => {
        appender.appendDataChunk(new DuckDBDataChunk(nativeChunk(fetched ?? (source as { fill: () => FilledChunk }).fill())));
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
