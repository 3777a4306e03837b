// OTLP/HTTP on the main port: POST /v1/traces, /v1/logs and /v1/metrics, in protobuf
// (application/x-protobuf) or OTLP JSON (application/json), gzip, deflate, zstd or plain (the shared body
// decoder). Answers follow the OTLP/HTTP specification: the export response in the request's
// encoding, partial_success when items were refused, and errors as a google.rpc.Status in
// the request's encoding (400 bad input, a content type other than protobuf or JSON included, as
// the issue asks; 401/403 keys; 429 + Retry-After).
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { principalOf } from '../../auth/index.js';
import { badRequest, HttpError, overloaded } from '../../http/index.js';
import { datasetNameProblem } from '../../store/index.js';
import { encodeResponse, encodeStatus, REJECTED_FIELD, type Signal } from './codec.js';
import { exportProtobuf, exportRequest, type OtlpDeps } from './export.js';
import { OverloadedError } from '../pipeline.js';
import { OtlpProblem } from './values.js';

const PROTOBUF = 'application/x-protobuf';
const JSON_TYPE = 'application/json';
/** gRPC status codes carried in google.rpc.Status, by HTTP status. */
const GRPC_CODE: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 408: 4, 413: 8, 415: 3, 429: 14, 503: 14 };

type Encoding = 'protobuf' | 'json';

function encodingOf(request: FastifyRequest): Encoding | undefined {
  const type = (request.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type === PROTOBUF || type === 'application/protobuf') return 'protobuf';
  if (type === JSON_TYPE) return 'json';
  return undefined;
}

export function registerOtlpHttpRoutes(app: FastifyInstance, deps: OtlpDeps): void {
  const options = {
    config: { access: 'ingest' as const },
    ...deps.ingest.admission,
    errorHandler: (err: FastifyError | HttpError, request: FastifyRequest, reply: FastifyReply) => sendError(err, request, reply),
  };
  for (const signal of ['traces', 'logs', 'metrics'] as const) {
    app.post(`/v1/${signal}`, options, async (request, reply) => {
      const encoding = encodingOf(request);
      if (!encoding) {
        throw badRequest(`Content-Type "${request.headers['content-type'] ?? ''}" is not supported: send ${PROTOBUF} or ${JSON_TYPE}`);
      }
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const env = principalOf(request).env;
      const dataset = datasetHeader(request, signal);
      const outcome =
        encoding === 'protobuf' ? await exportProtobuf(deps, env, signal, raw, dataset) : await exportRequest(deps, env, signal, parseOtlpJson(raw), dataset);
      if (encoding === 'protobuf') {
        reply.code(200).type(PROTOBUF).send(Buffer.from(encodeResponse(signal, outcome)));
      } else {
        reply.code(200).type(JSON_TYPE).send(jsonResponse(signal, outcome.rejected, outcome.message));
      }
    });
  }
}

function parseOtlpJson(raw: Buffer): unknown {
  if (raw.length === 0) return {};
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw new OtlpProblem(`request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** OTLP JSON writes 64-bit integers as strings. */
function jsonResponse(signal: Signal, rejected: number, message: string): Record<string, unknown> {
  if (rejected === 0 && message === '') return {};
  return { partialSuccess: { [REJECTED_FIELD[signal]]: String(rejected), errorMessage: message } };
}

/** `x-honeycomb-dataset` names the dataset for logs and metrics; traces always go by service.name. */
function datasetHeader(request: FastifyRequest, signal: Signal): string | undefined {
  if (signal === 'traces') return undefined;
  const v = request.headers['x-honeycomb-dataset'];
  if (typeof v !== 'string' || v === '') return undefined;
  const problem = datasetNameProblem(v);
  if (problem) throw new OtlpProblem(`X-Honeycomb-Dataset: ${problem}`);
  return v;
}

function sendError(err: FastifyError | HttpError | Error, request: FastifyRequest, reply: FastifyReply): void {
  let status: number;
  let headers: Record<string, string> = {};
  if (err instanceof OtlpProblem) status = 400;
  else if (err instanceof OverloadedError) {
    const e = overloaded(err.message, err.retryAfterSeconds);
    status = e.status;
    headers = e.headers;
  } else if (err instanceof HttpError) {
    // A full disk (507 elsewhere) goes out as 503: OTLP exporters retry 429, 502, 503 and 504
    // with backoff and drop the batch on any other status, and the disk comes back.
    status = err.status === 507 ? 503 : err.status;
    headers = err.headers;
  } else {
    status = (err as FastifyError).statusCode ?? 500;
  }
  // A 5xx Tend chose (the disk is full) is an answer; any other is a fault, logged.
  if (status >= 500 && !(err instanceof HttpError)) {
    request.log.error({ err }, 'OTLP export failed');
    status = 500;
  }
  let message = err.message;
  if (status === 500) message = 'internal error: see the server log';
  const code = GRPC_CODE[status] ?? 13;
  reply.code(status).headers(headers);
  if (encodingOf(request) === 'protobuf') reply.type(PROTOBUF).send(Buffer.from(encodeStatus(code, message)));
  else reply.type(JSON_TYPE).send({ code, message });
}
