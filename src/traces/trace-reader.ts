// Reads one trace's stored rows. With the trace index, only the datasets that hold the trace
// are read, only their day partitions in the trace's time window, and inside those the
// time filter lets DuckDB skip row groups by their min/max. Traces the index does not know
// (spans sent through the Honeycomb API) are found by scanning every dataset with spans.
import { compileAndRead } from '../query/index.js';
import type { DatasetRegistry, EventStore, Row } from '../store/index.js';
import type { TraceIndex, TraceLocation } from './trace-index.js';

const TRACE_ID = 'trace.trace_id';
/** Rows read for one trace at most: spans plus their events, links and logs. */
export const MAX_ROWS = 100_000;
const TIMEOUT_MS = 30_000;

export interface TraceSources {
  store: EventStore;
  datasets: DatasetRegistry;
  index: TraceIndex;
}

export async function readTraceRows(src: TraceSources, envId: string, traceId: string): Promise<Row[]> {
  let locations = await src.index.lookup(envId, traceId);
  if (locations.length === 0) locations = await everyDatasetWithSpans(src, envId);
  const rows: Row[] = [];
  // One deadline for the whole trace: past it the answer is a 408 naming the limit, not a 5xx.
  const deadline = Date.now() + TIMEOUT_MS;
  for (const loc of locations) {
    if (rows.length >= MAX_ROWS) break;
    const columns = await src.store.columns(loc.datasetId);
    if (!columns.some((c) => c.name === TRACE_ID && c.type === 'string')) continue;
    const source = await src.store.source([loc.datasetId], loc.firstUs, loc.lastUs + 1);
    if (!source) continue;
    const found = await compileAndRead(src.store, (c) => {
      const time = c.timeColumn;
      return `SELECT *, ${c.epochMicros(time)} AS ${c.ident('__time_us')} FROM ${source} ` +
        `WHERE ${c.timeRange({ startUs: loc.firstUs, endUs: loc.lastUs + 1 })} AND ${c.ident(TRACE_ID)} = ${c.param(traceId, 'string')} ` +
        `ORDER BY ${time} LIMIT ${c.int(MAX_ROWS - rows.length)}`;
    }, deadline, TIMEOUT_MS);
    for (const r of found) rows.push(r);
  }
  return rows;
}

async function everyDatasetWithSpans(src: TraceSources, envId: string): Promise<TraceLocation[]> {
  const out: TraceLocation[] = [];
  for (const ds of await src.datasets.list(envId)) {
    const columns = await src.store.columns(ds.id);
    if (columns.some((c) => c.name === TRACE_ID)) out.push({ datasetId: ds.id, firstUs: 0, lastUs: Number.MAX_SAFE_INTEGER - 1 });
  }
  return out;
}
