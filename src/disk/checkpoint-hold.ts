// No background checkpoint while the disk is short of space: a checkpoint copies the write-ahead
// log into the database file, and one that meets a full disk fails fatally, after which DuckDB
// answers nothing until Tend restarts (measured on a full tmpfs: queries 500, then all 63,000
// acknowledged events back after the restart). Held, the log only grows by what Tend itself
// still writes, and is folded in at the first tick after space returns.
import type { DiskListener } from './disk-watch.js';

/** The part of the store's Checkpoints this needs (store/duckdb/checkpoints.ts). */
export interface CheckpointHold {
  hold<T>(work: () => Promise<T>): Promise<T>;
}

export function holdCheckpointsWhileLow(checkpoints: CheckpointHold): DiskListener {
  let release: (() => void) | undefined;
  return (_state, problem) => {
    if (problem && !release) void checkpoints.hold(() => new Promise<void>((resolve) => (release = resolve)));
    if (!problem && release) {
      release();
      release = undefined;
    }
  };
}
