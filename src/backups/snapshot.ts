// The point-in-time copy. Everything is read in one DuckDB transaction, whose snapshot is
// fixed by its first statement: every event acknowledged before it is in the backup, nothing
// committed after it is, and ingest goes on meanwhile (DuckDB's MVCC keeps the old versions
// for this reader). Each dataset's day, whatever number of tables the store split it into
// (store/duckdb/write-plan.ts), becomes one Parquet file; each metadata table becomes one.
//
// Incremental: a day's fingerprint is its tables, their columns with types, and its row
// count. Events are only ever appended and days only dropped whole, so a day whose
// fingerprint an earlier backup already recorded holds the same events, and that file is
// named again instead of written again.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { DAY_US, partitionTable, quoteIdent, type DuckDatabase } from '../store/index.js';
import type { Destination } from './destination.js';
import { BACKUPS_FOLDER, EVENTS_FOLDER, type EventFile, type Manifest, type ManifestFile, type MetaFile } from './manifest.js';
import { rowsOf, sqlString } from './sql.js';

export interface Progress {
  /** Files in the backup, and how many are done (written or shared). */
  files: number;
  files_done: number;
  /** Files written by this backup, and their bytes (shared files cost nothing). */
  files_written: number;
  bytes_written: number;
}

interface DayPart {
  datasetId: string;
  day: number;
  tables: string[];
  rows: number;
  fingerprint: string;
}

type Snapshot = Omit<Manifest, 'format' | 'id' | 'tend_version' | 'finished_at'>;

export async function takeSnapshot(
  db: DuckDatabase,
  dest: Destination,
  id: string,
  shared: Map<string, EventFile>,
  onProgress: (p: Progress) => void,
): Promise<Snapshot> {
  const staging = await dest.staging();
  return db.withConnection(async (conn) => {
    await conn.run('BEGIN TRANSACTION');
    try {
      const snapshotAt = new Date().toISOString();
      const parts = await dayParts(conn);
      const metaTables = await metadataTables(conn, new Set(parts.flatMap((p) => p.tables)));
      const datasets = await datasetsOf(conn);
      const progress: Progress = { files: parts.length + metaTables.length, files_done: 0, files_written: 0, bytes_written: 0 };
      onProgress({ ...progress });
      const files: ManifestFile[] = [];
      // Hashing and moving a file overlaps with DuckDB writing the next one.
      let moving: Promise<void> = Promise.resolve();
      const write = async (select: string, rel: string, finish: (f: { bytes: number; sha256: string }) => ManifestFile) => {
        const local = path.join(staging, `${files.length}-${crypto.randomBytes(4).toString('hex')}.parquet`);
        await conn.run(`COPY (${select}) TO ${sqlString(local)} (FORMAT PARQUET)`);
        await moving;
        moving = (async () => {
          const done = finish(await fileFacts(local));
          await dest.commit(local, rel);
          files.push(done);
          progress.files_done++;
          progress.files_written++;
          progress.bytes_written += done.bytes;
          onProgress({ ...progress });
        })();
        // Keep the chain's failure for the next await; do not leave it unhandled meanwhile.
        moving.catch(() => undefined);
      };
      for (const t of metaTables) {
        await write(`SELECT * FROM ${quoteIdent(t.table_name)}`, `${BACKUPS_FOLDER}${id}/meta/${t.table_name}.parquet`, (f) => ({
          kind: 'metadata', path: `${BACKUPS_FOLDER}${id}/meta/${t.table_name}.parquet`, table: t.table_name, ddl: t.sql, rows: t.rows, ...f,
        }) satisfies MetaFile);
      }
      for (const p of parts) {
        const ds = datasets.get(p.datasetId);
        const day = new Date(p.day * (DAY_US / 1000)).toISOString().slice(0, 10);
        const rel = `${EVENTS_FOLDER}${p.datasetId}/${day}/${p.rows}-${p.fingerprint}.parquet`;
        const entry = { kind: 'events' as const, path: rel, environment: ds?.environment ?? '', dataset: ds?.name ?? p.datasetId, dataset_id: p.datasetId, day, table: partitionTable(p.datasetId, p.day), rows: p.rows, fingerprint: p.fingerprint };
        const before = shared.get(rel);
        if (before) {
          files.push({ ...entry, bytes: before.bytes, sha256: before.sha256 });
          progress.files_done++;
          onProgress({ ...progress });
          continue;
        }
        const select = p.tables.map((t) => `SELECT * FROM ${quoteIdent(t)}`).join(' UNION ALL BY NAME ');
        await write(select, rel, (f) => ({ ...entry, ...f }));
      }
      await moving;
      const indexes = await rowsOf<{ sql: string }>(conn, `SELECT sql FROM duckdb_indexes() WHERE database_name = current_database() AND sql IS NOT NULL ORDER BY index_name`);
      const columns = await rowsOf<{ dataset_id: string; name: string; type: string }>(conn, 'SELECT dataset_id, name, type FROM dataset_columns ORDER BY dataset_id, position');
      return {
        snapshot_at: snapshotAt,
        indexes: indexes.map((i) => i.sql),
        datasets: [...datasets.entries()].map(([dsId, d]) => ({ id: dsId, environment: d.environment, name: d.name, columns: columns.filter((c) => c.dataset_id === dsId).map((c) => ({ name: c.name, type: c.type })) })),
        files,
      };
    } finally {
      await conn.run('COMMIT');
    }
  });
}

/** Each dataset's days with their tables, row counts and fingerprints, as of the snapshot. */
async function dayParts(conn: DuckDBConnection): Promise<DayPart[]> {
  const tables = await rowsOf<{ dataset_id: string; day: number; table_name: string }>(conn, 'SELECT dataset_id, day, table_name FROM event_tables ORDER BY dataset_id, day, table_name');
  if (tables.length === 0) return [];
  const columns = await rowsOf<{ table_name: string; column_name: string; data_type: string }>(
    conn,
    `SELECT c.table_name, c.column_name, c.data_type FROM duckdb_columns() c JOIN event_tables t ON t.table_name = c.table_name
     WHERE c.database_name = current_database() ORDER BY c.table_name, c.column_index`,
  );
  const counts = new Map<string, number>();
  // One statement for all counts; DuckDB answers count(*) from its row groups' metadata.
  for (let i = 0; i < tables.length; i += 500) {
    const chunk = tables.slice(i, i + 500);
    const sql = chunk.map((t, j) => `SELECT ${j} AS i, count(*) AS n FROM ${quoteIdent(t.table_name)}`).join(' UNION ALL ');
    for (const r of await rowsOf<{ i: number; n: number }>(conn, sql)) counts.set(chunk[r.i].table_name, r.n);
  }
  const parts = new Map<string, DayPart>();
  for (const t of tables) {
    const key = `${t.dataset_id} ${t.day}`;
    let p = parts.get(key);
    if (!p) parts.set(key, (p = { datasetId: t.dataset_id, day: t.day, tables: [], rows: 0, fingerprint: '' }));
    p.tables.push(t.table_name);
    p.rows += counts.get(t.table_name) ?? 0;
  }
  for (const p of parts.values()) {
    const shape = p.tables.map((t) => [t, columns.filter((c) => c.table_name === t).map((c) => `${c.column_name} ${c.data_type}`)]);
    p.fingerprint = crypto.createHash('sha256').update(JSON.stringify([shape, p.rows])).digest('hex').slice(0, 16);
  }
  return [...parts.values()];
}

/** Every table but the event tables, with its DDL and rows. */
async function metadataTables(conn: DuckDBConnection, eventTables: Set<string>): Promise<{ table_name: string; sql: string; rows: number }[]> {
  const all = await rowsOf<{ table_name: string; sql: string; estimated_size: number }>(
    conn,
    `SELECT table_name, sql FROM duckdb_tables() WHERE database_name = current_database() AND schema_name = 'main' AND NOT temporary ORDER BY table_name`,
  );
  const out = [];
  for (const t of all) {
    if (eventTables.has(t.table_name)) continue;
    const [{ n }] = await rowsOf<{ n: number }>(conn, `SELECT count(*) AS n FROM ${quoteIdent(t.table_name)}`);
    out.push({ table_name: t.table_name, sql: t.sql, rows: n });
  }
  return out;
}

/** Dataset names by id; empty when metadata lives in PostgreSQL (--meta), which pg_dump backs up. */
async function datasetsOf(conn: DuckDBConnection): Promise<Map<string, { environment: string; name: string }>> {
  const [{ n }] = await rowsOf<{ n: number }>(conn, `SELECT count(*) AS n FROM duckdb_tables() WHERE database_name = current_database() AND table_name IN ('datasets', 'environments')`);
  if (n < 2) return new Map();
  const rows = await rowsOf<{ id: string; name: string; environment: string }>(
    conn,
    'SELECT d.id, d.name, e.slug AS environment FROM datasets d JOIN environments e ON e.id = d.env_id ORDER BY d.id',
  );
  return new Map(rows.map((r) => [r.id, { environment: r.environment, name: r.name }]));
}

export async function fileFacts(file: string): Promise<{ bytes: number; sha256: string }> {
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}
