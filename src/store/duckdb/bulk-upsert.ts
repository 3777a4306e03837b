// MetaStore.upsert on DuckDB: rows go through DuckDB's appender into a temporary staging
// table, then one INSERT ... SELECT ... ON CONFLICT moves them into the real table. Binding a
// parameter per value cost 160 us of CPU per 14-column row (parsing the statement, creating
// and binding each value, destroying the statement); the appender path costs 8 us
// (bench/meta-upsert.ts, figures in docs/benchmarks.md). Rows the caller knows are new skip
// ON CONFLICT: a plain INSERT ... SELECT of new keys cost DuckDB about half the CPU of the
// upsert (bench:alerts, part c, where every pushed alert that fires is a new row). Temporary
// tables belong to one connection, so the upserter keeps its own; callers run it one at a
// time (the metadata writers' queue).
import type { DuckDBAppender, DuckDBConnection } from '@duckdb/node-api';

type Append = (appender: DuckDBAppender, value: unknown) => void;

/** How a JavaScript value goes into a column of each DuckDB type the metadata tables use. */
const APPENDERS: Record<string, Append> = {
  VARCHAR: (a, v) => a.appendVarchar(String(v)),
  BIGINT: (a, v) => a.appendBigInt(BigInt(Math.trunc(Number(v)))),
  INTEGER: (a, v) => a.appendInteger(Math.trunc(Number(v))),
  DOUBLE: (a, v) => a.appendDouble(Number(v)),
  BOOLEAN: (a, v) => a.appendBoolean(Boolean(v)),
};

const quote = (name: string) => `"${name.replaceAll('"', '""')}"`;
const NEW_MARK = '"__tend_new"';

interface Staging {
  name: string;
  appenders: Append[];
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
    const appender = await this.conn.createAppender(staging.name, null, 'temp');
    try {
      const append = (row: unknown[], isNew: boolean) => {
        if (row.length !== width) throw new Error(`upsert into ${table}: a row has ${row.length} values for ${width} columns`);
        row.forEach((v, i) => (v === null || v === undefined ? appender.appendNull() : staging.appenders[i](appender, v)));
        appender.appendBoolean(isNew);
        appender.endRow();
      };
      for (const row of rows) append(row, false);
      for (const row of newRows) append(row, true);
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
    // The last column marks the rows the caller says are new.
    await this.conn.run(`CREATE TEMP TABLE ${quote(name)} AS SELECT ${cols}, false AS ${NEW_MARK} FROM ${quote(table)} LIMIT 0`);
    const types = new Map(
      (await this.conn.runAndReadAll(`SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'temp' AND table_name = $1`, [name])).getRows().map((r) => [String(r[0]), String(r[1])]),
    );
    const appenders = columns.map((c) => {
      const append = APPENDERS[types.get(c) ?? ''];
      if (!append) throw new Error(`upsert into ${table}: column ${c} has type ${types.get(c)}, which bulk upserts do not write`);
      return append;
    });
    const updates = columns.filter((c) => !key.includes(c)).map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ');
    const from = `INSERT INTO ${quote(table)} (${cols}) SELECT ${cols} FROM temp.main.${quote(name)}`;
    const staging = { name, appenders, insertNew: `${from} WHERE ${NEW_MARK}`, upsert: `${from} WHERE NOT ${NEW_MARK} ON CONFLICT (${key.map(quote).join(', ')}) DO UPDATE SET ${updates}` };
    this.staging.set(id, staging);
    return staging;
  }

  close(): void {
    this.conn.closeSync();
  }
}
