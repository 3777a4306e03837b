// Disk safety (docs/operations.md, "Disk space"): the free space of the data folder's disk,
// event writes refused with 507 below --min-free-disk, and the TendDiskLow alert.
export { DiskWatch, DISK_CHECK_MS, type DiskState, type DiskListener } from './disk-watch.js';
export { diskAlerts, DISK_ALERT } from './disk-alert.js';
export { holdCheckpointsWhileLow } from './checkpoint-hold.js';
export { minFreeBytes } from './threshold.js';
