// Builds a data folder from a backup: every file is checked against the manifest first (size
// and SHA-256; a damaged backup is refused with each bad file named), then one new DuckDB file
// gets the metadata tables with their original keys and constraints, one table per dataset
// day from the event files, and the indexes. The store's own list of day tables is rebuilt
// from the event files, since each day comes back as one table however many it had.
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { quoteIdent } from '../store/index.js';
import { backupIds, readManifest } from './backup.js';
import type { Destination } from './destination.js';
import type { Manifest, ManifestFile } from './manifest.js';
import { fileFacts } from './snapshot.js';
import { sqlString } from './sql.js';

/** The store's list of day tables (store/duckdb/duckdb-event-store.ts). */
const DAY_TABLES = 'event_tables';
const DB_FILE = 'tend.duckdb';
/** Files fetched and checked at once. */
const FETCHES = 8;

export interface BadFile {
  /** Relative to DEST. */
  path: string;
  problem: string;
}

export interface CheckedBackup {
  manifest: Manifest;
  /** Where each good file's content is on this machine. */
  local: Map<string, string>;
  bad: BadFile[];
}

/** The backup `id` names, or the newest in DEST. */
export async function chooseBackup(dest: Destination, id?: string): Promise<Manifest> {
  const chosen = id ?? (await backupIds(dest)).at(-1);
  if (!chosen) throw new Error(`${dest.label}: holds no backup (no backups/*/manifest.json)`);
  return readManifest(dest, chosen);
}

/** Fetches (from S3) and checks every file the manifest names. */
export async function checkBackup(dest: Destination, manifest: Manifest, onFile?: (done: number, total: number) => void): Promise<CheckedBackup> {
  const local = new Map<string, string>();
  const bad: BadFile[] = [];
  let done = 0;
  let next = 0;
  // Several at once: from S3 each file is a round trip, most of them small.
  const worker = async () => {
    while (next < manifest.files.length) {
      const f = manifest.files[next++];
      const problem = await fileProblem(dest, f, local);
      if (problem) bad.push({ path: f.path, problem });
      onFile?.(++done, manifest.files.length);
    }
  };
  await Promise.all(Array.from({ length: FETCHES }, worker));
  bad.sort((a, b) => a.path.localeCompare(b.path));
  return { manifest, local, bad };
}

async function fileProblem(dest: Destination, f: ManifestFile, local: Map<string, string>): Promise<string | undefined> {
  let file: string;
  try {
    file = await dest.fetch(f.path);
    const facts = await fileFacts(file);
    if (facts.bytes !== f.bytes) return `size is ${facts.bytes} bytes, the manifest says ${f.bytes}`;
    if (facts.sha256 !== f.sha256) return 'SHA-256 differs from the manifest (the file is damaged)';
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as { name?: string }).name;
    return code === 'ENOENT' || code === 'NoSuchKey' ? 'missing' : `unreadable: ${(err as Error).message}`;
  }
  local.set(f.path, file);
  return undefined;
}

/** Writes a new data folder from a checked backup; the folder must hold no Tend data yet. */
export async function restoreInto(checked: CheckedBackup, dataDir: string): Promise<void> {
  if (checked.bad.length > 0) throw new Error(`the backup is damaged: ${checked.bad.map((b) => `${b.path}: ${b.problem}`).join('; ')}`);
  const file = path.join(dataDir, DB_FILE);
  if (fs.existsSync(file)) throw new Error(`${dataDir} already holds Tend data (${DB_FILE}): restore into a new folder`);
  fs.mkdirSync(dataDir, { recursive: true });
  const instance = await DuckDBInstance.create(file);
  const conn = await instance.connect();
  try {
    await conn.run('BEGIN TRANSACTION');
    await fill(conn, checked);
    await conn.run('COMMIT');
    await conn.run('CHECKPOINT');
  } catch (err) {
    conn.closeSync();
    instance.closeSync();
    fs.rmSync(file, { force: true });
    fs.rmSync(`${file}.wal`, { force: true });
    throw err;
  }
  conn.closeSync();
  instance.closeSync();
}

async function fill(conn: DuckDBConnection, { manifest, local }: CheckedBackup): Promise<void> {
  const parquet = (f: ManifestFile) => `read_parquet(${sqlString(local.get(f.path)!)})`;
  for (const f of manifest.files) {
    if (f.kind !== 'metadata') continue;
    await conn.run(f.ddl);
    if (f.table !== DAY_TABLES) await conn.run(`INSERT INTO ${quoteIdent(f.table)} SELECT * FROM ${parquet(f)}`);
  }
  for (const f of manifest.files) {
    if (f.kind !== 'events') continue;
    const table = quoteIdent(f.table);
    await conn.run(`CREATE TABLE ${table} AS SELECT * FROM ${parquet(f)}`);
    await conn.run(`ALTER TABLE ${table} ALTER COLUMN "__time" SET NOT NULL`);
    await conn.run(`ALTER TABLE ${table} ALTER COLUMN "__samplerate" SET NOT NULL`);
    const day = Date.parse(`${f.day}T00:00:00Z`) / 86_400_000;
    await conn.run(`INSERT INTO ${DAY_TABLES} (dataset_id, day, table_name) VALUES ($1, $2, $3)`, [f.dataset_id, day, f.table] as never);
  }
  for (const sql of manifest.indexes) await conn.run(sql);
}
