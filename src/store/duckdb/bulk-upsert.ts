// MetaStore.upsert on DuckDB: rows go through DuckDB's appender into a temporary staging
// table, then one INSERT ... SELECT ... ON CONFLICT moves them into the real table. Binding a
// parameter per value cost 160 us of CPU per 14-column row (parsing the statement, creating
// and binding each value, destroying the statement); the appender path costs 8 us
// (bench/meta-upsert.ts, figures in docs/benchmarks.md). Rows the caller knows are new skip
// ON CONFLICT: a plain INSERT ... SELECT of 500 new keys cost DuckDB 20 us of CPU per row
// against 30-55 us for the upsert (every pushed alert that fires is a new row: bench:alerts,
// part c). Temporary tables belong to one connection, so the upserter keeps its own; callers
// run it one at a time (the metadata writers' queue).
import { DuckDBDataChunk, type DuckDBConnection } from '@duckdb/node-api';
import type { FieldValue } from '../types.js';
import { VECTOR_ROWS, VectorChunkBuilder, type VectorType } from './vector-chunk.js';

/**
 * How a JavaScript value is staged for a column of each DuckDB type the metadata tables use:
 * the staging column's type, its vector type, and the value converted. Rows reach DuckDB as
 * data chunks in its vector format (vector-chunk.ts), one native copy per column instead of a
 * call per value (those calls were a tenth of the main thread's busy time in a profile of
 * 50,000 new pushed alerts).
 * INTEGER is staged as BIGINT; INSERT ... SELECT narrows it.
 */
const STAGED: Record<string, { type: string; vector: VectorType; value: (v: unknown) => FieldValue }> = {
  VARCHAR: { type: 'VARCHAR', vector: 'string', value: String },
  BIGINT: { type: 'BIGINT', vector: 'integer', value: wholeNumber },
  INTEGER: { type: 'BIGINT', vector: 'integer', value: wholeNumber },
  DOUBLE: { type: 'DOUBLE', vector: 'float', value: Number },
  BOOLEAN: { type: 'BOOLEAN', vector: 'boolean', value: Boolean },
};

function wholeNumber(v: unknown): number {
  const n = Math.trunc(Number(v));
  if (!Number.isFinite(n)) throw new Error(`${JSON.stringify(v)} is not a whole number`);
  return n;
}

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
const NEW_MARK = '"__tend_new"';

interface Staging {
  name: string;
  /** The vector type of each column, then the new-row mark's. */
  vectors: VectorType[];
  values: ((v: unknown) => FieldValue)[];
  /** Moves the staged rows marked new, without looking for stored keys. */
  insertNew: string;
  /** Moves the other staged rows, updating those whose key is stored. */
  upsert: string;
}

export class BulkUpsert {
  private readonly staging = new Map<string, Staging>();

  constructor(private readonly conn: DuckDBConnection) {}

  /** Upserts `rows` and inserts `newRows`; when a new row's key is stored after all, upserts every row instead. */
  async run(table: string, columns: string[], key: string[], rows: unknown[][], newRows: unknown[][] = []): Promise<void> {
    if (!rows.length && !newRows.length) return;
    const staging = await this.stagingFor(table, columns, key);
    if (newRows.length) {
      try {
        await this.write(staging, table, columns.length, rows, newRows);
        return;
      } catch {
        // A key conflict (another node stored the row, or a forgotten row is still stored), or
        // a real failure, which the upsert below reports again.
      }
    }
    await this.write(staging, table, columns.length, [...rows, ...newRows], []);
  }

  private async write(staging: Staging, table: string, width: number, rows: unknown[][], newRows: unknown[][]): Promise<void> {
    // The appender's calls are synchronous, on Node's main thread. Outside a transaction its
    // flush commits, and a commit waits for the database's other commits (the event store's
    // included): the main thread stalled there (bench:alerts, part c). Inside one, only BEGIN
    // and COMMIT wait, and they run on DuckDB's threads. The staging rows go with a rollback.
    await this.conn.run('BEGIN TRANSACTION');
    try {
      await this.stage(staging, table, width, rows, newRows);
      if (newRows.length) await this.conn.run(staging.insertNew);
      if (rows.length) await this.conn.run(staging.upsert);
      await this.conn.run(`DELETE FROM temp.main.${quote(staging.name)}`);
      await this.conn.run('COMMIT');
    } catch (err) {
      await this.conn.run('ROLLBACK');
      throw err;
    }
  }

  private async stage(staging: Staging, table: string, width: number, rows: unknown[][], newRows: unknown[][]): Promise<void> {
    const total = rows.length + newRows.length;
    const appender = await this.conn.createAppender(staging.name, null, 'temp');
    try {
      for (let start = 0; start < total; start += VECTOR_ROWS) {
        const chunk = new VectorChunkBuilder(staging.vectors, Math.min(VECTOR_ROWS, total - start));
        for (let r = 0; r < chunk.rows; r++) {
          const k = start + r;
          const row = k < rows.length ? rows[k] : newRows[k - rows.length];
          if (row.length !== width) throw new Error(`upsert into ${table}: a row has ${row.length} values for ${width} columns`);
          for (let i = 0; i < width; i++) {
            const v = row[i];
            // A cell left unset is NULL.
            if (v !== null && v !== undefined) chunk.set(i, r, staging.values[i](v));
          }
          chunk.set(width, r, k >= rows.length);
        }
        appender.appendDataChunk(new DuckDBDataChunk(chunk.finish()));
      }
      appender.flushSync();
    } finally {
      try {
        appender.closeSync();
      } catch {
        // Closing flushes; after a failed row it fails too, and the first error is the one to report.
      }
    }
  }

  private async stagingFor(table: string, columns: string[], key: string[]): Promise<Staging> {
    const id = `${table}\u0000${columns.join('\u0000')}`;
    const known = this.staging.get(id);
    if (known) return known;
    const name = `upsert_staging_${this.staging.size}`;
    const cols = columns.map(quote).join(', ');
    const types = new Map(
      (
        await this.conn.runAndReadAll(
          `SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = current_schema() AND table_name = $1`,
          [table],
        )
      ).getRows().map((r) => [String(r[0]), String(r[1])]),
    );
    const staged = columns.map((c) => {
      const how = STAGED[types.get(c) ?? ''];
      if (!how) throw new Error(`upsert into ${table}: column ${c} has type ${types.get(c)}, which bulk upserts do not write`);
      return how;
    });
    // The last column marks the rows the caller says are new.
    await this.conn.run(`CREATE TEMP TABLE ${quote(name)} (${columns.map((c, i) => `${quote(c)} ${staged[i].type}`).join(', ')}, ${NEW_MARK} BOOLEAN)`);
    const updates = columns.filter((c) => !key.includes(c)).map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ');
    const from = `INSERT INTO ${quote(table)} (${cols}) SELECT ${cols} FROM temp.main.${quote(name)}`;
    const staging = { name, vectors: [...staged.map((t) => t.vector), 'boolean' as const], values: staged.map((t) => t.value), insertNew: `${from} WHERE ${NEW_MARK}`, upsert: `${from} WHERE NOT ${NEW_MARK} ON CONFLICT (${key.map(quote).join(', ')}) DO UPDATE SET ${updates}` };
    this.staging.set(id, staging);
    return staging;
  }

  close(): void {
    this.conn.closeSync();
  }
}
