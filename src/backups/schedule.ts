// Backups on a schedule. Each run pings Tend's own heartbeat check `tend-backup` (start, then
// success or fail), declared here with the same cron and a grace: a backup that fails, hangs
// or stops being run at all turns the check down and alerts like any other late job.
import type { FastifyBaseLogger } from 'fastify';
import type { CheckRecord, ChecksService } from '../checks/index.js';
import type { Environment } from '../store/index.js';
import { nextRun, type BackupSettings } from './config.js';
import type { BackupJobs } from './jobs.js';

export const HEARTBEAT = 'tend-backup';
/** Timers wake at least this often, so a long sleep never overflows setTimeout nor drifts. */
const MAX_SLEEP_MS = 3_600_000;

export interface ScheduleDeps {
  settings: BackupSettings;
  jobs: BackupJobs;
  checks: ChecksService;
  env: Environment;
  log: FastifyBaseLogger;
}

export class BackupSchedule {
  private timer: NodeJS.Timeout | undefined;
  private next: Date;
  private running: Promise<unknown> | undefined;

  constructor(private readonly deps: ScheduleDeps) {
    this.next = nextRun(deps.settings.schedule, new Date());
  }

  get settings(): BackupSettings & { next_run: string } {
    return { ...this.deps.settings, next_run: this.next.toISOString() };
  }

  /** Declares the heartbeat (or brings its cron up to date) and starts the timer. */
  async start(): Promise<void> {
    await this.heartbeat();
    this.arm();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One scheduled run now, with its pings: what the timer does when the time comes. */
  async runNow(): Promise<void> {
    const { settings, jobs, log } = this.deps;
    const hb = await this.heartbeat();
    await this.ping(hb, 'start');
    const job = await jobs.start(settings.dest, 'schedule', settings.keep).done;
    if (job.status === 'done') log.info({ backup: job.id, dest: settings.dest, rows: job.rows }, 'scheduled backup done');
    else log.error({ backup: job.id, dest: settings.dest, error: job.error }, 'scheduled backup failed');
    await this.ping(hb, job.status === 'done' ? 'success' : 'fail', `${job.id}: ${job.error ?? `${job.rows} events, ${job.progress.files_written} files written`}`);
  }

  private arm(): void {
    const wait = Math.min(Math.max(0, this.next.getTime() - Date.now()), MAX_SLEEP_MS);
    this.timer = setTimeout(() => {
      if (Date.now() < this.next.getTime()) return this.arm();
      this.next = nextRun(this.deps.settings.schedule, new Date());
      this.running = this.runNow().catch((err) => this.deps.log.error({ err }, 'scheduled backup failed'));
      void this.running.finally(() => this.timer && this.arm());
    }, wait);
    this.timer.unref();
  }

  private async heartbeat(): Promise<CheckRecord> {
    const { checks, env, settings } = this.deps;
    const want = { name: HEARTBEAT, kind: 'heartbeat', cron: settings.schedule, tz: 'UTC', grace: settings.grace, description: `scheduled backups to ${settings.dest}` };
    const rec = checks.find(env.id, HEARTBEAT);
    if (!rec) return checks.create(env, want);
    // One declared in tend.yaml's checks is the operator's: leave it as written.
    if (rec.source === 'file') return rec;
    const def = rec.definition;
    if (def.kind === 'heartbeat' && def.cron === settings.schedule && def.grace === settings.grace) return rec;
    return checks.replace(env, HEARTBEAT, want);
  }

  private ping(rec: CheckRecord, kind: 'start' | 'success' | 'fail', body?: string): Promise<void> {
    return this.deps.checks.ping(rec, kind, {}, { method: 'internal', remoteAddr: '127.0.0.1', userAgent: 'tend backups', body, bodyBytes: Buffer.byteLength(body ?? '') });
  }
}
