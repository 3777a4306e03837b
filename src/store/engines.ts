// Every event-store engine Tend has. An engine is a folder, store/<engine>/, holding its
// EventStore (which hands out its compiler) and its compiler (a subclass of sql-compiler.ts
// overriding only what the engine spells differently), plus one line here: the compiler's
// snapshot tests (src/query/compile.test.ts) run for every engine listed.
import { ClickHouseCompiler } from './clickhouse/clickhouse-compiler.js';
import { ClickHouseEventStore } from './clickhouse/clickhouse-event-store.js';
import type { EventStore } from './event-store.js';
import { DuckDbCompiler } from './duckdb/duckdb-compiler.js';
import type { SqlCompiler } from './sql-compiler.js';
import type { MetaStore } from './meta-store.js';
import { PgMetaStore } from './postgres/pg-meta-store.js';

export interface Engine {
  /** A fresh compiler (with an empty parameter list) for the engine's SQL. */
  compiler(): SqlCompiler;
}

export const ENGINES: Record<string, Engine> = {
  duckdb: { compiler: () => new DuckDbCompiler() },
  clickhouse: { compiler: () => new ClickHouseCompiler() },
};

/** An event store that several nodes share, chosen by the scheme of --events' URL. */
export type SharedEventStore = EventStore & { close(): Promise<void> };

export const EVENT_ENGINES: Record<string, (url: string) => Promise<SharedEventStore>> = {
  clickhouse: (url) => ClickHouseEventStore.open(url),
  clickhouses: (url) => ClickHouseEventStore.open(url),
};

export function openEventStore(url: string): Promise<SharedEventStore> {
  return openByScheme(url, EVENT_ENGINES, '--events: no event store');
}

/** Opens `url` with the engine its scheme names, or throws `problem` with the schemes known. */
function openByScheme<T>(url: string, engines: Record<string, (url: string) => Promise<T>>, problem: string): Promise<T> {
  const scheme = new URL(url).protocol.replace(/:$/, '');
  const open = engines[scheme];
  if (!open) throw new Error(`${problem} for ${scheme}:// (known: ${Object.keys(engines).join(', ')})`);
  return open(url);
}

/** A metadata store that several nodes share, chosen by the scheme of --meta's URL. */
export type SharedMetaStore = MetaStore & { close(): Promise<void> };

export const META_ENGINES: Record<string, (url: string) => Promise<SharedMetaStore>> = {
  postgres: (url) => PgMetaStore.open(url),
  postgresql: (url) => PgMetaStore.open(url),
};

export function openMetaStore(url: string): Promise<SharedMetaStore> {
  return openByScheme(url, META_ENGINES, '--meta: no metadata store');
}
