// Runs async work one piece at a time, in the order it was asked for. Used where a
// read-then-write must not interleave with another (DuckDB aborts one of two transactions
// that write the same rows at once instead of making one wait, as PostgreSQL's row locks do).
export class Serial {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
