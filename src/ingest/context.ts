// What protocol adapters share: the pipeline, the limits, and admission control that refuses
// work with 429 before a body is read when the queue or the number of requests in flight is
// at its bound (so memory stays bounded under a flood).
import type { onRequestHookHandler } from 'fastify';
import type { IngestLimits } from '../config.js';
import type { DatasetRegistry, EventStore } from '../store/index.js';
import type { Counter, MetricsRegistry } from '../telemetry/index.js';
import { overloaded } from '../http/index.js';
import { IngestPipeline } from './pipeline.js';

/** Ingest requests being read, checked or committed at once; more wait for a 429's Retry-After. */
export const MAX_INGEST_IN_FLIGHT = 64;

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
   * Takes a place among the requests being handled, or returns undefined (and counts a refusal)
   * when the queue or the number in flight is at its bound. Call the release when done.
   */
  admit(): (() => void) | undefined;
  /** Route-level onRequest hook for every HTTP ingest route: admit() for the request's lifetime. */
  admission: onRequestHookHandler;
}

export function createIngestContext(store: EventStore, datasets: DatasetRegistry, limits: IngestLimits, metrics: MetricsRegistry): IngestContext {
  const pipeline = new IngestPipeline(store, datasets, limits, metrics);
  let inFlight = 0;
  metrics.gauge('tend_ingest_requests_in_flight', 'Ingest requests being handled', () => inFlight);
  const admit = () => {
    if (pipeline.isFull() || inFlight >= MAX_INGEST_IN_FLIGHT) {
      pipeline.refused.inc();
      return undefined;
    }
    inFlight++;
    let released = false;
    return () => {
      if (!released) inFlight--;
      released = true;
    };
  };
  const admission: onRequestHookHandler = (_request, reply, done) => {
    const release = admit();
    if (!release) {
      done(overloaded('Tend is busy writing earlier events: retry after a moment'));
      return;
    }
    reply.raw.once('finish', release);
    reply.raw.once('close', release);
    done();
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
  };
}
