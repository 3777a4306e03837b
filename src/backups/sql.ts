// The few SQL spellings backups need beyond the store's: COPY and read_parquet take file
// paths, which DuckDB accepts only as literals there, so a path is quoted as a string literal
// (every ' doubled). Paths are made by Tend (a staging folder plus a generated name), never
// taken from a request whole.
import type { DuckDBConnection } from '@duckdb/node-api';
import { plainValue } from '../store/index.js';

export function sqlString(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}

/** Rows of a statement on a connection, BIGINT as numbers. */
export async function rowsOf<T>(conn: DuckDBConnection, sql: string, params: unknown[] = []): Promise<T[]> {
  const reader = await conn.runAndReadAll(sql, params as never);
  return reader.getRowObjectsJS().map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, plainValue(v)])) as T);
}
