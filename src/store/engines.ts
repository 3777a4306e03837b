// Every event-store engine Tend has. An engine is a folder, store/<engine>/, holding its
// EventStore (which hands out its compiler) and its compiler (a subclass of sql-compiler.ts
// overriding only what the engine spells differently), plus one line here: the compiler's
// snapshot tests (src/query/compile.test.ts) run for every engine listed.
import { DuckDbCompiler } from './duckdb/duckdb-compiler.js';
import type { SqlCompiler } from './sql-compiler.js';

export interface Engine {
  /** A fresh compiler (with an empty parameter list) for the engine's SQL. */
  compiler(): SqlCompiler;
}

export const ENGINES: Record<string, Engine> = {
  duckdb: { compiler: () => new DuckDbCompiler() },
};
