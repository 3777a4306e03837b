// The trace index as ingest writes it and the trace API reads it: dataset names resolved to
// ids, entries kept by the event store (EventStore.traces), and look-ups merged per dataset.
// Written at ingest by the OTLP adapter before the request is answered, so a trace look-up
// started after the answer finds the trace's datasets and window.
import type { TraceIndexWriter, TraceRef } from '../ingest/index.js';
import type { DatasetRegistry, EventStore, TraceEntry } from '../store/index.js';

/** Where a trace's events are: one dataset, between two times (µs, inclusive). */
export interface TraceLocation {
  datasetId: string;
  firstUs: number;
  lastUs: number;
}

export class TraceIndex implements TraceIndexWriter {
  /** Entries that could not be written; the trace API then finds those traces by scanning. */
  failures = 0;

  constructor(
    private readonly store: EventStore,
    private readonly datasets: DatasetRegistry,
    private readonly logError: (err: unknown) => void,
  ) {}

  async record(envId: string, refs: TraceRef[]): Promise<void> {
    try {
      // A request's traces are mostly in one dataset: resolve each name once.
      const ids = new Map<string, string>();
      const entries: TraceEntry[] = [];
      for (const r of refs) {
        let datasetId = ids.get(r.dataset);
        if (datasetId === undefined) ids.set(r.dataset, (datasetId = (await this.datasets.findOrCreate(envId, r.dataset)).id));
        entries.push({ envId, traceId: r.traceId, datasetId, firstUs: r.firstUs, lastUs: r.lastUs });
      }
      await this.store.traces.record(entries);
    } catch (err) {
      this.failures += refs.length;
      this.logError(err);
    }
  }

  async lookup(envId: string, traceId: string): Promise<TraceLocation[]> {
    const byDataset = new Map<string, TraceLocation>();
    for (const e of await this.store.traces.lookup(envId, traceId)) {
      const loc = byDataset.get(e.datasetId) ?? { datasetId: e.datasetId, firstUs: e.firstUs, lastUs: e.lastUs };
      loc.firstUs = Math.min(loc.firstUs, e.firstUs);
      loc.lastUs = Math.max(loc.lastUs, e.lastUs);
      byDataset.set(e.datasetId, loc);
    }
    return [...byDataset.values()];
  }

  /** Forgets traces whose events all ended before `beforeUs` (their day partitions are gone). */
  prune(beforeUs: number): Promise<void> {
    return this.store.traces.prune(beforeUs);
  }
}
