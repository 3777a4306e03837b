// The one path every protocol adapter writes through. Requests queue their checked events
// here; a writer takes everything queued, commits it in one transaction (group commit), and
// only then answers each waiting request. Two writers work at once, so one group is prepared
// while the store commits the other (the commit runs on DuckDB's threads). The queue is bounded: past the bound
// submit() throws OverloadedError and the adapter answers 429 with Retry-After. An event the
// store refuses (it would pass the dataset's column limit) is left out and named, the
// request's other events are stored. A request's events are here, or held by the ingest worker
// thread (src/ingest/worker: Honeycomb batches on the embedded store), which plans and fills
// them at commit time; a group commit takes requests of one kind.
import type { IngestLimits } from '../config.js';
import { badRequest, insufficientStorage, unavailable } from '../http/index.js';
import type { Dataset, DatasetRegistry, DuckEventStore, Environment, EventStore, StoredEvent } from '../store/index.js';
import type { Counter, MetricsRegistry } from '../telemetry/index.js';
import type { HeldBatch, HeldWrite, IngestWorker } from './worker/ingest-worker.js';

export class OverloadedError extends Error {
  constructor(readonly retryAfterSeconds = 1) {
    super('Tend is busy writing earlier events: retry after a moment');
  }
}

/**
 * A request's events the store refused, with why, by index (in its event list, or in its body for
 * a held batch); undefined when it took them all.
 */
type Refused = Map<number, string> | undefined;

/** A request's events: here, or held by the ingest worker thread. */
type Part = { events: StoredEvent[]; held?: undefined } | { held: HeldBatch; events?: undefined };

type Pending = Part & {
  dataset: Dataset;
  count: number;
  resolve: (refused: Refused) => void;
  reject: (err: unknown) => void;
};

/** What a commit listener hears: each request's dataset and its events' times (microseconds). */
export interface Written {
  dataset: Dataset;
  times: ArrayLike<number>;
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
  private readonly committedListeners: ((written: Written[]) => void)[] = [];
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
    /** The ingest worker thread and the store it commits held batches to, when in use. */
    private readonly worker?: { thread: IngestWorker; store: DuckEventStore },
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
    const refused = await this.enqueue(env, datasetName, { events }, events.length);
    return events.map((_, i) => refused?.get(i));
  }

  /**
   * Like submitEach(), for a batch the ingest worker thread holds (IngestWorker.check()):
   * resolves once its events are committed, with those the store refused by index in the body.
   */
  async submitHeld(env: Environment, datasetName: string, batch: HeldBatch): Promise<Refused> {
    if (batch.good === 0) {
      this.worker?.thread.release([batch.id]);
      return undefined;
    }
    return this.enqueue(env, datasetName, { held: batch }, batch.good);
  }

  /** The ingest worker thread, when Honeycomb batches are parsed there. */
  workerThread(): IngestWorker | undefined {
    return this.worker?.thread;
  }

  private async enqueue(env: Environment, datasetName: string, part: Part, count: number): Promise<Refused> {
    let dataset: Dataset;
    try {
      dataset = await this.datasets.findOrCreate(env.id, datasetName);
      // Checked after the await, so requests resolving their datasets at once cannot overshoot.
      if (this.queuedEvents > 0 && this.queuedEvents + count > this.limits.maxQueuedEvents) {
        this.refused.inc();
        this.rejected.inc(count);
        throw new OverloadedError();
      }
    } catch (err) {
      if (part.held) this.worker?.thread.release([part.held.id]);
      throw err;
    }
    this.queuedEvents += count;
    const done = new Promise<Refused>((resolve, reject) => this.queue.push({ ...part, dataset, count, resolve, reject }));
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
    return done;
  }

  /**
   * Calls `listener` after each successful commit, before the writers are answered, with what
   * was written (refused events included): SLO rollups recompute the minutes late events land in.
   */
  onCommitted(listener: (written: Written[]) => void): void {
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
      const held = this.queue[0].held !== undefined;
      let count = 0;
      while (
        this.queue.length > 0 &&
        (this.queue[0].held !== undefined) === held &&
        (group.length === 0 || count + this.queue[0].count <= this.limits.maxCommitEvents)
      ) {
        const p = this.queue.shift()!;
        group.push(p);
        count += p.count;
      }
      this.inFlight++;
      void this.commit(group).finally(() => {
        if (held) this.worker!.thread.release(group.map((p) => p.held!.id));
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
    let refused: Map<Pending, Refused>;
    try {
      refused = group[0].held ? await this.commitHeld(group) : await this.commitEvents(group);
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
    let refusedCount = 0;
    for (const r of refused.values()) refusedCount += r?.size ?? 0;
    this.rejected.inc(refusedCount);
    const written = group.map((p) => ({ dataset: p.dataset, times: p.held ? p.held.times : p.events!.map((e) => e.time) }));
    for (const listener of this.committedListeners) listener(written);
    for (const p of group) {
      this.accepted.inc(p.count - (refused.get(p)?.size ?? 0));
      p.resolve(refused.get(p));
    }
  }

  private async commitEvents(group: Pending[]): Promise<Map<Pending, Refused>> {
    const refusals = await this.store.append(mergeByDataset(group), { maxColumnsPerDataset: this.limits.maxColumnsPerDataset });
    const byRequest = new Map<Pending, Refused>();
    if (refusals.length === 0) return byRequest;
    const problems = new Map(refusals.map((r) => [r.event, r.problem]));
    for (const p of group) {
      p.events!.forEach((e, i) => {
        const problem = problems.get(e);
        if (problem === undefined) return;
        if (!byRequest.has(p)) byRequest.set(p, new Map());
        byRequest.get(p)!.set(i, problem);
      });
    }
    return byRequest;
  }

  private async commitHeld(group: Pending[]): Promise<Map<Pending, Refused>> {
    const byDataset = new Map<string, HeldWrite>();
    for (const p of group) {
      const write = byDataset.get(p.dataset.id);
      if (write) write.batches.push(p.held!.id);
      else byDataset.set(p.dataset.id, { datasetId: p.dataset.id, batches: [p.held!.id] });
    }
    const { thread, store } = this.worker!;
    const refused = await thread.commit(store, [...byDataset.values()], this.limits.maxColumnsPerDataset);
    return new Map(group.map((p) => [p, refused.get(p.held!.id)]));
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

function mergeByDataset(group: Pending[]): { dataset: Dataset; events: StoredEvent[] }[] {
  const byId = new Map<string, { dataset: Dataset; events: StoredEvent[] }>();
  for (const p of group) {
    const existing = byId.get(p.dataset.id);
    if (existing) for (const e of p.events!) existing.events.push(e);
    else byId.set(p.dataset.id, { dataset: p.dataset, events: [...p.events!] });
  }
  return [...byId.values()];
}
