// MetaStore.upsert on DuckDB: rows go through DuckDB's appender into a temporary staging
// table, then one INSERT ... SELECT ... ON CONFLICT moves them into the real table. Binding a
// parameter per value cost 160 us of CPU per 14-column row (parsing the statement, creating
// and binding each value, destroying the statement); the appender path costs 8 us
// (bench/meta-upsert.ts, figures in docs/benchmarks.md). Temporary tables belong to one
// connection, so the upserter keeps its own; callers run it one at a time (the metadata
// writers' queue).
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

interface Staging {
  name: string;
  appenders: Append[];
  insert: string;
}

export class BulkUpsert {
  private readonly staging = new Map<string, Staging>();

  constructor(private readonly conn: DuckDBConnection) {}

  async run(table: string, columns: string[], key: string[], rows: unknown[][]): Promise<void> {
    if (!rows.length) return;
    const staging = await this.stagingFor(table, columns, key);
    // The appender's calls are synchronous, on Node's main thread. Outside a transaction its
    // flush commits, and a commit waits for the database's other commits (the event store's
    // included): the main thread stalled there (bench:alerts, part c). Inside one, only BEGIN
    // and COMMIT wait, and they run on DuckDB's threads. The staging rows go with a rollback.
    await this.conn.run('BEGIN TRANSACTION');
    try {
      await this.stage(staging, table, columns.length, rows);
      await this.conn.run(staging.insert);
      await this.conn.run(`DELETE FROM temp.main.${quote(staging.name)}`);
      await this.conn.run('COMMIT');
    } catch (err) {
      await this.conn.run('ROLLBACK');
      throw err;
    }
  }

  private async stage(staging: Staging, table: string, width: number, rows: unknown[][]): Promise<void> {
    const appender = await this.conn.createAppender(staging.name, null, 'temp');
    try {
      for (const row of rows) {
        if (row.length !== width) throw new Error(`upsert into ${table}: a row has ${row.length} values for ${width} columns`);
        row.forEach((v, i) => (v === null || v === undefined ? appender.appendNull() : staging.appenders[i](appender, v)));
        appender.endRow();
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
    await this.conn.run(`CREATE TEMP TABLE ${quote(name)} AS SELECT ${cols} FROM ${quote(table)} LIMIT 0`);
    const types = new Map(
      (await this.conn.runAndReadAll(`SELECT column_name, data_type FROM duckdb_columns() WHERE database_name = 'temp' AND table_name = $1`, [name])).getRows().map((r) => [String(r[0]), String(r[1])]),
    );
    const appenders = columns.map((c) => {
      const append = APPENDERS[types.get(c) ?? ''];
      if (!append) throw new Error(`upsert into ${table}: column ${c} has type ${types.get(c)}, which bulk upserts do not write`);
      return append;
    });
    const updates = columns.filter((c) => !key.includes(c)).map((c) => `${quote(c)} = excluded.${quote(c)}`).join(', ');
    const insert = `INSERT INTO ${quote(table)} (${cols}) SELECT ${cols} FROM temp.main.${quote(name)} ON CONFLICT (${key.map(quote).join(', ')}) DO UPDATE SET ${updates}`;
    const staging = { name, appenders, insert };
    this.staging.set(id, staging);
    return staging;
  }

  close(): void {
    this.conn.closeSync();
  }
}
