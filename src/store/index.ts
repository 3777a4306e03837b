// The store's public face: event and metadata storage, datasets, the SQL compilers each engine
// hands out, the errors reads throw, and the DuckDB defaults.
export type { EventStore, DatasetWrite, ReadOptions, AppendOptions, Refusal } from './event-store.js';
export { insertStatements, type MetaStore, type Row } from './meta-store.js';
export type { TraceStore, TraceEntry } from './trace-store.js';
export * from './types.js';
export { typeOfValue } from './column-types.js';
export { DatasetRegistry, datasetNameProblem, ALL_DATASETS } from './datasets.js';
export { SqlCompiler, isoMicros, type CastType } from './sql-compiler.js';
export { ENGINES, openEventStore, openMetaStore, type Engine, type SharedEventStore, type SharedMetaStore } from './engines.js';
export { PgMetaStore } from './postgres/pg-meta-store.js';
export { ReadTimeoutError, BadValueError, UnknownColumnError } from './errors.js';
export { DuckDatabase, plainValue } from './duckdb/database.js';
export { DuckEventStore } from './duckdb/duckdb-event-store.js';
export { Checkpoints } from './duckdb/checkpoints.js';
export { Serial } from './serial.js';
export { Leases, LeaseLoop, LEASE_TTL_MS, LEASE_RENEW_MS, type LeaseLoopOptions } from './leases.js';
export { shareChanges } from './shared-changes.js';
export { migrateEvents, type DayCount } from './migrate-events.js';
export { quoteIdent, partitionTable, DAY_US } from './duckdb/partitions.js';
export type { VersionedSchema, PreparedWrite } from './duckdb/duckdb-event-store.js';
export { planDataset, type DatasetSchema, type SchemaChanges } from './duckdb/write-plan.js';
export { chunksOf } from './duckdb/chunk-fill.js';
export { chunkTransfers, type FilledChunk } from './duckdb/vector-chunk.js';
