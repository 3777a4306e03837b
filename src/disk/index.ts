// Disk safety (docs/operations.md, "Disk space"): the free space of the data folder's disk,
// event writes refused with 507 below --min-free-disk, checkpoints held, and the TendDiskLow alert.
export { DiskWatch } from './disk-watch.js';
export { diskAlerts } from './disk-alert.js';
export { holdCheckpointsWhileLow } from './checkpoint-hold.js';
