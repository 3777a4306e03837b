// Backups a running server takes (through the API or on its schedule), one at a time, each
// with its progress while it runs; every finished run is an event in `tend.backups`.
import type { DuckDatabase, FieldValue, StoredEvent } from '../store/index.js';
import { Serial } from '../store/index.js';
import { runBackup, type BackupResult } from './backup.js';
import { openDestination } from './destination.js';
import { newBackupId } from './manifest.js';
import type { Progress } from './snapshot.js';

export const BACKUPS_DATASET = 'tend.backups';
/** Finished runs remembered for GET /api/v1/backups/:id (the events keep them all). */
const REMEMBERED = 100;

export interface BackupJob {
  id: string;
  dest: string;
  /** `cli`: `tend backup` on a folder no server holds (no event is written then). */
  trigger: 'api' | 'schedule' | 'cli';
  status: 'queued' | 'running' | 'done' | 'failed';
  progress: Progress;
  started_at: string;
  finished_at?: string;
  /** Once done: events in the backup, and the older backups `keep` removed. */
  rows?: number;
  removed_backups?: string[];
  error?: string;
}

export interface BackupJobsDeps {
  db: DuckDatabase;
  /** Store Checkpoints.hold: no checkpoint is tried while the snapshot is open. */
  hold: <T>(work: () => Promise<T>) => Promise<T>;
  /** Writes events into `tend.backups` of the default environment. */
  record: (events: StoredEvent[]) => Promise<void>;
  env?: NodeJS.ProcessEnv;
}

export class BackupJobs {
  private readonly jobs = new Map<string, BackupJob>();
  private readonly queue = new Serial();

  constructor(private readonly deps: BackupJobsDeps) {}

  /** Queues a backup and answers at once; `done` settles when it has finished. */
  start(dest: string, trigger: 'api' | 'schedule', keep?: number): { job: BackupJob; done: Promise<BackupJob> } {
    const job: BackupJob = { id: newBackupId(), dest, trigger, status: 'queued', progress: { files: 0, files_done: 0, files_written: 0, bytes_written: 0 }, started_at: new Date().toISOString() };
    this.jobs.set(job.id, job);
    for (const old of [...this.jobs.keys()].slice(0, Math.max(0, this.jobs.size - REMEMBERED))) this.jobs.delete(old);
    const done = this.queue.run(() => this.run(job, keep));
    return { job, done };
  }

  get(id: string): BackupJob | undefined {
    return this.jobs.get(id);
  }

  list(): BackupJob[] {
    return [...this.jobs.values()].reverse();
  }

  /** Resolves once no backup runs or waits. */
  idle(): Promise<void> {
    return this.queue.run(async () => undefined);
  }

  private async run(job: BackupJob, keep?: number): Promise<BackupJob> {
    job.status = 'running';
    const started = performance.now();
    let result: BackupResult | undefined;
    try {
      const dest = openDestination(job.dest, this.deps.env);
      result = await runBackup(this.deps.db, dest, { id: job.id, keep, hold: this.deps.hold, onProgress: (p) => (job.progress = p) });
      Object.assign(job, { status: 'done', rows: result.rows, removed_backups: result.removed_backups });
    } catch (err) {
      Object.assign(job, { status: 'failed', error: (err as Error).message });
    }
    job.finished_at = new Date().toISOString();
    await this.deps.record([backupEvent(job, performance.now() - started)]).catch(() => undefined);
    return job;
  }
}

function backupEvent(job: BackupJob, durationMs: number): StoredEvent {
  const fields: Record<string, FieldValue | undefined> = {
    'backup.id': job.id,
    'backup.dest': job.dest,
    'backup.trigger': job.trigger,
    'backup.status': job.status,
    'backup.files': job.progress.files,
    'backup.files_written': job.progress.files_written,
    'backup.bytes_written': job.progress.bytes_written,
    'backup.rows': job.rows,
    'backup.removed': job.removed_backups?.length,
    duration_ms: Math.round(durationMs),
    error: job.error,
  };
  const clean = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined)) as Record<string, FieldValue>;
  return { time: Date.now() * 1000, samplerate: 1, fields: clean };
}
