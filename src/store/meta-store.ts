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
}
