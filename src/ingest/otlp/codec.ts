// Protobuf encoding and decoding of OTLP messages, with protobufjs over the schema in
// proto/schema.ts. Decoded messages keep protobufjs' shape (camelCase names, ids as bytes,
// 64-bit integers as Long), which the mappers read alongside OTLP JSON (see values.ts).
import protobuf from 'protobufjs';
import { OTLP_PROTO, VALUES_PROTO } from './proto/schema.js';
import { OtlpProblem } from './values.js';

const root = new protobuf.Root();
protobuf.parse(VALUES_PROTO, root, { keepCase: false });
protobuf.parse(OTLP_PROTO, root, { keepCase: false });
const type = (name: string) => root.lookupType(name);

export type Signal = 'traces' | 'logs' | 'metrics';

const REQUESTS: Record<Signal, protobuf.Type> = {
  traces: type('ExportTraceServiceRequest'),
  logs: type('ExportLogsServiceRequest'),
  metrics: type('ExportMetricsServiceRequest'),
};
const RESPONSES: Record<Signal, protobuf.Type> = {
  traces: type('ExportTraceServiceResponse'),
  logs: type('ExportLogsServiceResponse'),
  metrics: type('ExportMetricsServiceResponse'),
};
/** The partial_success field that counts refused items, per signal. */
export const REJECTED_FIELD: Record<Signal, string> = {
  traces: 'rejectedSpans',
  logs: 'rejectedLogRecords',
  metrics: 'rejectedDataPoints',
};
const STATUS = type('RpcStatus');

/** Decodes an export request; a body that is not a valid message throws an OtlpProblem. */
export function decodeRequest(signal: Signal, body: Uint8Array): Record<string, unknown> {
  try {
    return REQUESTS[signal].decode(body) as unknown as Record<string, unknown>;
  } catch (err) {
    throw new OtlpProblem(`request body is not a valid protobuf ${REQUESTS[signal].name}: ${(err as Error).message}`);
  }
}

export function encodeRequest(signal: Signal, message: Record<string, unknown>): Uint8Array {
  const t = REQUESTS[signal];
  return t.encode(t.fromObject(message)).finish();
}

export interface ExportOutcome {
  rejected: number;
  message: string;
}

/** The response message as a plain object in OTLP JSON form; partial_success only when something was refused. */
export function responseObject(signal: Signal, outcome: ExportOutcome): Record<string, unknown> {
  if (outcome.rejected === 0 && outcome.message === '') return {};
  return { partialSuccess: { [REJECTED_FIELD[signal]]: outcome.rejected, errorMessage: outcome.message } };
}

export function encodeResponse(signal: Signal, outcome: ExportOutcome): Uint8Array {
  const t = RESPONSES[signal];
  return t.encode(t.fromObject(responseObject(signal, outcome))).finish();
}

export function decodeResponse(signal: Signal, body: Uint8Array): Record<string, unknown> {
  const t = RESPONSES[signal];
  return t.toObject(t.decode(body), { longs: Number }) as Record<string, unknown>;
}

/** google.rpc.Status, as OTLP/HTTP answers errors; `code` is the matching gRPC status code. */
export function encodeStatus(code: number, message: string): Uint8Array {
  return STATUS.encode(STATUS.fromObject({ code, message })).finish();
}

export function decodeStatus(body: Uint8Array): { code: number; message: string } {
  return STATUS.toObject(STATUS.decode(body), { defaults: true }) as { code: number; message: string };
}
