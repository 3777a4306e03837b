// One export request, whichever transport brought it (OTLP/HTTP protobuf or JSON, OTLP/gRPC):
// map the items to events, refuse the bad ones, commit the rest through the shared pipeline,
// record where each trace went, and say how many were refused.
import type { Environment } from '../../store/index.js';
import type { IngestContext } from '../context.js';
import { decodeRequest, type ExportOutcome, type Signal } from './codec.js';
import { MappedRequest, type TraceRef } from './mapped.js';
import { mapLogs } from './map-logs.js';
import { mapMetrics } from './map-metrics.js';
import { mapTraces } from './map-traces.js';
import { readTraceRequest } from './trace-wire.js';
import { OtlpProblem } from './values.js';

/** Where traces are recorded at ingest so the trace API finds them fast (src/traces). */
export interface TraceIndexWriter {
  /** Resolves once recorded; never rejects (a lost entry only makes the lookup slower). */
  record(envId: string, refs: TraceRef[]): Promise<void>;
}

export interface OtlpDeps {
  ingest: IngestContext;
  traceIndex?: TraceIndexWriter;
}

/**
 * Maps and commits one decoded request. Throws OtlpProblem when nothing in it can be taken
 * (the body is not an export request, or every item was refused): the caller answers 400.
 * Throws OverloadedError (from the pipeline) when it is full.
 */
export async function exportRequest(
  deps: OtlpDeps,
  env: Environment,
  signal: Signal,
  body: unknown,
  datasetOverride: string | undefined,
): Promise<ExportOutcome> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new OtlpProblem('request body: expected an OTLP export request object');
  }
  const req = new MappedRequest(deps.ingest.limits, Date.now() * 1000);
  const message = body as Record<string, unknown>;
  if (signal === 'traces') mapTraces(message, req);
  else if (signal === 'logs') mapLogs(message, req, datasetOverride);
  else mapMetrics(message, req, datasetOverride);
  return commit(deps, env, req);
}

/**
 * Maps and commits one request in protobuf. Spans are read straight from the bytes when
 * trace-wire.ts takes the request; everything else is decoded by protobufjs and mapped as above.
 */
export async function exportProtobuf(
  deps: OtlpDeps,
  env: Environment,
  signal: Signal,
  body: Uint8Array,
  datasetOverride: string | undefined,
): Promise<ExportOutcome> {
  if (signal === 'traces') {
    const req = new MappedRequest(deps.ingest.limits, Date.now() * 1000);
    if (readTraceRequest(body, req)) return commit(deps, env, req);
  }
  return exportRequest(deps, env, signal, decodeRequest(signal, body), datasetOverride);
}

async function commit(deps: OtlpDeps, env: Environment, req: MappedRequest): Promise<ExportOutcome> {
  deps.ingest.rejected.inc(req.rejected);
  if (req.items > 0 && req.rejected >= req.items) throw new OtlpProblem(req.message());

  const writes: Promise<void>[] = [];
  for (const [dataset, events] of req.byDataset) writes.push(deps.ingest.pipeline.submit(env, dataset, events));
  if (deps.traceIndex && req.traces.size > 0) writes.push(deps.traceIndex.record(env.id, [...req.traces.values()]));
  await Promise.all(writes);
  return { rejected: req.rejected, message: req.message() };
}
