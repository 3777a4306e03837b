// The SQL compiler for each event store dialect.
import type { EventStore } from '../../store/index.js';
import { SqlCompiler } from './base.js';
import { DuckDbCompiler } from './duckdb.js';

export { SqlCompiler, isoMicros, type CompiledSql } from './base.js';
export { DuckDbCompiler } from './duckdb.js';

/** A fresh compiler (with an empty parameter list) for the store's dialect. */
export function compilerFor(dialect: EventStore['dialect']): SqlCompiler {
  switch (dialect) {
    case 'duckdb':
      return new DuckDbCompiler();
    case 'clickhouse':
      throw new Error('the ClickHouse query compiler does not exist yet');
  }
}
