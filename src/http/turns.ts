// CPU-heavy work on the event loop (parsing and checking a batch of events, and each chunk a
// group commit appends: src/store/duckdb/table-appender.ts) runs in turns: at most
// TURN_BUDGET_MS of it per turn of the event loop, then the loop goes round and serves I/O (new
// connections, bodies arriving, health probes) before the next. Without turns, every batch
// whose body completed in the same turn ran back to back, and a probe waited behind all of them
// (/healthz took 4.4 s at the median under a flood). Work given a turn must do its heavy part
// synchronously inside `run` (a fastify hook's `done()` runs the route handler synchronously
// up to its first await), so the time it takes is counted against the budget.

/** Milliseconds of queued work started in one turn of the event loop (one more may overrun it). */
export const TURN_BUDGET_MS = 5;

/** Work that finishes what was accepted (steps of a commit): it goes before new work. */
const finishing: (() => void)[] = [];
const waiting: (() => void)[] = [];
let scheduled = false;

/**
 * Runs `run` in a later turn of the event loop, after the work queued before it; `finishes`
 * work (a commit's steps, which free the ingest queue) goes before every new request's.
 */
export function takeTurn(run: () => void, finishes = false): void {
  (finishes ? finishing : waiting).push(run);
  if (!scheduled) {
    scheduled = true;
    setImmediate(pump);
  }
}

function pump(): void {
  const started = performance.now();
  try {
    do (finishing.shift() ?? waiting.shift()!)();
    while (finishing.length + waiting.length > 0 && performance.now() - started < TURN_BUDGET_MS);
  } finally {
    if (finishing.length + waiting.length > 0) setImmediate(pump);
    else scheduled = false;
  }
}
