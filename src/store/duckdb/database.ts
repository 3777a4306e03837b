// One DuckDB file holds events and metadata. This wraps the instance with a small pool of
// connections: DuckDB runs one statement at a time per connection, and queries run on
// DuckDB's own threads, so several connections let reads overlap with the writer.
// Metadata writes run one at a time: DuckDB's optimistic concurrency aborts the second of two
// transactions that touch the same row ("Conflict on tuple deletion", or a duplicate key when
// both insert it) where PostgreSQL would make it wait, so concurrent API calls answered 500.
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { MetaStore, Row } from '../meta-store.js';
import { Serial } from '../serial.js';
import { BulkUpsert } from './bulk-upsert.js';

const MAX_IDLE = 8;
/**
 * WAL size at which DuckDB checkpoints by itself (folds the log into the database file),
 * inside whichever commit crosses it. DuckDB's 16 MB default made ingest checkpoint every
 * ~70,000 events inside commits, and a checkpoint's cost grows with the tables, so sustained
 * appends of span-shaped events ran at 48,000/s; at 256 MB they run at 70,000/s (figures in
 * docs/benchmarks.md). This is only the backstop: the store checkpoints in the background on
 * a schedule and by log size (checkpoints.ts), which keeps the replay after a crash short.
 */
const CHECKPOINT_THRESHOLD = '256MiB';
/** Statements that only read need no place in the metadata writers' queue. */
const READ_ONLY = /^\s*SELECT\b/i;

export class DuckDatabase implements MetaStore {
  private idle: DuckDBConnection[] = [];
  private readonly metaWrites = new Serial();
  private readonly migrations = new Serial();
  private bulk?: BulkUpsert;

  private constructor(
    readonly file: string,
    private readonly instance: DuckDBInstance,
  ) {}

  /** `readOnly` opens an existing file without writing to it (tend migrate reads a stopped folder). */
  static async open(dataDir: string, options: { memoryLimit?: string; readOnly?: boolean } = {}): Promise<DuckDatabase> {
    if (!options.readOnly) fs.mkdirSync(dataDir, { recursive: true });
    const file = path.join(dataDir, 'tend.duckdb');
    const settings: Record<string, string> = { checkpoint_threshold: CHECKPOINT_THRESHOLD };
    if (options.memoryLimit) settings.memory_limit = options.memoryLimit;
    if (options.readOnly) settings.access_mode = 'READ_ONLY';
    const instance = await DuckDBInstance.create(file, settings).catch((err: Error) => {
      const holder = /Conflicting lock is held in .*\(PID (\d+)\)/.exec(err.message);
      if (!holder) throw err;
      throw new Error(`the data folder ${dataDir} is locked by another process (PID ${holder[1]}), probably a running tend serve: stop it or use another --data`);
    });
    const db = new DuckDatabase(file, instance);
    if (options.readOnly) return db;
    await db.query(`CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)`);
    return db;
  }

  /** A dedicated connection, for the writer that keeps appenders open. */
  connect(): Promise<DuckDBConnection> {
    return this.instance.connect();
  }

  async withConnection<T>(fn: (conn: DuckDBConnection) => Promise<T>): Promise<T> {
    const conn = this.idle.pop() ?? (await this.instance.connect());
    try {
      return await fn(conn);
    } finally {
      if (this.idle.length < MAX_IDLE) this.idle.push(conn);
      else conn.closeSync();
    }
  }

  async query<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    const run = () =>
      this.withConnection(async (conn) => {
        const reader = await conn.runAndReadAll(sql, params as never);
        return reader.getRowObjectsJS().map((row) => plainRow(row) as T);
      });
    return READ_ONLY.test(sql) ? run() : this.metaWrites.run(run);
  }

  async transaction(statements: { sql: string; params?: unknown[] }[]): Promise<void> {
    await this.metaWrites.run(() => this.withConnection(async (conn) => {
      await conn.run('BEGIN TRANSACTION');
      try {
        for (const s of statements) await conn.run(s.sql, (s.params ?? []) as never);
        await conn.run('COMMIT');
      } catch (err) {
        await conn.run('ROLLBACK');
        throw err;
      }
    }));
  }

  async migrate(name: string, statements: string[]): Promise<void> {
    // One at a time, so two callers of the same migration do not both find it missing.
    await this.migrations.run(async () => {
      const done = await this.query('SELECT name FROM schema_migrations WHERE name = $1', [name]);
      if (done.length > 0) return;
      await this.transaction([
        ...statements.map((sql) => ({ sql })),
        { sql: 'INSERT INTO schema_migrations (name, applied_at) VALUES ($1, $2)', params: [name, new Date().toISOString()] },
      ]);
    });
  }

  async upsert(table: string, columns: string[], key: string[], rows: unknown[][], newRows: unknown[][] = []): Promise<void> {
    await this.metaWrites.run(async () => {
      this.bulk ??= new BulkUpsert(await this.instance.connect());
      await this.bulk.run(table, columns, key, rows, newRows);
    });
  }

  /**
   * Folds the write-ahead log into the database file, so the next start has nothing to
   * replay. Metadata writes wait for it; DuckDB would let transactions run beside it, but
   * the event store keeps its appends out of the way too (DuckEventStore.checkpoint).
   */
  async checkpoint(): Promise<void> {
    await this.metaWrites.run(() => this.withConnection((conn) => conn.run('CHECKPOINT')));
  }

  /** Bytes in the write-ahead log: what a start after a crash would replay. */
  walBytes(): number {
    return fileSize(`${this.file}.wal`);
  }

  /** Bytes on disk: the database file and its write-ahead log. */
  sizeBytes(): number {
    return fileSize(this.file) + this.walBytes();
  }

  close(): void {
    this.bulk?.close();
    for (const c of this.idle) c.closeSync();
    this.idle = [];
    this.instance.closeSync();
  }
}

/** BIGINT arrives as bigint; callers want numbers (ids, counts and sums here fit in 2^53). */
export function plainValue(v: unknown): unknown {
  return typeof v === 'bigint' ? Number(v) : v;
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    // The WAL does not exist before the first write, nor after some checkpoints.
    return 0;
  }
}

function plainRow(row: Record<string, unknown>): Row {
  const out: Row = {};
  for (const [k, v] of Object.entries(row)) out[k] = plainValue(v);
  return out;
}
