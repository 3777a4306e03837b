// OTLP/gRPC: the TraceService, LogsService and MetricsService Export calls on their own port
// (4317 by default), with @grpc/grpc-js (pure JavaScript). Keys come in the same metadata
// OTLP/HTTP reads as headers; message compression (gzip) is handled by grpc-js.
import fs from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import type { AuthService } from '../../auth/index.js';
import { keyFromHeaders, keyHolds, ruleFor } from '../../auth/index.js';
import { datasetNameProblem, type Environment } from '../../store/index.js';
import { encodeResponse, type Signal } from './codec.js';
import { exportProtobuf, type OtlpDeps } from './export.js';
import { HttpError } from '../../http/index.js';
import { MAX_INGEST_IN_FLIGHT } from '../context.js';
import { OverloadedError } from '../pipeline.js';
import { OtlpProblem } from './values.js';

const SERVICES: Record<Signal, string> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
};

export interface OtlpGrpcServer {
  /** host:port the server listens on. */
  address: string;
  port: number;
  close(): Promise<void>;
}

class CallError extends Error {
  constructor(
    readonly code: grpc.status,
    message: string,
  ) {
    super(message);
  }
}

export interface GrpcOptions {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** Where unexpected failures are reported (they answer INTERNAL). */
  logError: (err: unknown) => void;
  /** PEM files: serve over TLS (the same certificate as HTTPS). */
  tls?: { certFile: string; keyFile: string } | null;
}

export async function startOtlpGrpcServer(deps: OtlpDeps, auth: AuthService, options: GrpcOptions): Promise<OtlpGrpcServer> {
  const { host, port } = options;
  const server = new grpc.Server({
    'grpc.max_receive_message_length': deps.ingest.limits.maxBodyBytes,
    'grpc.max_concurrent_streams': MAX_INGEST_IN_FLIGHT,
  });
  for (const signal of ['traces', 'logs', 'metrics'] as const) {
    const definition: grpc.ServiceDefinition = {
      Export: {
        path: SERVICES[signal],
        requestStream: false,
        responseStream: false,
        // Bytes pass through: decoding happens in the handler, where a bad message becomes INVALID_ARGUMENT.
        requestSerialize: (b: Buffer) => b,
        requestDeserialize: (b: Buffer) => b,
        responseSerialize: (b: Buffer) => b,
        responseDeserialize: (b: Buffer) => b,
      },
    };
    server.addService(definition, {
      Export: (call: grpc.ServerUnaryCall<Buffer, Buffer>, callback: grpc.sendUnaryData<Buffer>) => {
        handle(deps, auth, signal, call).then(
          (response) => callback(null, response),
          (err) => callback(toServiceError(err, options.logError)),
        );
      },
    });
  }
  const bound = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${port}`, credentials(options.tls), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    address: `${host}:${bound}`,
    port: bound,
    close: () =>
      new Promise<void>((resolve) => {
        // Let calls in flight finish (their events are being committed), then stop waiting.
        const timer = setTimeout(() => server.forceShutdown(), 5_000);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}

function credentials(tls: GrpcOptions['tls']): grpc.ServerCredentials {
  if (!tls) return grpc.ServerCredentials.createInsecure();
  return grpc.ServerCredentials.createSsl(null, [{ cert_chain: fs.readFileSync(tls.certFile), private_key: fs.readFileSync(tls.keyFile) }], false);
}

function metadataValue(call: grpc.ServerUnaryCall<Buffer, Buffer>, name: string): string | undefined {
  const v = call.metadata.get(name)[0];
  return typeof v === 'string' ? v : undefined;
}

async function handle(deps: OtlpDeps, auth: AuthService, signal: Signal, call: grpc.ServerUnaryCall<Buffer, Buffer>): Promise<Buffer> {
  const key = keyFromHeaders({ 'x-honeycomb-team': metadataValue(call, 'x-honeycomb-team'), authorization: metadataValue(call, 'authorization') });
  if (!key) throw new CallError(grpc.status.UNAUTHENTICATED, 'missing API key: send it in x-honeycomb-team or authorization: Bearer <key> metadata');
  const principal = await auth.verify(key);
  if (!principal) throw new CallError(grpc.status.UNAUTHENTICATED, 'unknown or revoked API key');
  if (!keyHolds(principal.kind, ruleFor('POST', `/v1/${signal}`)!)) throw new CallError(grpc.status.PERMISSION_DENIED, `an ${principal.kind} key cannot send events`);
  // The same admission control as OTLP/HTTP: no writes on a full disk, bounded calls in flight,
  // none past a full queue. A full disk is UNAVAILABLE, which OTLP exporters retry with backoff
  // (RESOURCE_EXHAUSTED they retry only with a RetryInfo detail).
  const full = deps.ingest.diskFull();
  if (full) throw new CallError(grpc.status.UNAVAILABLE, `Tend refuses new events: ${full}`);
  const release = deps.ingest.admit(call.request.length);
  if (!release) throw new OverloadedError();
  try {
    return await exportCall(deps, principal.env, signal, call);
  } finally {
    release();
  }
}

async function exportCall(deps: OtlpDeps, env: Environment, signal: Signal, call: grpc.ServerUnaryCall<Buffer, Buffer>): Promise<Buffer> {
  let dataset: string | undefined;
  if (signal !== 'traces') {
    dataset = metadataValue(call, 'x-honeycomb-dataset') || undefined;
    const problem = dataset && datasetNameProblem(dataset);
    if (problem) throw new OtlpProblem(`x-honeycomb-dataset: ${problem}`);
  }
  const outcome = await exportProtobuf(deps, env, signal, call.request, dataset);
  return Buffer.from(encodeResponse(signal, outcome));
}

function toServiceError(err: unknown, logError: (err: unknown) => void): Partial<grpc.ServiceError> {
  if (err instanceof CallError) return { code: err.code, details: err.message };
  // The pipeline answers a 400 when the store refuses events (past the column limit): bad input too.
  if (err instanceof OtlpProblem || (err instanceof HttpError && err.status === 400)) return { code: grpc.status.INVALID_ARGUMENT, details: err.message };
  // OTLP clients retry UNAVAILABLE with backoff: busy, or a commit that found no memory or disk.
  if (err instanceof OverloadedError || (err instanceof HttpError && (err.status === 503 || err.status === 507))) return { code: grpc.status.UNAVAILABLE, details: err.message };
  logError(err);
  return { code: grpc.status.INTERNAL, details: 'internal error: see the server log' };
}
