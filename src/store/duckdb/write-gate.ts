// Lets appends that change no schema run on several connections at once (DuckDB appends to the
// same table from concurrent transactions without conflict), while a write that adds columns
// or day tables, or drops them, runs alone: concurrent DDL on one table would conflict.

export type WriteMode = 'shared' | 'exclusive';

export class WriteGate {
  private shared = 0;
  private exclusive = false;
  /** Exclusive requests waiting: new shared ones queue behind them, or a steady stream of appends would starve them. */
  private exclusiveWaiting = 0;
  private waiters: (() => void)[] = [];
  /** Milliseconds the gate has been held, summed over holders (two writers for 1 s count 2 s). */
  private held = 0;
  private countedAt = performance.now();

  constructor(private readonly maxShared: number) {}

  async acquire(mode: WriteMode): Promise<void> {
    if (mode === 'exclusive') this.exclusiveWaiting++;
    try {
      while (!this.free(mode)) await new Promise<void>((resolve) => this.waiters.push(resolve));
    } finally {
      if (mode === 'exclusive') this.exclusiveWaiting--;
    }
    this.count();
    if (mode === 'exclusive') this.exclusive = true;
    else this.shared++;
  }

  release(mode: WriteMode): void {
    this.count();
    if (mode === 'exclusive') this.exclusive = false;
    else this.shared--;
    // Wake everyone; each re-checks, so none passes that should not.
    for (const w of this.waiters.splice(0)) w();
  }

  /**
   * Time spent writing since the last call with `reset`: how much a start after a crash would
   * replay is about a third of it, whatever the shape of the events (checkpoints.ts).
   */
  heldMs(reset = false): number {
    this.count();
    const held = this.held;
    if (reset) this.held = 0;
    return held;
  }

  private count(): void {
    const now = performance.now();
    this.held += (this.shared + (this.exclusive ? 1 : 0)) * (now - this.countedAt);
    this.countedAt = now;
  }

  private free(mode: WriteMode): boolean {
    if (this.exclusive) return false;
    return mode === 'exclusive' ? this.shared === 0 : this.exclusiveWaiting === 0 && this.shared < this.maxShared;
  }
}
