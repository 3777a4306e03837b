// The free space the data folder's disk must keep: the smaller of the limits --min-free-disk
// gives (by default 5% of the disk and 2 GB, so a small disk keeps 5% and a large one 2 GB).
import type { MinFreeDisk } from '../config.js';

export function minFreeBytes(spec: MinFreeDisk, totalBytes: number): number {
  const limits = [spec.bytes, spec.percent === null ? null : Math.round((totalBytes * spec.percent) / 100)].filter((n): n is number => n !== null);
  return limits.length ? Math.min(...limits) : 0;
}
