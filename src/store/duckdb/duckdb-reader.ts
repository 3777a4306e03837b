// The read side of the DuckDB event store: the relation a query reads (its day tables, one or
// a union) and running a statement on a pooled connection, with DuckDB's errors turned into
// the engine-neutral ones of ../errors.ts.
import { BadValueError, ReadTimeoutError, UnknownColumnError } from '../errors.js';
import type { ReadOptions } from '../event-store.js';
import type { Row } from '../meta-store.js';
import { SAMPLERATE_COLUMN, TIME_COLUMN, type Column, type ColumnType } from '../types.js';
import { fieldName } from './column-names.js';
import { DuckDbCompiler } from './duckdb-compiler.js';
import { DuckDatabase, plainValue } from './database.js';
import { DAY_US, quoteIdent } from './partitions.js';

/** A dataset's columns and its day tables (day number -> tables, each with its columns). */
export interface StoredSchema {
  columns: Column[];
  days: Map<number, { name: string; names: string[] }[]>;
}

/** See EventStore.source. */
export function sourceOf(schemas: StoredSchema[], fromUs: number, toUs: number, wanted?: Column[]): string | undefined {
  const parts: { table: string; types: Map<string, ColumnType> }[] = [];
  for (const schema of schemas) {
    let all: Map<string, ColumnType> | undefined;
    for (const [day, tables] of schema.days) {
      if (day * DAY_US >= toUs || (day + 1) * DAY_US <= fromUs) continue;
      all ??= new Map(schema.columns.map((c) => [c.name, c.type]));
      // A table holds some of the dataset's columns (write-plan.ts), each with the dataset's type.
      for (const t of tables) parts.push({ table: t.name, types: new Map(t.names.map((n) => [n, all!.get(n)!])) });
    }
  }
  if (parts.length === 0) return undefined;
  if (!wanted || parts.every((p) => wanted.every((c) => p.types.get(c.name) === c.type))) {
    if (parts.length === 1) return quoteIdent(parts[0].table);
    return `(${parts.map((p) => `SELECT * FROM ${quoteIdent(p.table)}`).join(' UNION ALL BY NAME ')})`;
  }
  // Some table lacks a column asked for, or holds it with another type (datasets of __all__
  // that typed a field differently, or have no events in the window): each table says
  // exactly what the query expects.
  const c = new DuckDbCompiler();
  const select = (p: (typeof parts)[number]) => {
    const cols = [TIME_COLUMN, SAMPLERATE_COLUMN].map((n) => c.ident(n));
    for (const col of wanted) {
      const have = p.types.get(col.name);
      const name = c.ident(col.name);
      cols.push(have === col.type ? name : `${have === undefined ? c.nullOf(col.type) : c.cast(name, col.type)} AS ${name}`);
    }
    return `SELECT ${cols.join(', ')} FROM ${c.ident(p.table)}`;
  };
  return `(${parts.map(select).join(' UNION ALL ')})`;
}

/** See EventStore.read. */
export async function readRows(db: DuckDatabase, sql: string, params: unknown[], options: ReadOptions): Promise<Row[]> {
  return db.withConnection(async (conn) => {
    let interrupted = false;
    const timer = setTimeout(() => {
      interrupted = true;
      conn.interrupt();
    }, options.timeoutMs);
    try {
      const reader = await conn.runAndReadAll(sql, params as never);
      const names = reader.columnNames().map(fieldName);
      return reader.getRowsJS().map((row) => {
        const out: Row = {};
        for (let i = 0; i < names.length; i++) out[names[i]] = plainValue(row[i]);
        return out;
      });
    } catch (err) {
      throw engineError(err, interrupted, options.timeoutMs);
    } finally {
      clearTimeout(timer);
    }
  });
}

/** DuckDB's error -> the engine-neutral error it means; other errors pass unchanged. */
export function engineError(err: unknown, interrupted: boolean, timeoutMs: number): unknown {
  const message = err instanceof Error ? err.message : String(err);
  if (interrupted || /^INTERRUPT Error/i.test(message)) return new ReadTimeoutError(timeoutMs);
  // Values DuckDB cannot compute (an overflow, text that is not a number or a date, a broken
  // regular expression) come from what the request asked.
  if (/^(Out of Range|Conversion|Invalid Input) Error/.test(message)) return new BadValueError(message.split('\n')[0]);
  const column = /^Binder Error: Referenced column "((?:[^"]|"")*)" not found/.exec(message);
  if (column) return new UnknownColumnError(fieldName(column[1].replaceAll('""', '"')));
  return err;
}
