// MetaStore: the small, portable SQL surface that environments, keys, datasets and later
// capabilities keep their records in. Statements use `$1` parameters and the subset of SQL
// that DuckDB and PostgreSQL both run, so a PostgreSQL implementation is a new driver, not
// new queries.

export type Row = Record<string, unknown>;

export interface MetaStore {
  /** Runs a statement and returns its rows; BIGINT values come back as numbers. */
  query<T extends Row = Row>(sql: string, params?: unknown[]): Promise<T[]>;
  /** Runs statements in one transaction, in order. */
  transaction(statements: { sql: string; params?: unknown[] }[]): Promise<void>;
  /**
   * Applies a capability's schema once: `name` identifies it, statements run in order the
   * first time only. Later versions of a capability add a new name.
   */
  migrate(name: string, statements: string[]): Promise<void>;
  /**
   * Inserts many rows at once, updating every other column of a row whose `key` columns match
   * one already stored (the table's primary key). For rows written in bulk, where one
   * statement per row, or parameters per value, would cost more than the work itself.
   * `newRows` are written too: rows the caller believes are not stored yet (it made them). A
   * store may insert those without looking for a stored match, and redoes the whole write as
   * an upsert when one turns out to be stored after all.
   */
  upsert(table: string, columns: string[], key: string[], rows: unknown[][], newRows?: unknown[][]): Promise<void>;
  /**
   * Tells every other node sharing this store (PostgreSQL's NOTIFY), for changes a node keeps
   * in memory, such as revoked keys. Absent on the embedded store: there is no other node.
   */
  notify?(channel: string, payload: string): Promise<void>;
  /** Calls `fn` with what any node sends on `channel` (PostgreSQL's LISTEN). */
  listen?(channel: string, fn: (payload: string) => void): Promise<void>;
}

/** PostgreSQL's limit on parameters in one statement. */
const MAX_PARAMETERS = 65_535;

/**
 * Multi-row INSERT statements with parameters, for a driver whose parameters are cheap
 * (PostgreSQL). With `key` (the table's primary key), a row matching one already stored updates
 * every other column of it (`upsert`); without, rows are plain inserts. Each statement holds
 * at most 1,000 rows and never more parameters than PostgreSQL takes.
 */
export function insertStatements(table: string, columns: string[], rows: unknown[][], key?: string[]): { sql: string; params: unknown[] }[] {
  const q = (name: string) => `"${name.replaceAll('"', '""')}"`;
  const updates = columns.filter((c) => !key?.includes(c)).map((c) => `${q(c)} = excluded.${q(c)}`);
  const onConflict = !key ? '' : ` ON CONFLICT (${key.map(q).join(', ')}) ${updates.length ? `DO UPDATE SET ${updates.join(', ')}` : 'DO NOTHING'}`;
  const rowsPerStatement = Math.max(1, Math.min(1000, Math.floor(MAX_PARAMETERS / columns.length)));
  const statements = [];
  for (let i = 0; i < rows.length; i += rowsPerStatement) {
    const chunk = rows.slice(i, i + rowsPerStatement);
    const values = chunk.map((_, r) => `(${columns.map((_, c) => `$${r * columns.length + c + 1}`).join(', ')})`).join(', ');
    statements.push({ sql: `INSERT INTO ${q(table)} (${columns.map(q).join(', ')}) VALUES ${values}${onConflict}`, params: chunk.flat() });
  }
  return statements;
}
