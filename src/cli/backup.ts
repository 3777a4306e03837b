// `tend backup DEST`, `tend backup verify SRC` and `tend restore SRC --data NEW`.
// A backup is taken by the server holding the data folder (POST /api/v1/backups, followed until
// it ends), or directly when no server holds it. Verify and restore need no server: they read
// DEST (a folder or s3://bucket/prefix) and build data folders of their own.
import path from 'node:path';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { checkBackup, chooseBackup, isS3, openDestination, restoreInto, runBackup, verifyBackup, type BackupJob, type Progress } from '../backups/index.js';
import { formatBytes } from '../http/index.js';
import { callApi, clientOptions, type ClientOptions } from './client.js';
import { onFolderOrServer } from './data-folder.js';

const POLL_MS = 500;

interface BackupOpts extends ClientOptions {
  keep?: string;
  json?: boolean;
}

function progressBar(json: boolean | undefined) {
  const bar = new cliProgress.SingleBar({ format: 'backup | {bar} | {value}/{total} files | {written} written', stream: process.stderr, hideCursor: true }, cliProgress.Presets.shades_classic);
  let started = false;
  return {
    update(p: Progress) {
      if (json) return;
      if (!started) bar.start(p.files, 0, { written: '0 B' });
      started = true;
      bar.setTotal(p.files);
      bar.update(p.files_done, { written: formatBytes(p.bytes_written) });
    },
    stop: () => started && bar.stop(),
  };
}

/** DEST as the server must read it: a folder is made absolute here, where the user typed it. */
function destArg(dest: string): string {
  return isS3(dest) ? dest : path.resolve(dest);
}

async function backupViaApi(opts: BackupOpts, dest: string, keep: number | undefined): Promise<BackupJob> {
  const bar = progressBar(opts.json);
  try {
    let job = await callApi<BackupJob>(opts, 'admin', 'POST', '/api/v1/backups', { dest, ...(keep ? { keep } : {}) });
    while (job.status === 'queued' || job.status === 'running') {
      await new Promise((r) => setTimeout(r, POLL_MS));
      job = await callApi<BackupJob>(opts, 'admin', 'GET', `/api/v1/backups/${encodeURIComponent(job.id)}`);
      bar.update(job.progress);
    }
    return job;
  } finally {
    bar.stop();
  }
}

function printJob(job: BackupJob, json: boolean | undefined): void {
  if (json) process.stdout.write(JSON.stringify(job, null, 2) + '\n');
  else if (job.status === 'done') {
    const p = job.progress;
    process.stdout.write(`backup ${job.id} done: ${job.rows} events, ${p.files} files (${p.files_written} written, ${formatBytes(p.bytes_written)}; ${p.files - p.files_written} shared with earlier backups) in ${job.dest}\n`);
    if (job.removed_backups?.length) process.stdout.write(`removed older backups: ${job.removed_backups.join(', ')}\n`);
  }
  if (job.status !== 'done') {
    if (!json) process.stderr.write(`tend: backup ${job.id} failed: ${job.error}\n`);
    process.exitCode = 1;
  }
}

export function registerBackup(program: Command): void {
  const backup = clientOptions(
    program
      .command('backup')
      .description('Back up events and metadata while the server runs (point in time, incremental), into DEST: a folder or s3://bucket/prefix')
      .argument('[dest]', 'a folder, or s3://bucket/prefix (AWS_* environment variables; AWS_ENDPOINT_URL for other S3-compatible stores)')
      .option('--keep <n>', 'keep the newest N backups in DEST, removing older ones and files only they named')
      .option('--json', 'print the finished backup as JSON'),
  ).action(async (destGiven: string | undefined, opts: BackupOpts) => {
    if (!destGiven) throw new Error('missing DEST: tend backup DEST (or tend backup verify SRC)');
    const keep = opts.keep === undefined ? undefined : Number(opts.keep);
    if (keep !== undefined && !(Number.isInteger(keep) && keep >= 1)) throw new Error(`--keep must be a whole number of at least 1, got "${opts.keep}"`);
    const dest = destArg(destGiven);
    await onFolderOrServer(
      opts,
      async (db) => {
        const bar = progressBar(opts.json);
        const started = new Date().toISOString();
        try {
          const r = await runBackup(db, openDestination(dest), { keep, onProgress: (p) => bar.update(p) });
          bar.stop();
          printJob({ id: r.manifest.id, dest, trigger: 'cli', status: 'done', progress: r.progress, started_at: started, finished_at: r.manifest.finished_at, rows: r.rows, removed_backups: r.removed_backups }, opts.json);
        } finally {
          bar.stop();
        }
      },
      async (url) => printJob(await backupViaApi({ ...opts, url: url ?? opts.url }, dest, keep), opts.json),
    );
  });

  backup
    .command('verify')
    .description('Check every checksum, restore into a temporary folder and compare counts, columns and a sample of events with the manifest; exit 1 naming each bad file')
    .argument('<src>', 'the backup folder or s3://bucket/prefix')
    .option('--backup <id>', 'which backup (default: the newest)')
    .action(async (src: string, opts: { backup?: string }, cmd: Command) => {
      const report = await verifyBackup(openDestination(destArg(src)), opts.backup);
      // `--json` also belongs to `tend backup`, which takes it wherever it stands.
      if (cmd.optsWithGlobals().json) process.stdout.write(JSON.stringify(report, null, 2) + '\n');
      else if (report.ok) process.stdout.write(`backup ${report.backup} (snapshot ${report.snapshot_at}) is good: ${report.files} files, ${report.event_rows} events in ${report.datasets} datasets restored and checked\n`);
      else {
        process.stdout.write(`backup ${report.backup} is NOT good: ${report.bad.length} bad file(s)\n`);
        for (const b of report.bad) process.stdout.write(`  ${b.path}: ${b.problem}\n`);
      }
      process.exitCode = report.ok ? 0 : 1;
    });
}

export function registerRestore(program: Command): void {
  program
    .command('restore')
    .description('Build a new data folder from a backup, checking every checksum first; then `tend serve --data NEW_FOLDER`')
    .argument('<src>', 'the backup folder or s3://bucket/prefix')
    .requiredOption('--data <dir>', 'the new data folder (must hold no Tend data)')
    .option('--backup <id>', 'which backup (default: the newest)')
    .option('--json', 'print what was restored as JSON')
    .action(async (src: string, opts: { data: string; backup?: string; json?: boolean }) => {
      const dest = openDestination(destArg(src));
      try {
        const checked = await checkBackup(dest, await chooseBackup(dest, opts.backup));
        if (checked.bad.length > 0) {
          for (const b of checked.bad) process.stderr.write(`tend: ${b.path}: ${b.problem}\n`);
          throw new Error(`backup ${checked.manifest.id} is damaged (${checked.bad.length} bad file(s)); nothing restored`);
        }
        await restoreInto(checked, path.resolve(opts.data));
        const m = checked.manifest;
        const events = m.files.reduce((n, f) => n + (f.kind === 'events' ? f.rows : 0), 0);
        const summary = { backup: m.id, snapshot_at: m.snapshot_at, tend_version: m.tend_version, data: path.resolve(opts.data), files: m.files.length, event_rows: events, datasets: m.datasets.length };
        if (opts.json) process.stdout.write(JSON.stringify(summary, null, 2) + '\n');
        else process.stdout.write(`restored backup ${m.id} (snapshot ${m.snapshot_at}, Tend ${m.tend_version}): ${events} events in ${m.datasets.length} datasets into ${summary.data}\nstart it with: tend serve --data ${summary.data}\n`);
      } finally {
        await dest.close();
      }
    });
}
