// The one path every protocol adapter writes through. Requests queue their checked events
// here; a writer takes everything queued, commits it in one transaction (group commit), and
// only then answers each waiting request. Two writers work at once, so one group is prepared
// while the store commits the other (the commit runs on DuckDB's threads). The queue is bounded: past the bound
// submit() throws OverloadedError and the adapter answers 429 with Retry-After. An event the
// store refuses (it would pass the dataset's column limit) is left out and named, the
// request's other events are stored.
import type { IngestLimits } from '../config.js';
import { badRequest, insufficientStorage, unavailable } from '../http/index.js';
import type { DatasetRegistry, Environment, EventStore, StoredEvent } from '../store/index.js';
import type { DatasetWrite } from '../store/index.js';
import type { Counter, MetricsRegistry } from '../telemetry/index.js';

export class OverloadedError extends Error {
  constructor(readonly retryAfterSeconds = 1) {
    super('Tend is busy writing earlier events: retry after a moment');
  }
}

/** Events the store refused, with why; undefined when it took them all. */
type Refused = Map<StoredEvent, string> | undefined;

interface Pending {
  writes: DatasetWrite;
  resolve: (refused: Refused) => void;
  reject: (err: unknown) => void;
}

/** Group commits under way at once: one being committed while the next is prepared. */
const COMMITS_IN_FLIGHT = 2;

export class IngestPipeline {
  private queue: Pending[] = [];
  private queuedEvents = 0;
  /** Group commits under way (at most COMMITS_IN_FLIGHT). */
  private inFlight = 0;
  private scheduled = false;
  private idleWaiters: (() => void)[] = [];
  private readonly committedListeners: ((writes: DatasetWrite[]) => void)[] = [];
  /** Events refused for bad input (counted by the adapters) or overload (counted here). */
  readonly rejected: Counter;
  /** Requests refused as overloaded, here or at admission (ingest/context.ts). */
  readonly refused: Counter;
  private readonly accepted;
  private readonly batches;
  private readonly commitSeconds;

  constructor(
    private readonly store: EventStore,
    private readonly datasets: DatasetRegistry,
    private readonly limits: IngestLimits,
    metrics: MetricsRegistry,
  ) {
    this.rejected = metrics.counter('tend_ingest_events_rejected_total', 'Events refused for bad input or overload');
    this.refused = metrics.counter('tend_ingest_requests_refused_total', 'Ingest requests refused as overloaded (429, UNAVAILABLE)');
    this.accepted = metrics.counter('tend_ingest_events_committed_total', 'Events committed to the store');
    this.batches = metrics.counter('tend_ingest_commits_total', 'Group commits to the store');
    this.commitSeconds = metrics.histogram('tend_ingest_commit_seconds', 'Time to commit one group of events', [
      0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
    ]);
    metrics.gauge('tend_ingest_queue_events', 'Events waiting to be committed', () => this.queuedEvents);
  }

  /** True when new work would be refused: adapters check before reading a body. */
  isFull(): boolean {
    return this.queuedEvents >= this.limits.maxQueuedEvents;
  }

  depth(): number {
    return this.queuedEvents;
  }

  /**
   * Resolves once `events` are committed; rejects with OverloadedError when the queue is full,
   * and with a 400 naming the problem when the store refused some of them (the others are
   * stored: see submitEach).
   */
  async submit(env: Environment, datasetName: string, events: StoredEvent[]): Promise<void> {
    const problems = await this.submitEach(env, datasetName, events);
    const refused = problems.filter((p) => p !== undefined);
    if (refused.length > 0) throw badRequest(`${refused.length} of ${events.length} events refused: ${refused[0]}`);
  }

  /**
   * Like submit(), but resolves with each event's fate: undefined once it is committed, or
   * why the store refused it.
   */
  async submitEach(env: Environment, datasetName: string, events: StoredEvent[]): Promise<(string | undefined)[]> {
    if (events.length === 0) return [];
    const dataset = await this.datasets.findOrCreate(env.id, datasetName);
    // Checked after the await, so requests resolving their datasets at once cannot overshoot.
    if (this.queuedEvents > 0 && this.queuedEvents + events.length > this.limits.maxQueuedEvents) {
      this.refused.inc();
      this.rejected.inc(events.length);
      throw new OverloadedError();
    }
    this.queuedEvents += events.length;
    const done = new Promise<Refused>((resolve, reject) => this.queue.push({ writes: { dataset, events }, resolve, reject }));
    if (!this.scheduled) {
      this.scheduled = true;
      // Let requests that arrive in the same tick (or, if the store asks, a little later) join this commit.
      const start = () => {
        this.scheduled = false;
        this.startCommits();
      };
      if (this.store.commitLingerMs) setTimeout(start, this.store.commitLingerMs);
      else setImmediate(start);
    }
    const refused = await done;
    return events.map((e) => refused?.get(e));
  }

  /**
   * Calls `listener` after each successful commit, before the writers are answered, with what
   * was written (refused events included): SLO rollups recompute the minutes late events land in.
   */
  onCommitted(listener: (writes: DatasetWrite[]) => void): void {
    this.committedListeners.push(listener);
  }

  /** Resolves when nothing is queued or being written. */
  idle(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Starts a group commit for what is queued, while a writer is free. */
  private startCommits(): void {
    while (this.queue.length > 0 && this.inFlight < COMMITS_IN_FLIGHT) {
      const group: Pending[] = [];
      let count = 0;
      while (this.queue.length > 0 && (group.length === 0 || count + this.queue[0].writes.events.length <= this.limits.maxCommitEvents)) {
        const p = this.queue.shift()!;
        group.push(p);
        count += p.writes.events.length;
      }
      this.inFlight++;
      void this.commit(group).finally(() => {
        this.queuedEvents -= count;
        this.inFlight--;
        this.startCommits();
        if (this.queue.length === 0 && this.inFlight === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
  }

  /**
   * Commits a group in one transaction. If that fails, each request is retried alone, so a
   * request the store refuses fails by itself instead of taking its neighbours with it.
   */
  private async commit(group: Pending[]): Promise<void> {
    const started = performance.now();
    let refused: Refused;
    try {
      const refusals = await this.store.append(mergeByDataset(group.map((p) => p.writes)), { maxColumnsPerDataset: this.limits.maxColumnsPerDataset });
      if (refusals.length > 0) refused = new Map(refusals.map((r) => [r.event, r.problem]));
    } catch (err) {
      if (group.length === 1) {
        group[0].reject(shortOfRoom(err) ?? err);
        return;
      }
      for (const p of group) await this.commit([p]);
      return;
    }
    this.commitSeconds.observe((performance.now() - started) / 1000);
    this.batches.inc();
    this.rejected.inc(refused?.size ?? 0);
    for (const listener of this.committedListeners) listener(group.map((p) => p.writes));
    for (const p of group) {
      this.accepted.inc(p.writes.events.length - (refused ? p.writes.events.filter((e) => refused.has(e)).length : 0));
      p.resolve(refused);
    }
  }
}

/**
 * A commit the machine had no room for failed whole, nothing was stored, and the client gets an
 * answer it can retry instead of a 500. The disk filled between two looks of src/disk (or under
 * --min-free-disk 0): the 507 the disk watch would have given. DuckDB's buffer memory
 * (--memory-limit) ran out: a 503. Appending to a table after a checkpoint takes a block per
 * column, so one event to a dataset of thousands of columns can need a gigabyte; queries hold
 * buffer memory too, which is why it may pass later.
 */
function shortOfRoom(err: unknown) {
  const text = String((err as Error)?.message ?? err);
  if (/No space left on device|ENOSPC/i.test(text)) {
    return insufficientStorage("Tend could not store these events: the data folder's disk is full; writes resume once space is freed");
  }
  if (/Out of Memory|could not allocate block/i.test(text)) {
    return unavailable(
      "Tend could not store these events: the store's memory (--memory-limit) is used up; each append to a dataset takes memory for every column it has, so very wide datasets need a larger --memory-limit",
    );
  }
  return undefined;
}

function mergeByDataset(writes: DatasetWrite[]): DatasetWrite[] {
  const byId = new Map<string, DatasetWrite>();
  for (const w of writes) {
    const existing = byId.get(w.dataset.id);
    if (existing) for (const e of w.events) existing.events.push(e);
    else byId.set(w.dataset.id, { dataset: w.dataset, events: [...w.events] });
  }
  return [...byId.values()];
}
