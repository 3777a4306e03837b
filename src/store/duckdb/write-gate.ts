// Lets appends that change no schema run on several connections at once (DuckDB appends to the
// same table from concurrent transactions without conflict), while a write that adds columns
// or day tables, or drops them, runs alone: concurrent DDL on one table would conflict.

export type WriteMode = 'shared' | 'exclusive';

export class WriteGate {
  private shared = 0;
  private exclusive = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly maxShared: number) {}

  async acquire(mode: WriteMode): Promise<void> {
    while (!this.free(mode)) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (mode === 'exclusive') this.exclusive = true;
    else this.shared++;
  }

  release(mode: WriteMode): void {
    if (mode === 'exclusive') this.exclusive = false;
    else this.shared--;
    // Wake everyone; each re-checks, so none passes that should not.
    for (const w of this.waiters.splice(0)) w();
  }

  private free(mode: WriteMode): boolean {
    if (this.exclusive) return false;
    return mode === 'exclusive' ? this.shared === 0 : this.shared < this.maxShared;
  }
}
