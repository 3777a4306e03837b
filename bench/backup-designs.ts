// npm run bench:backup-designs — issue 16 item 7: where a backup's time goes, and whether
// another way of writing the Parquet is faster. One data folder (BENCH_EVENTS, 2,000,000,
// events over 8 days, bench/backup-data.ts), `cp -r` of it while stopped (the reference), then
// each design in turn on the same folder, each in one DuckDB transaction as a backup reads:
//  1. today's backup (src/backups/snapshot.ts): one COPY ... TO (FORMAT PARQUET) per day;
//  2. one COPY per dataset with PARTITION_BY the day: all days in one statement;
//  3. the same per-day COPYs with preserve_insertion_order = false;
//  4. EXPORT DATABASE ... (FORMAT PARQUET): DuckDB's own dump, one file per table;
//  5. the floor: every column of every event read and hashed, nothing written.
// Each gives MB/s of the data folder, its ratio to cp -r, CPU seconds (DuckDB's threads run in
// this process) and, against the floor, the share of its time spent reading.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { DuckDBConnection } from '@duckdb/node-api';
import { LocalDestination } from '../src/backups/local-destination.js';
import { fileFacts, takeSnapshot } from '../src/backups/snapshot.js';
import { rowsOf, sqlString } from '../src/backups/sql.js';
import { DuckDatabase, quoteIdent } from '../src/store/index.js';
import { fillDataFolder, folderBytes } from './backup-data.js';
import { recordResult, tempDir } from './report.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 2_000_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const MB = 1e6;

type EventTable = {
  dataset_id: string;
  day: number;
  table_name: string;
};

const dataDir = tempDir('bench-backup-designs-data');
fillDataFolder(dataDir, EVENTS);
const folder = folderBytes(dataDir);
console.log(`data folder: ${EVENTS.toLocaleString('en')} events, ${(folder / MB).toFixed(0)} MB`);

/** `cp -r` of the stopped folder (the reference, the physical limit here), in seconds. */
function timeCp(): number {
  const copy = path.join(tempDir('bench-backup-designs-cp'), 'copy');
  const t0 = performance.now();
  execFileSync('cp', ['-r', dataDir, copy]);
  const seconds = (performance.now() - t0) / 1000;
  fs.rmSync(path.dirname(copy), { recursive: true, force: true });
  return seconds;
}
// Measured five times before the designs (it is short and the page cache is warm for all): the median.
const cpSeconds = [1, 2, 3, 4, 5].map(timeCp).sort((a, b) => a - b)[2];
const cpMBs = folder / MB / cpSeconds;
console.log(`reference: cp -r of the stopped folder ${cpSeconds.toFixed(2)} s = ${cpMBs.toFixed(0)} MB/s (median of 5)`);

/** Hashes every file a design wrote (as a backup does for its manifest): rows per file come from the Parquet footers. */
async function writtenFiles(conn: DuckDBConnection, dir: string): Promise<{ files: number; bytes: number; rows: number }> {
  const files = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile() && e.name.endsWith('.parquet'));
  let bytes = 0;
  let rows = 0;
  for (const f of files) {
    const file = path.join(f.parentPath, f.name);
    bytes += (await fileFacts(file)).bytes;
    const [{ n }] = await rowsOf<{ n: number }>(conn, `SELECT sum(num_rows) AS n FROM parquet_file_metadata(${sqlString(file)})`);
    rows += n;
  }
  return { files: files.length, bytes, rows };
}

/**
 * Runs `body` in one transaction on one connection (as a backup does), timing wall and CPU.
 * Each design opens the folder afresh, so none finds blocks an earlier one loaded into DuckDB's
 * buffer pool (the page cache is warm for all, as for cp -r).
 */
async function timed(label: string, body: (conn: DuckDBConnection, dir: string, db: DuckDatabase) => Promise<void>) {
  const dir = tempDir('bench-backup-designs-out');
  const db = await DuckDatabase.open(dataDir);
  return db.withConnection(async (conn) => {
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    await conn.run('BEGIN TRANSACTION');
    try {
      await body(conn, dir, db);
    } finally {
      await conn.run('COMMIT');
    }
    const seconds = (performance.now() - start) / 1000;
    const cpu = process.cpuUsage(cpu0);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const out = await writtenFiles(conn, dir);
    fs.rmSync(dir, { recursive: true, force: true });
    db.close();
    const MBps = folder / MB / seconds;
    console.log(`${label}: ${seconds.toFixed(2)} s = ${MBps.toFixed(1)} MB/s (${(MBps / cpMBs).toFixed(3)}x cp -r), CPU ${cpuSeconds.toFixed(1)} s; ${out.files} files, ${(out.bytes / MB).toFixed(0)} MB, ${out.rows.toLocaleString('en')} rows of Parquet`);
    return { seconds, MBps, ratioToCp: MBps / cpMBs, cpuSeconds, parquetFiles: out.files, parquetMB: out.bytes / MB, parquetRows: out.rows };
  });
}

const db = await DuckDatabase.open(dataDir);
const [{ threads }] = await db.query<{ threads: number }>(`SELECT current_setting('threads')::INTEGER AS threads`);
const eventTables = await db.query<EventTable>('SELECT dataset_id, day, table_name FROM event_tables ORDER BY dataset_id, day, table_name');
db.close();
console.log(`DuckDB threads: ${threads}`);
const datasets = [...new Set(eventTables.map((t) => t.dataset_id))];

type Body = (conn: DuckDBConnection, dir: string, db: DuckDatabase) => Promise<void>;
const copyEachDay: (from: (t: EventTable) => string) => Body = (from) => async (conn, dir) => {
  for (const t of eventTables) await conn.run(`COPY ${from(t)} TO ${sqlString(path.join(dir, `${t.table_name}.parquet`))} (FORMAT PARQUET)`);
};
const designs: { key: string; label: string; body: Body }[] = [
  {
    // Today's backup, through its own code (metadata tables and hashing included).
    key: 'perDay', label: '1. today: one COPY (SELECT ...) per day, takeSnapshot', body: async (_conn, dir, open) => {
      const dest = new LocalDestination(dir);
      await takeSnapshot(open, dest, 'bench', new Map(), () => undefined);
      await dest.close();
    },
  },
  {
    // One statement per dataset; DuckDB splits the rows by day into day=N/ folders.
    key: 'partitionBy', label: '2. one COPY per dataset, PARTITION_BY day', body: async (conn, dir) => {
      for (const ds of datasets) {
        const union = eventTables.filter((t) => t.dataset_id === ds).map((t) => `SELECT *, ${t.day}::BIGINT AS __backup_day FROM ${quoteIdent(t.table_name)}`).join(' UNION ALL BY NAME ');
        await conn.run(`COPY (${union}) TO ${sqlString(path.join(dir, ds))} (FORMAT PARQUET, PARTITION_BY (__backup_day))`);
      }
    },
  },
  {
    // The bare per-day statements, without the snapshot's bookkeeping and hashing.
    key: 'perDayQuery', label: '3a. COPY (SELECT * FROM day) per day, nothing else', body: copyEachDay((t) => `(SELECT * FROM ${quoteIdent(t.table_name)})`),
  },
  {
    // The same with DuckDB free to write row groups in any order.
    key: 'unordered', label: '3b. as 3a, preserve_insertion_order = false', body: async (conn, dir, db) => {
      await conn.run('SET preserve_insertion_order = false');
      await copyEachDay((t) => `(SELECT * FROM ${quoteIdent(t.table_name)})`)(conn, dir, db);
    },
  },
  {
    // COPY of the table itself rather than of a query on it.
    key: 'perDayTable', label: '3c. COPY day_table per day', body: copyEachDay((t) => quoteIdent(t.table_name)),
  },
  {
    // DuckDB's own dump of every table (metadata included).
    key: 'exportDatabase', label: '4. EXPORT DATABASE (FORMAT PARQUET)', body: async (conn, dir) => {
      await conn.run(`EXPORT DATABASE ${sqlString(path.join(dir, 'export'))} (FORMAT PARQUET)`);
    },
  },
  {
    // The floor: read and hash every value of every event table, write nothing.
    key: 'scanFloor', label: '5. floor: read every column, write nothing', body: async (conn) => {
      for (const t of eventTables) await conn.run(`SELECT bit_xor(hash(COLUMNS(*))) FROM ${quoteIdent(t.table_name)}`);
    },
  },
];
// Rounds interleave the designs, so a burst of load from elsewhere does not land on one alone.
const runs = new Map<string, Awaited<ReturnType<typeof timed>>[]>();
for (let round = 1; round <= ROUNDS; round++) {
  console.log(`round ${round} of ${ROUNDS}`);
  for (const d of designs) runs.set(d.key, [...(runs.get(d.key) ?? []), await timed(d.label, d.body)]);
}
const byTime = (a: { seconds: number }, b: { seconds: number }) => a.seconds - b.seconds;
const results = Object.fromEntries([...runs].map(([k, r]) => [k, { ...[...r].sort(byTime)[Math.floor((r.length - 1) / 2)], rounds: r.map((x) => x.seconds) }]));
console.log(`medians of ${ROUNDS} rounds:`);
for (const d of designs) {
  const r = results[d.key];
  console.log(`  ${d.label}: ${r.seconds.toFixed(2)} s, ${r.MBps.toFixed(1)} MB/s = ${r.ratioToCp.toFixed(3)}x cp -r, CPU ${r.cpuSeconds.toFixed(1)} s, reading alone ${((results.scanFloor.seconds / r.seconds) * 100).toFixed(0)}% of it`);
}
fs.rmSync(dataDir, { recursive: true, force: true });

recordResult('backup-designs', { events: EVENTS, rounds: ROUNDS, folderMB: folder / MB, duckdbThreads: threads, cp: { seconds: cpSeconds, MBps: cpMBs }, designs: results });
