// The ingest worker thread: parses and normalizes Honeycomb batch bodies and, at commit time,
// plans them against the store's schemas and fills DuckDB data chunks with them: the CPU-heavy
// part of ingest, moved off the main thread so its turns stay short under a flood and health
// probes are answered within a few milliseconds (issue 18 item 7). The main thread keeps the
// HTTP work, the schemas, and DuckDB itself (an instance cannot be shared with another thread),
// where it appends the filled chunks and commits (ingest-worker.ts).
import { parentPort } from 'node:worker_threads';
import { HttpError } from '../../http/index.js';
import { chunksOf, chunkTransfers, planDataset, type DatasetSchema, type FilledChunk, type StoredEvent } from '../../store/index.js';
import { checkBatch } from '../honeycomb/check-batch.js';
import type { FromWorker, PreparedDataset, ToWorker } from './messages.js';

const port = parentPort!;
/** Good events of each batch not yet released, and where each was in its body. */
const held = new Map<number, { events: StoredEvent[]; goodAt: number[] }>();
/** The latest schema the main thread sent, by dataset id. */
const schemas = new Map<string, { version: number; schema: DatasetSchema }>();
/** Plans whose commit is under way: each table's chunks (in plan order), filled when asked for. */
const plans = new Map<number, (() => FilledChunk)[][]>();

/**
 * Work waiting, a commit's (prepare, chunk) before new bodies' (check): a commit holds one of the
 * store's writers and its transaction open while it waits for its chunks, so it must not wait
 * behind a queue of bodies to parse.
 */
type Work = Extract<ToWorker, { id: number }>;
const commits: Work[] = [];
const bodies: Work[] = [];
let scheduled = false;

port.on('message', (message: ToWorker) => {
  if (message.kind === 'release') {
    for (const id of message.batches) held.delete(id);
    return;
  }
  if (message.kind === 'drop') {
    plans.delete(message.plan);
    return;
  }
  (message.kind === 'check' ? bodies : commits).push(message);
  if (!scheduled) {
    scheduled = true;
    setImmediate(next);
  }
});

/** Does one piece of work, then lets messages that arrived meanwhile queue before the next. */
function next(): void {
  const message = (commits.shift() ?? bodies.shift())!;
  try {
    if (message.kind === 'check') check(message);
    else if (message.kind === 'prepare') prepare(message);
    else chunk(message);
  } catch (err) {
    const status = err instanceof HttpError ? err.status : 500;
    port.postMessage({ kind: 'failed', id: message.id, status, message: (err as Error).message } satisfies FromWorker);
  }
  scheduled = commits.length + bodies.length > 0;
  if (scheduled) setImmediate(next);
}

function check(message: Extract<ToWorker, { kind: 'check' }>): void {
  const body = Buffer.from(message.body.buffer, message.body.byteOffset, message.body.byteLength);
  const batch = checkBatch(body, message.receivedUs, message.limits);
  held.set(message.id, { events: batch.good, goodAt: batch.goodAt });
  const times = Float64Array.from(batch.good, (e) => e.time);
  const reply: FromWorker = { kind: 'checked', id: message.id, total: batch.total, good: batch.good.length, problems: batch.problems, times };
  port.postMessage(reply, [times.buffer]);
}

function prepare(message: Extract<ToWorker, { kind: 'prepare' }>): void {
  const datasets: PreparedDataset[] = [];
  const chunks: (() => FilledChunk)[][] = [];
  for (const d of message.datasets) {
    if (d.schema) schemas.set(d.datasetId, { version: d.version, schema: d.schema });
    const current = schemas.get(d.datasetId);
    if (current?.version !== d.version) throw new Error(`the ingest worker has no schema of version ${d.version} for dataset ${d.datasetId}`);
    const events: StoredEvent[] = [];
    for (const id of d.batches) for (const e of heldBatch(id).events) events.push(e);
    const plan = planDataset(d.datasetId, current.schema, events, message.maxColumns);
    const tables = [...plan.writes].map(([table, list]) => {
      chunks.push(chunksOf(plan.schema, table, list));
      return { name: table.name, chunks: chunks.at(-1)!.length };
    });
    datasets.push({
      datasetId: d.datasetId,
      ddl: plan.ddl,
      newColumns: plan.newColumns,
      newTables: plan.newTables,
      widened: plan.widened,
      schema: plan.schema === current.schema ? undefined : plan.schema,
      tables,
      refused: plan.refused.length === 0 ? [] : whereRefused(d.batches, new Map(plan.refused.map((r) => [r.event, r.problem]))),
    });
  }
  plans.set(message.id, chunks);
  port.postMessage({ kind: 'prepared', id: message.id, datasets } satisfies FromWorker);
}

function chunk(message: Extract<ToWorker, { kind: 'chunk' }>): void {
  const fill = plans.get(message.plan)?.[message.table]?.[message.index];
  if (!fill) throw new Error(`the ingest worker has no chunk ${message.index} of table ${message.table} of plan ${message.plan}`);
  const filled = fill();
  port.postMessage({ kind: 'chunk', id: message.id, chunk: filled } satisfies FromWorker, chunkTransfers(filled));
}

function heldBatch(id: number) {
  const batch = held.get(id);
  if (!batch) throw new Error(`the ingest worker holds no batch ${id}`);
  return batch;
}

/** Each refused event as its batch and its index in that batch's body. */
function whereRefused(batches: number[], problems: Map<StoredEvent, string>): [number, number, string][] {
  const found: [number, number, string][] = [];
  for (const id of batches) {
    const { events, goodAt } = heldBatch(id);
    events.forEach((e, k) => {
      const problem = problems.get(e);
      if (problem !== undefined) found.push([id, goodAt[k], problem]);
    });
  }
  return found;
}
