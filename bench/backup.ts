// npm run bench:backup — issue 16 item 7. A data folder holding BENCH_EVENTS (10,000,000)
// events over 8 days (the query benchmark's events, loaded by bench/query-data.ts), then:
//  - the reference, the physical limit here: `cp -r` of the folder while no server runs, MB/s;
//  - `tend serve` on it, a backup through the API into an empty folder: MB/s of the data
//    folder (tend.duckdb + log) over the backup's time, and its ratio to cp -r (target >= 0.5x);
//  - a second backup to the same folder (incremental: every day shared);
//  - ingest alone for as long as the backup took, then ingest during a full backup into another
//    empty folder: the ratio of the two rates (target >= 0.7x);
//  - restore of the first backup into a new folder (checksums, then the new DuckDB file).
// Settings (env): BENCH_EVENTS (10000000), BENCH_CONNECTIONS (4), BENCH_BATCH (1000).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { checkBackup, chooseBackup, openDestination, restoreInto, type BackupJob } from '../src/backups/index.js';
import { spawnTend, type ChildTend } from '../test/support/tend.js';
import { fillDataFolder, folderBytes } from './backup-data.js';
import { generateEvents } from './generator.js';
import { httpPoster } from './load.js';
import { recordResult, tempDir } from './report.js';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 10_000_000);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 4);
const BATCH = Number(process.env.BENCH_BATCH ?? 1000);
const MB = 1e6;

const seconds = (t0: number) => (performance.now() - t0) / 1000;

async function backupViaApi(tend: ChildTend, dest: string): Promise<{ job: BackupJob; seconds: number }> {
  const t0 = performance.now();
  const headers = { 'x-honeycomb-team': tend.adminKey, 'content-type': 'application/json' };
  let job = (await (await fetch(`${tend.url}/api/v1/backups`, { method: 'POST', headers, body: JSON.stringify({ dest }) })).json()) as BackupJob;
  while (job.status === 'queued' || job.status === 'running') {
    await new Promise((r) => setTimeout(r, 100));
    job = (await (await fetch(`${tend.url}/api/v1/backups/${job.id}`, { headers })).json()) as BackupJob;
  }
  if (job.status !== 'done') throw new Error(`backup failed: ${job.error}`);
  return { job, seconds: seconds(t0) };
}

/** Sends batches with CONNECTIONS senders until `until` resolves; events acknowledged per second. */
async function ingestUntil(tend: ChildTend, until: Promise<unknown>): Promise<number> {
  const bodies = Array.from({ length: 50 }, (_, b) => Buffer.from(JSON.stringify(generateEvents(b * BATCH, BATCH).map((data) => ({ data })))));
  const post = httpPoster(`${tend.url}/1/batch/live`, { 'x-honeycomb-team': tend.ingestKey, 'content-type': 'application/json' }, CONNECTIONS);
  let stop = false;
  void until.finally(() => (stop = true));
  let acked = 0;
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (!stop) {
      const r = await post(bodies[next++ % bodies.length]);
      if (r.status === 200) acked += BATCH;
      else if (r.status === 429) await new Promise((res) => setTimeout(res, 50));
      else throw new Error(`Tend answered ${r.status}: ${r.text.slice(0, 200)}`);
    }
  };
  await Promise.all(Array.from({ length: CONNECTIONS }, worker));
  return acked / seconds(t0);
}

const dataDir = tempDir('bench-backup-data');
let t0 = performance.now();
fillDataFolder(dataDir, EVENTS);
const loadSeconds = seconds(t0);
const folder = folderBytes(dataDir);
console.log(`data folder: ${EVENTS.toLocaleString('en')} events, ${(folder / MB).toFixed(0)} MB (loaded in ${loadSeconds.toFixed(0)} s)`);

const copy = path.join(tempDir('bench-backup-cp'), 'copy');
t0 = performance.now();
execFileSync('cp', ['-r', dataDir, copy]);
const cpSeconds = seconds(t0);
fs.rmSync(copy, { recursive: true, force: true });
const cpMBs = folder / MB / cpSeconds;
console.log(`reference: cp -r of the stopped folder ${cpSeconds.toFixed(2)} s = ${cpMBs.toFixed(0)} MB/s`);

const tend = await spawnTend(dataDir, 0);
const dest1 = tempDir('bench-backup-dest1');
const full = await backupViaApi(tend, dest1);
const backupMBs = folder / MB / full.seconds;
const backupBytes = folderBytes(dest1);
console.log(`backup (server idle): ${full.seconds.toFixed(2)} s = ${backupMBs.toFixed(0)} MB/s of data folder (${(backupBytes / MB).toFixed(0)} MB of Parquet written); ${(backupMBs / cpMBs).toFixed(2)}x cp -r`);
const incremental = await backupViaApi(tend, dest1);
console.log(`second backup to the same folder: ${incremental.seconds.toFixed(2)} s, ${incremental.job.progress.files_written} of ${incremental.job.progress.files} files written`);

const alone = await ingestUntil(tend, new Promise((r) => setTimeout(r, Math.max(10, full.seconds) * 1000)));
const dest2 = tempDir('bench-backup-dest2');
const during = backupViaApi(tend, dest2);
const withBackup = await ingestUntil(tend, during);
const loaded = await during;
console.log(`ingest: ${Math.round(alone).toLocaleString('en')} events/s alone, ${Math.round(withBackup).toLocaleString('en')} events/s during a backup (${(withBackup / alone).toFixed(2)}x); that backup took ${loaded.seconds.toFixed(2)} s`);
await tend.stop();

const restored = path.join(tempDir('bench-backup-restored'), 'data');
t0 = performance.now();
const dest = openDestination(dest1);
await restoreInto(await checkBackup(dest, await chooseBackup(dest)), restored);
await dest.close();
const restoreSeconds = seconds(t0);
console.log(`restore: ${restoreSeconds.toFixed(2)} s (${(folder / MB / restoreSeconds).toFixed(0)} MB/s of the original folder), restored folder ${(folderBytes(restored) / MB).toFixed(0)} MB`);

for (const dir of [dataDir, dest1, dest2, path.dirname(restored)]) fs.rmSync(dir, { recursive: true, force: true });
recordResult('backup', {
  events: EVENTS,
  folderMB: folder / MB,
  cp: { seconds: cpSeconds, MBps: cpMBs },
  backup: { seconds: full.seconds, MBps: backupMBs, parquetMB: backupBytes / MB, ratioToCp: backupMBs / cpMBs, files: full.job.progress.files },
  incremental: { seconds: incremental.seconds, filesWritten: incremental.job.progress.files_written, files: incremental.job.progress.files },
  ingest: { aloneEventsPerSecond: alone, duringBackupEventsPerSecond: withBackup, ratio: withBackup / alone, backupSecondsUnderLoad: loaded.seconds },
  restore: { seconds: restoreSeconds },
});
