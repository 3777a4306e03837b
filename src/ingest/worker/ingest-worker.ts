// The main thread's side of the ingest worker thread (worker-thread.ts). A Honeycomb batch body
// is handed over (transferred) to be parsed and checked there, and its events stay there; at
// commit time the worker plans them against the schemas the store sends and hands back filled
// data chunks, which the store appends and commits here (DuckEventStore.appendPrepared). What
// is left on the main thread under a flood is HTTP, DuckDB's appends and flushes, and commits.
import { Worker } from 'node:worker_threads';
import type { IngestLimits } from '../../config.js';
import { HttpError } from '../../http/index.js';
import type { DuckEventStore, FilledChunk, PreparedWrite } from '../../store/index.js';
import type { FromWorker, PreparedDataset, PrepareDataset, ToWorker } from './messages.js';

/** A batch whose good events the worker holds. */
export interface HeldBatch {
  id: number;
  /** Items in the body. */
  total: number;
  /** Good events held. */
  good: number;
  /** Each refused item: its index in the body and why. */
  problems: [number, string][];
  /** Each good event's time (microseconds), in order: what commit listeners are told. */
  times: Float64Array;
}

/** One dataset's batches in a group commit. */
export interface HeldWrite {
  datasetId: string;
  batches: number[];
}

type Waiter = { resolve: (reply: FromWorker) => void; reject: (err: Error) => void };

export class IngestWorker {
  /**
   * Started once the server serves (start()), or on first use: started with the server, loading
   * its modules on another thread slowed a start (to /healthz 200) by 0.2-0.9 s on a busy
   * 2-core machine; started on first use, the first batches after a start waited 0.4 s for it.
   */
  private worker?: Worker;
  private readonly waiting = new Map<number, Waiter>();
  private lastId = 0;
  /** The schema version the worker has of each dataset. */
  private sent = new Map<string, number>();

  constructor(private readonly onError: (err: Error) => void) {}

  start(): void {
    this.thread();
  }

  /** Parses and checks a batch body in the worker; the body's memory moves there (`body` is unusable after). */
  async check(body: Buffer, receivedUs: number, limits: IngestLimits): Promise<HeldBatch> {
    const id = ++this.lastId;
    // A body sharing its memory with others (Node's pool for small buffers) is copied into memory
    // of its own (not Buffer.from, which takes small copies from the pool again), so only it moves.
    const own = body.byteOffset === 0 && body.byteLength === body.buffer.byteLength ? body : new Uint8Array(body);
    const reply = await this.ask({ kind: 'check', id, body: own, receivedUs, limits }, [own.buffer as ArrayBuffer]);
    if (reply.kind !== 'checked') throw new Error(`unexpected answer from the ingest worker: ${reply.kind}`);
    return { id, total: reply.total, good: reply.good, problems: reply.problems, times: reply.times };
  }

  /**
   * Commits held batches through the store; resolves with the events the store refused (batch ->
   * body index -> why). The batches stay held: release() them once their fate is final.
   */
  async commit(store: DuckEventStore, writes: HeldWrite[], maxColumns: number): Promise<Map<number, Map<number, string>>> {
    let refused: PreparedDataset['refused'] = [];
    const plans: number[] = [];
    try {
      await store.appendPrepared(
        writes.map((w) => w.datasetId),
        async (schemas) => {
          const datasets: PrepareDataset[] = writes.map((w) => {
            const { version, schema } = schemas.get(w.datasetId)!;
            const known = this.sent.get(w.datasetId) === version;
            this.sent.set(w.datasetId, version);
            return { datasetId: w.datasetId, version, schema: known ? undefined : schema, batches: w.batches };
          });
          const plan = ++this.lastId;
          plans.push(plan);
          const reply = await this.ask({ kind: 'prepare', id: plan, datasets, maxColumns: Number.isFinite(maxColumns) ? maxColumns : Number.MAX_SAFE_INTEGER });
          if (reply.kind !== 'prepared') throw new Error(`unexpected answer from the ingest worker: ${reply.kind}`);
          refused = reply.datasets.flatMap((d) => d.refused);
          const fetch = this.chunkFetcher(plan, reply.datasets.flatMap((d) => d.tables.map((t) => t.chunks)));
          const prepared = new Map<string, PreparedWrite>();
          let at = 0;
          for (const d of reply.datasets) {
            prepared.set(d.datasetId, {
              ...d,
              schema: d.schema ?? schemas.get(d.datasetId)!.schema,
              tables: d.tables.map((t) => ({ name: t.name, chunks: Array.from({ length: t.chunks }, () => ({ fetch: fetch.bind(null, at++) })) })),
            });
          }
          return prepared;
        },
      );
    } finally {
      for (const plan of plans) this.thread().postMessage({ kind: 'drop', plan } satisfies ToWorker);
    }
    const byBatch = new Map<number, Map<number, string>>();
    for (const [batch, index, problem] of refused) {
      if (!byBatch.has(batch)) byBatch.set(batch, new Map());
      byBatch.get(batch)!.set(index, problem);
    }
    return byBatch;
  }

  /**
   * Fetches a plan's chunks in order (table by table), asking for the next one as each is taken,
   * so the worker fills one while the main thread appends another.
   */
  private chunkFetcher(plan: number, chunksPerTable: number[]): (at: number) => Promise<FilledChunk> {
    const order = chunksPerTable.flatMap((count, table) => Array.from({ length: count }, (_, index) => ({ table, index })));
    const asked = new Map<number, Promise<FilledChunk>>();
    const ask = (at: number) => {
      if (at >= order.length || asked.has(at)) return;
      const request = this.ask({ kind: 'chunk', id: ++this.lastId, plan, ...order[at] }).then((reply) => {
        if (reply.kind !== 'chunk') throw new Error(`unexpected answer from the ingest worker: ${reply.kind}`);
        return reply.chunk;
      });
      // Asked ahead: a failure is reported when the chunk is taken, not as an unhandled rejection.
      request.catch(() => undefined);
      asked.set(at, request);
    };
    /** `at` counts the plan's chunks in order, over all its tables. */
    return (at) => {
      ask(at);
      ask(at + 1);
      const chunk = asked.get(at)!;
      asked.delete(at);
      return chunk;
    };
  }

  release(batches: number[]): void {
    this.worker?.postMessage({ kind: 'release', batches } satisfies ToWorker);
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    await worker?.terminate();
  }

  private ask(message: Extract<ToWorker, { id: number }>, transfer: ArrayBuffer[] = []): Promise<FromWorker> {
    return new Promise((resolve, reject) => {
      try {
        this.thread().postMessage(message, transfer);
      } catch (err) {
        // Memory Node marked as not transferable (Node 21+ refuses it where Node 20 quietly
        // copied): sent as a copy instead.
        if ((err as Error).name !== 'DataCloneError') throw err;
        this.thread().postMessage(message);
      }
      // Set once sent (a reply cannot come before this turn ends), so a refused send leaves nothing waiting.
      this.waiting.set(message.id, {
        resolve: (reply) => (reply.kind === 'failed' ? reject(reply.status === 500 ? new Error(reply.message) : new HttpError(reply.status, reply.message)) : resolve(reply)),
        reject,
      });
    });
  }

  private thread(): Worker {
    return (this.worker ??= this.spawn());
  }

  private spawn(): Worker {
    const worker = import.meta.url.endsWith('.ts')
      ? // Running the sources (tests, through tsx): the worker registers tsx's loader first.
        new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./worker-thread.ts', import.meta.url).href)}); })`, { eval: true })
      : new Worker(new URL('./worker-thread.js', import.meta.url));
    worker.unref();
    worker.on('message', (reply: FromWorker) => {
      const waiter = this.waiting.get(reply.id);
      this.waiting.delete(reply.id);
      waiter?.resolve(reply);
    });
    worker.on('error', (err) => this.onError(err));
    // A worker that stopped took its held batches with it: their requests fail, and a new one takes the next.
    worker.on('exit', () => {
      const lost = [...this.waiting.values()];
      this.waiting.clear();
      for (const w of lost) w.reject(new Error('the ingest worker thread stopped'));
      if (this.worker === worker) {
        this.sent = new Map();
        this.worker = undefined;
      }
    });
    return worker;
  }
}
