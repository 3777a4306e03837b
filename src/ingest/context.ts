// What protocol adapters share: the pipeline, the limits, and admission control. A request
// is refused with 429 before its body is read when the queue or the number of requests in
// flight is at its bound (cheap, so a flood costs little), but it takes its place among the
// requests in flight only once its body has arrived: a slow sender holds no place while Tend
// waits for its bytes (src/http/read-body.ts cuts it off). Admission counts bytes as well as
// requests: what a request costs in memory follows its body (parsed events take several times
// their JSON), so 64 bodies at the 5 MB limit must not all be parsed at once. Its heavy work
// then waits for a turn of the event loop (src/http/turns.ts), so health probes are answered
// during a flood; a request whose turn comes once the queue has filled is refused then,
// before its body is parsed, since parsing it would only make garbage.
// While the data folder's disk is short of space (src/disk), requests get 507 instead, at
// arrival and again once their body is in.
import type { onRequestHookHandler, preHandlerHookHandler } from 'fastify';
import type { IngestLimits } from '../config.js';
import { DuckEventStore, type DatasetRegistry, type EventStore } from '../store/index.js';
import type { Counter, MetricsRegistry } from '../telemetry/index.js';
import { insufficientStorage, overloaded, takeTurn } from '../http/index.js';
import { IngestPipeline } from './pipeline.js';
import { IngestWorker } from './worker/ingest-worker.js';

/** Ingest requests being checked or committed at once; more wait for a 429's Retry-After. */
export const MAX_INGEST_IN_FLIGHT = 64;
/**
 * Bytes of request bodies (decompressed) of the ingest requests in flight. 16 MiB is 55
 * batches of 500 ordinary events, or 3 bodies at the 5 MB limit; their parsed events take
 * 3-5 times that. One request is always admitted when none is in flight, whatever its size.
 */
export const MAX_INGEST_BYTES_IN_FLIGHT = 16 * 1024 * 1024;

export interface IngestContext {
  store: EventStore;
  datasets: DatasetRegistry;
  pipeline: IngestPipeline;
  limits: IngestLimits;
  /** Events refused for bad input or overload. */
  rejected: Counter;
  /** Requests refused as overloaded, at admission or when the queue filled while the body was read. */
  refused: Counter;
  /**
   * Takes a place among the requests being handled for a body of `bytes`, or returns undefined
   * (and counts a refusal) when the queue, the number in flight or their bytes are at their
   * bound. Call the release when done.
   */
  admit(bytes: number): (() => void) | undefined;
  /**
   * Hooks for every HTTP ingest route (spread into its options): onRequest refuses early when
   * busy; preHandler takes admit() for the rest of the request, once the body is complete.
   */
  admission: { onRequest: onRequestHookHandler; preHandler: preHandlerHookHandler };
  /** Why new ingest work would be refused now, or undefined while it is accepted (/readyz). */
  busy(): string | undefined;
  /** Why event writes are refused for lack of disk space now (507), or undefined. */
  diskFull(): string | undefined;
  /** Stops the ingest worker thread, once the pipeline is idle. */
  close(): Promise<void>;
}

export function createIngestContext(
  store: EventStore,
  datasets: DatasetRegistry,
  limits: IngestLimits,
  metrics: MetricsRegistry,
  diskFull: () => string | undefined = () => undefined,
  options: { worker?: boolean; onWorkerError?: (err: Error) => void } = {},
): IngestContext {
  // The worker thread hands filled chunks to the embedded store's appender; other stores take events.
  const thread = options.worker && store instanceof DuckEventStore ? new IngestWorker(options.onWorkerError ?? (() => undefined)) : undefined;
  const pipeline = new IngestPipeline(store, datasets, limits, metrics, thread && { thread, store: store as DuckEventStore });
  let inFlight = 0;
  let bytesInFlight = 0;
  metrics.gauge('tend_ingest_requests_in_flight', 'Ingest requests being handled', () => inFlight);
  metrics.gauge('tend_ingest_bytes_in_flight', 'Request body bytes of the ingest requests being handled', () => bytesInFlight);
  const busy = () => {
    if (pipeline.isFull()) return `overloaded: the ingest queue holds ${pipeline.depth()} events, its limit`;
    if (inFlight >= MAX_INGEST_IN_FLIGHT) return `overloaded: ${inFlight} ingest requests are in flight, the limit`;
    return undefined;
  };
  const admit = (bytes: number) => {
    if (busy() || (bytesInFlight > 0 && bytesInFlight + bytes > MAX_INGEST_BYTES_IN_FLIGHT)) {
      pipeline.refused.inc();
      return undefined;
    }
    inFlight++;
    bytesInFlight += bytes;
    let released = false;
    return () => {
      if (!released) {
        inFlight--;
        bytesInFlight -= bytes;
      }
      released = true;
    };
  };
  const refusal = () => overloaded('Tend is busy writing earlier events: retry after a moment');
  const noSpace = () => {
    const problem = diskFull();
    return problem && insufficientStorage(`Tend refuses new events: ${problem}; writes resume by themselves once space is freed`);
  };
  const admission: IngestContext['admission'] = {
    onRequest: (_request, _reply, done) => {
      const full = noSpace();
      if (full) return done(full);
      if (!busy()) return done();
      pipeline.refused.inc();
      done(refusal());
    },
    preHandler: (request, reply, done) => {
      const full = noSpace();
      if (full) return done(full);
      const release = admit(Buffer.isBuffer(request.body) ? request.body.length : 0);
      if (!release) return done(refusal());
      reply.raw.once('finish', release);
      reply.raw.once('close', release);
      takeTurn(() => {
        if (!pipeline.isFull()) return done();
        release();
        pipeline.refused.inc();
        done(refusal());
      });
    },
  };
  return {
    store,
    datasets,
    pipeline,
    limits,
    rejected: pipeline.rejected,
    refused: pipeline.refused,
    admit,
    admission,
    busy,
    diskFull,
    close: async () => {
      await thread?.close();
    },
  };
}
