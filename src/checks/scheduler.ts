// Runs jobs at their due times on one timer, at most `concurrency` at once. A job that is
// still running when it falls due again skips that turn, so a slow target only delays
// itself; jobs beyond the concurrency bound wait in arrival order and their wait counts as
// schedule lag. Each job says when it is next due once a run ends.
import type { Clock } from './clock.js';

export interface Job {
  id: string;
  /** Runs the job; `lagMs` is how late it started against its due time. */
  run(lagMs: number): Promise<void>;
  /** The next due time after a run that was due at `dueAt`, or undefined for none. */
  nextDue(dueAt: number, now: number): number | undefined;
}

interface Slot {
  job: Job;
  version: number;
  running: boolean;
}

interface HeapEntry {
  at: number;
  id: string;
  version: number;
  /** Insertion order: jobs due at the same time run in the order they were scheduled. */
  seq?: number;
}

const before = (a: HeapEntry, b: HeapEntry): boolean => a.at < b.at || (a.at === b.at && a.seq! < b.seq!);

export class Scheduler {
  private slots = new Map<string, Slot>();
  private heap: HeapEntry[] = [];
  private waiting: HeapEntry[] = [];
  private running = 0;
  private timer: unknown;
  private timerAt = Infinity;
  private stopped = false;
  private seq = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly clock: Clock,
    private readonly concurrency: number,
    private readonly onError: (err: unknown, job: Job) => void = () => undefined,
  ) {}

  /** Adds or replaces a job, first due at `at`. */
  schedule(job: Job, at: number | undefined): void {
    // The slot object is kept across replacements: a run in flight clears `running` on it.
    let slot = this.slots.get(job.id);
    if (slot) {
      slot.job = job;
      slot.version++;
    } else {
      slot = { job, version: 1, running: false };
      this.slots.set(job.id, slot);
    }
    if (at !== undefined) this.push({ at, id: job.id, version: slot.version });
    this.arm();
  }

  remove(id: string): void {
    this.slots.delete(id);
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
  }

  /** Resolves when no job is running. */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Jobs running now and jobs due but waiting for a free slot. */
  load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  private current(e: HeapEntry): Slot | undefined {
    const slot = this.slots.get(e.id);
    return slot && slot.version === e.version ? slot : undefined;
  }

  private arm(): void {
    if (this.stopped) return;
    while (this.heap.length && !this.current(this.heap[0])) this.pop();
    const next = this.heap[0];
    if (!next) return;
    if (next.at >= this.timerAt && this.timer !== undefined) return;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timerAt = next.at;
    this.timer = this.clock.setTimer(() => {
      this.timer = undefined;
      this.timerAt = Infinity;
      this.fire();
    }, next.at - this.clock.now());
  }

  private fire(): void {
    const now = this.clock.now();
    while (this.heap.length && this.heap[0].at <= now) {
      const e = this.pop()!;
      const slot = this.current(e);
      if (!slot) continue;
      if (slot.running) continue; // still busy from its last turn: this turn is skipped
      if (this.running < this.concurrency) this.start(slot, e);
      else this.waiting.push(e);
    }
    this.arm();
  }

  private start(slot: Slot, e: HeapEntry): void {
    slot.running = true;
    this.running++;
    const lag = Math.max(0, this.clock.now() - e.at);
    slot.job
      .run(lag)
      .catch((err) => this.onError(err, slot.job))
      .finally(() => {
        slot.running = false;
        this.running--;
        if (this.running === 0) for (const w of this.idleWaiters.splice(0)) w();
        if (this.stopped) return;
        const live = this.slots.get(e.id);
        // Rescheduled while running (a ping moved a heartbeat's deadline): that entry stands.
        if (live === slot && live.version === e.version) {
          const next = slot.job.nextDue(e.at, this.clock.now());
          if (next !== undefined) this.push({ at: next, id: e.id, version: e.version });
        }
        this.drainWaiting();
        this.arm();
      });
  }

  private drainWaiting(): void {
    while (this.waiting.length && this.running < this.concurrency) {
      const e = this.waiting.shift()!;
      const slot = this.current(e);
      if (slot && !slot.running) this.start(slot, e);
    }
  }

  private push(e: HeapEntry): void {
    const h = this.heap;
    h.push({ ...e, seq: this.seq++ });
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!before(h[i], h[p])) break;
      [h[p], h[i]] = [h[i], h[p]];
      i = p;
    }
  }

  private pop(): HeapEntry | undefined {
    const h = this.heap;
    const top = h[0];
    const last = h.pop();
    if (h.length && last) {
      h[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < h.length && before(h[l], h[m])) m = l;
        if (r < h.length && before(h[r], h[m])) m = r;
        if (m === i) break;
        [h[m], h[i]] = [h[i], h[m]];
        i = m;
      }
    }
    return top;
  }
}

/** The next fixed-rate turn after `dueAt` that is still in the future (missed turns are skipped). */
export function nextTurn(dueAt: number, intervalMs: number, now: number): number {
  const next = dueAt + intervalMs;
  return next > now ? next : next + Math.ceil((now - next + 1) / intervalMs) * intervalMs;
}
