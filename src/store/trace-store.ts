// Where each trace's events are: written at ingest beside the events, read by the trace API
// so that finding a trace by id reads only the datasets and days that hold it.

/** One trace in one dataset, between two times (µs since the epoch, both included). */
export interface TraceEntry {
  envId: string;
  traceId: string;
  datasetId: string;
  firstUs: number;
  lastUs: number;
}

export interface TraceStore {
  /** Records entries; resolves once they are committed (entries are group-committed). */
  record(entries: TraceEntry[]): Promise<void>;
  /** Every entry of the trace in the environment (several per dataset are possible). */
  lookup(envId: string, traceId: string): Promise<TraceEntry[]>;
  /** Forgets entries whose events all ended before `beforeUs`. */
  prune(beforeUs: number): Promise<void>;
}
