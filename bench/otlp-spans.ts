// The spans bench:otlp sends, shared by bench/otlp.ts and bench/otlp-decode.ts: traces of 8
// spans with 10 attributes each, as OTLP protobuf requests and as the same events for /1/batch.
import { encodeRequest } from '../src/ingest/otlp/codec.js';

export const BATCH = 512;
export const SPANS_PER_TRACE = 8;

const hex = (n: number, bytes: number) => n.toString(16).padStart(bytes * 2, '0');
export const traceIdOf = (t: number) => `5eed${hex(t, 14)}`;

export interface SpanSpec {
  traceId: string;
  spanId: string;
  parentId?: string;
  name: string;
  startMs: number;
  durationMs: number;
  attributes: Record<string, string | number | boolean>;
}

/** Span i of a run: traces of 8 spans, one root and seven children, 10 attributes each. */
export function spanAt(i: number, startMs: number): SpanSpec {
  const t = Math.floor(i / SPANS_PER_TRACE);
  const k = i % SPANS_PER_TRACE;
  return {
    traceId: traceIdOf(t),
    spanId: hex(i + 1, 8),
    parentId: k === 0 ? undefined : hex(t * SPANS_PER_TRACE + 1, 8),
    name: k === 0 ? 'GET /api/items' : `db.query ${k}`,
    startMs,
    durationMs: 1 + (i % 97) / 3,
    attributes: {
      'http.method': 'GET',
      'http.route': `/api/items/${i % 50}`,
      'http.status_code': i % 23 === 0 ? 500 : 200,
      'customer.id': `cust-${i % 9973}`,
      'build.id': `b-${i % 13}`,
      'db.rows': i % 100,
      'cache.hit': i % 2 === 0,
      region: ['eu-west-1', 'us-east-1', 'ap-south-1'][i % 3],
      'payload.bytes': 512 + (i % 4096),
      'request.score': (i % 1000) / 7,
    },
  };
}

function anyValue(v: string | number | boolean) {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  return Number.isInteger(v) ? { intValue: v } : { doubleValue: v };
}

const nanos = (ms: number) => `${BigInt(Math.round(ms * 1000)) * 1000n}`;

export function protobufBatch(spans: SpanSpec[]): Buffer {
  return Buffer.from(
    encodeRequest('traces', {
      resourceSpans: [{
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'bench-svc' } }, { key: 'host.name', value: { stringValue: 'web-1' } }] },
        scopeSpans: [{
          scope: { name: 'bench', version: '1.0.0' },
          spans: spans.map((s) => ({
            traceId: Buffer.from(s.traceId, 'hex'),
            spanId: Buffer.from(s.spanId, 'hex'),
            parentSpanId: s.parentId ? Buffer.from(s.parentId, 'hex') : undefined,
            name: s.name,
            kind: 2,
            startTimeUnixNano: nanos(s.startMs),
            endTimeUnixNano: nanos(s.startMs + s.durationMs),
            attributes: Object.entries(s.attributes).map(([key, v]) => ({ key, value: anyValue(v) })),
          })),
        }],
      }],
    }),
  );
}

/** A span's fields as the OTLP mapping stores them (resource, scope, attributes, span columns). */
export function spanFields(s: SpanSpec): Record<string, string | number | boolean> {
  const fields: Record<string, string | number | boolean> = {
    'service.name': 'bench-svc', 'host.name': 'web-1', 'library.name': 'bench', 'library.version': '1.0.0', ...s.attributes,
    'trace.trace_id': s.traceId, 'trace.span_id': s.spanId, name: s.name, 'span.kind': 'server',
    duration_ms: s.durationMs, status_code: 0, error: false, 'span.num_events': 0, 'span.num_links': 0,
  };
  if (s.parentId) fields['trace.parent_id'] = s.parentId;
  return fields;
}

/** The same spans as Honeycomb events with the columns the OTLP mapping gives them. */
export function honeycombBatch(spans: SpanSpec[]): Buffer {
  return Buffer.from(JSON.stringify(spans.map((s) => ({ time: new Date(s.startMs).toISOString(), data: spanFields(s) }))));
}

export function spansBetween(from: number, to: number, firstMs: number, spacingMs: number): SpanSpec[] {
  const spans: SpanSpec[] = [];
  for (let i = from; i < to; i++) spans.push(spanAt(i, firstMs + i * spacingMs));
  return spans;
}

/** Request bodies for spans `from` to `to`, BATCH spans each. */
export function batches(from: number, to: number, firstMs: number, spacingMs: number, encode: (spans: SpanSpec[]) => Buffer): Buffer[] {
  const out: Buffer[] = [];
  for (let start = from; start < to; start += BATCH) out.push(encode(spansBetween(start, Math.min(to, start + BATCH), firstMs, spacingMs)));
  return out;
}
