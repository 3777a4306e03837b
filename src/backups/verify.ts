// `tend backup verify`: the restore test a backup needs before anyone relies on it. Checks
// every file's checksum, restores into a temporary folder, then asks the restored store, the
// way queries do, what the manifest promises: each day's event count and time range, each
// dataset's column list, a sample of each day's events (equal to the same rows read from the
// backup file), and each metadata table's row count. Any difference names its file.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DAY_US, DuckDatabase, DuckEventStore, quoteIdent, type Column } from '../store/index.js';
import type { Destination } from './destination.js';
import type { EventFile, Manifest } from './manifest.js';
import { checkBackup, chooseBackup, restoreInto, type BadFile, type CheckedBackup } from './restore.js';
import { sqlString } from './sql.js';

/** Events compared row for row per day. */
const SAMPLE = 5;
const TIMEOUT_MS = 60_000;

export interface VerifyReport {
  ok: boolean;
  backup: string;
  snapshot_at: string;
  files: number;
  event_rows: number;
  datasets: number;
  bad: BadFile[];
}

export async function verifyBackup(dest: Destination, id?: string): Promise<VerifyReport> {
  const manifest = await chooseBackup(dest, id);
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'tend-verify-'));
  try {
    const checked = await checkBackup(dest, manifest);
    const bad = [...checked.bad];
    if (bad.length === 0) {
      await restoreInto(checked, dir);
      bad.push(...(await compare(checked, dir)));
    }
    return {
      ok: bad.length === 0,
      backup: manifest.id,
      snapshot_at: manifest.snapshot_at,
      files: manifest.files.length,
      event_rows: manifest.files.reduce((n, f) => n + (f.kind === 'events' ? f.rows : 0), 0),
      datasets: manifest.datasets.length,
      bad,
    };
  } finally {
    await dest.close();
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}

async function compare({ manifest, local }: CheckedBackup, dataDir: string): Promise<BadFile[]> {
  const db = await DuckDatabase.open(dataDir);
  try {
    const store = await DuckEventStore.open(db);
    const bad: BadFile[] = [];
    for (const f of manifest.files) {
      const problem = f.kind === 'events' ? await eventsProblem(store, f, local.get(f.path)!) : await rowsProblem(db, f.table, f.rows);
      if (problem) bad.push({ path: f.path, problem });
    }
    for (const ds of manifest.datasets) {
      const problem = columnsProblem(await store.columns(ds.id), ds.columns);
      const named = manifest.files.find((f) => f.kind === 'metadata' && f.table === 'dataset_columns');
      if (problem) bad.push({ path: named?.path ?? 'manifest.json', problem: `dataset ${ds.environment}/${ds.name}: ${problem}` });
    }
    return bad;
  } finally {
    db.close();
  }
}

async function eventsProblem(store: DuckEventStore, f: EventFile, file: string): Promise<string | undefined> {
  const from = (Date.parse(`${f.day}T00:00:00Z`) / 86_400_000) * DAY_US;
  const source = await store.source([f.dataset_id], from, from + DAY_US);
  if (!source) return `the restored store has no events for ${f.dataset} on ${f.day}`;
  const read = (sql: string) => store.read(sql, [], { timeoutMs: TIMEOUT_MS });
  const [facts] = await read(`SELECT count(*) AS n, min("__time") >= make_timestamp(${from}) AND max("__time") < make_timestamp(${from + DAY_US}) AS inside FROM ${source}`);
  if (facts.n !== f.rows) return `${facts.n} events restored for ${f.dataset} on ${f.day}, the manifest says ${f.rows}`;
  if (f.rows > 0 && facts.inside !== true) return `events of ${f.dataset} fall outside ${f.day}`;
  const sample = `SELECT * FROM %s ORDER BY ALL LIMIT ${SAMPLE}`;
  const restored = await read(sample.replace('%s', source));
  const backedUp = await read(sample.replace('%s', `read_parquet(${sqlString(file)})`));
  if (JSON.stringify(restored) !== JSON.stringify(backedUp)) return `a sample of ${f.dataset} on ${f.day} differs from the backup file`;
  return undefined;
}

async function rowsProblem(db: DuckDatabase, table: string, rows: number): Promise<string | undefined> {
  const [{ n }] = await db.query<{ n: number }>(`SELECT count(*) AS n FROM ${quoteIdent(table)}`);
  // The day-table list is rebuilt with one table per day, so its count may shrink.
  if (table !== 'event_tables' && n !== rows) return `table ${table}: ${n} rows restored, the manifest says ${rows}`;
  return undefined;
}

function columnsProblem(restored: Column[], expected: Manifest['datasets'][number]['columns']): string | undefined {
  const have = restored.map((c) => `${c.name} ${c.type}`).join(', ');
  const want = expected.map((c) => `${c.name} ${c.type}`).join(', ');
  return have === want ? undefined : `columns restored [${have}], the manifest says [${want}]`;
}
