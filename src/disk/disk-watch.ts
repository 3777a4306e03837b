// Watches the free space of the data folder's disk every 5 s, every second once it is within
// twice the minimum (a burst can write megabytes in 5 s). Below the minimum, event writes
// are refused (507) before they fill the disk, so what Tend needs to keep running (its
// metadata, check results, alerts, the write-ahead log of what it already acknowledged) still
// has room; writes resume by themselves at the first look that finds space again.
import fs from 'node:fs';
import type { MinFreeDisk } from '../config.js';
import { formatBytes } from '../http/index.js';
import type { MetricsRegistry } from '../telemetry/index.js';
import { minFreeBytes } from './threshold.js';

const DISK_CHECK_MS = 5000;
/** How often once free space is under twice the minimum. */
const NEAR_CHECK_MS = 1000;

export interface DiskState {
  freeBytes: number;
  totalBytes: number;
  minFreeBytes: number;
  low: boolean;
}

export type DiskListener = (state: DiskState, problem: string | undefined) => void;

export interface DiskWatchStart {
  log: { error(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  metrics?: MetricsRegistry;
}

export class DiskWatch {
  private current: DiskState | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly listeners: DiskListener[] = [];
  private log: DiskWatchStart['log'] = console;

  constructor(
    readonly dir: string,
    private readonly spec: MinFreeDisk,
  ) {}

  /** Looks once (so the first answer is known before Tend serves), then on a schedule. */
  async start({ log, metrics }: DiskWatchStart): Promise<void> {
    this.log = log;
    if (metrics) {
      metrics.gauge('tend_disk_free_bytes', "Free bytes on the data folder's disk", () => this.current?.freeBytes ?? 0);
      metrics.gauge('tend_disk_min_free_bytes', 'Free bytes under which event writes are refused (--min-free-disk)', () => this.current?.minFreeBytes ?? 0);
      metrics.gauge('tend_disk_writes_refused', '1 while event writes are refused for lack of disk space', () => (this.current?.low ? 1 : 0));
    }
    this.stopped = false;
    await this.check();
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped) return;
    const s = this.current;
    const near = s !== undefined && s.freeBytes < 2 * s.minFreeBytes;
    this.timer = setTimeout(() => void this.check().then(() => this.schedule()), near ? NEAR_CHECK_MS : DISK_CHECK_MS);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Called with the state whenever writes become refused or accepted again. */
  onChange(listener: DiskListener): void {
    this.listeners.push(listener);
  }

  get state(): DiskState | undefined {
    return this.current;
  }

  /** Why writes are refused now (for /readyz and the 507), or undefined while there is room. */
  problem(): string | undefined {
    const s = this.current;
    if (!s?.low) return undefined;
    return `disk full: ${formatBytes(s.freeBytes)} free for the data folder, under the ${formatBytes(s.minFreeBytes)} minimum (--min-free-disk)`;
  }

  async check(): Promise<DiskState | undefined> {
    let stats: fs.StatsFs;
    try {
      stats = await fs.promises.statfs(this.dir);
    } catch (err) {
      // Keep the last answer: a failed look says nothing about the space.
      this.log.error({ err, dir: this.dir }, 'could not read the free space of the data folder');
      return this.current;
    }
    const totalBytes = stats.blocks * stats.bsize;
    const freeBytes = stats.bavail * stats.bsize;
    const min = minFreeBytes(this.spec, totalBytes);
    const next: DiskState = { freeBytes, totalBytes, minFreeBytes: min, low: freeBytes < min };
    const changed = next.low !== (this.current?.low ?? false);
    this.current = next;
    if (changed) {
      const problem = this.problem();
      this.log.warn({ dir: this.dir, ...next }, problem ? `event writes refused: ${problem}` : 'event writes accepted again: disk space is back');
      for (const l of this.listeners) l(next, problem);
    }
    return next;
  }
}
