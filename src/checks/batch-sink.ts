// Gathers check events for a short while before handing them to the ingest pipeline, so that
// a thousand checks a second cost a few commits a second rather than one each (a commit
// costs far more CPU than a probe). Callers still learn when their events are committed;
// `urgent` writes (pings, runs someone asked for) go out at once, taking waiting events along.
// It keeps real time even when checks run on a test's manual clock: it only paces commits.
import type { Environment, StoredEvent } from '../store/index.js';

type Write = (env: Environment, dataset: string, events: StoredEvent[]) => Promise<void>;

interface Batch {
  env: Environment;
  dataset: string;
  events: StoredEvent[];
  waiters: { resolve: () => void; reject: (err: unknown) => void }[];
}

export class BatchSink {
  private batches = new Map<string, Batch>();
  private timer: NodeJS.Timeout | undefined;
  private count = 0;

  constructor(
    private readonly write: Write,
    private readonly maxDelayMs = 1000,
    private readonly maxEvents = 2000,
  ) {}

  submit(env: Environment, dataset: string, events: StoredEvent[], urgent = false): Promise<void> {
    const key = `${env.id}\u0000${dataset}`;
    let batch = this.batches.get(key);
    if (!batch) {
      batch = { env, dataset, events: [], waiters: [] };
      this.batches.set(key, batch);
    }
    for (const e of events) batch.events.push(e);
    this.count += events.length;
    const done = new Promise<void>((resolve, reject) => batch.waiters.push({ resolve, reject }));
    if (urgent || this.count >= this.maxEvents) this.flush();
    else if (this.timer === undefined) this.timer = setTimeout(() => this.flush(), this.maxDelayMs).unref();
    return done;
  }

  /** Hands everything waiting to the pipeline now. */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batches = [...this.batches.values()];
    this.batches.clear();
    this.count = 0;
    for (const b of batches) {
      this.write(b.env, b.dataset, b.events).then(
        () => b.waiters.forEach((w) => w.resolve()),
        (err) => b.waiters.forEach((w) => w.reject(err)),
      );
    }
  }
}
