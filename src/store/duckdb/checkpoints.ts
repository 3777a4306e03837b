// Background checkpoints. DuckDB folds its write-ahead log into the database file only when
// the log passes checkpoint_threshold (256 MiB here, kept high so checkpoints do not stall
// commits), and every start replays whatever the log holds. Replay costs 20-650 ms per MB
// depending on the shape of the events (wide events over many days cost the most), so a log
// left to grow made every start after a crash take tens of seconds. What replay costs follows
// the work that wrote the log far better than its size: measured here, a replay takes about
// 0.25x (narrow events, few days) to 0.4x (70 fields over 40 days) the time the appends took.
// So the store checkpoints once appends have taken `writeMs` since the last checkpoint, as
// well as when the log reaches `walBytes`, and on a schedule while the log holds anything.
// A checkpoint costs time too (under load, 0.2-1 s for narrow events, 2-9 s for the wide
// ones), during which appends wait: docs/benchmarks.md, "Restart", has the trade-off.

export interface CheckpointSettings {
  /** Checkpoint once appends have taken this long since the last one; 0 turns this off. */
  writeMs: number;
  /** Checkpoint as soon as the log reaches this many bytes; 0 turns this off. */
  walBytes: number;
  /** Checkpoint this often while the log holds anything worth replaying; 0 turns this off. */
  intervalMs: number;
}

export interface Checkpointable {
  checkpoint(): Promise<void>;
  walBytes(): number;
  /** Time spent appending since the last checkpoint. */
  writtenMs(): number;
}

/** A log smaller than this replays in well under a second: not worth a scheduled checkpoint. */
const MIN_WAL_BYTES = 1024 * 1024;
/** How often the log's size is looked at. */
const POLL_MS = 250;

export class Checkpoints {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private last = Date.now();
  /** Work that needs no checkpoint to run meanwhile (hold()). */
  private holders = 0;

  constructor(
    private readonly store: Checkpointable,
    private readonly settings: CheckpointSettings,
    private readonly observe: (result: { ms: number; walBytes: number; error?: unknown }) => void,
  ) {}

  /** Starts watching the log; the first look is now, so a log a crash left behind is folded at once. */
  start(): void {
    const { writeMs, walBytes, intervalMs } = this.settings;
    if (writeMs <= 0 && walBytes <= 0 && intervalMs <= 0) return;
    this.last = 0;
    this.tick();
    // Nothing worth folding at start: the schedule counts from now. Left at 0, the first
    // megabyte of new log set off a checkpoint a second into ingest, stalling its commits.
    if (!this.running) this.last = Date.now();
    this.timer = setInterval(() => this.tick(), POLL_MS);
    this.timer.unref();
  }

  /** Stops the schedule, waits for a checkpoint in progress, then checkpoints once more. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
    await this.run();
  }

  /**
   * Runs `work` with no checkpoint started meanwhile: DuckDB refuses to checkpoint while a
   * long read transaction (a backup's snapshot) is open, and retrying every poll would only
   * log failures. The log grows meanwhile and is folded in at the next tick after.
   */
  async hold<T>(work: () => Promise<T>): Promise<T> {
    this.holders++;
    try {
      await this.running;
      return await work();
    } finally {
      this.holders--;
    }
  }

  private tick(): void {
    if (this.running || this.holders > 0) return;
    const { writeMs, walBytes, intervalMs } = this.settings;
    const wal = this.store.walBytes();
    const byWork = writeMs > 0 && this.store.writtenMs() >= writeMs;
    const bySize = walBytes > 0 && wal >= walBytes;
    const bySchedule = intervalMs > 0 && wal >= MIN_WAL_BYTES && Date.now() - this.last >= intervalMs;
    if (byWork || bySize || bySchedule) void this.run();
  }

  private run(): Promise<void> {
    const walBytes = this.store.walBytes();
    const started = performance.now();
    this.running = this.store
      .checkpoint()
      .then(
        () => this.observe({ ms: performance.now() - started, walBytes }),
        (error: unknown) => this.observe({ ms: performance.now() - started, walBytes, error }),
      )
      .finally(() => {
        this.last = Date.now();
        this.running = undefined;
      });
    return this.running;
  }
}
