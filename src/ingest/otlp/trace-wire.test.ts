// The wire reader against the reference path (protobufjs, mapTraces, normalizeEvent) on the same
// bytes: whenever it takes a request, every event (time, sample rate, each field's name, place
// and value), every trace reference and the item count must be the reference's; requests the
// reference refuses or maps with problems it must decline; and the requests real senders make
// it must take.
import http from 'node:http';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BasicTracerProvider, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultIngestLimits, type IngestLimits } from '../../config.js';
import { decodeRequest, encodeRequest } from './codec.js';
import { mapTraces } from './map-traces.js';
import { MappedRequest } from './mapped.js';
import { readTraceRequest } from './trace-wire.js';

const NOW_US = Date.now() * 1000;

type Outcome = { taken: false } | { taken: true; events: [string, [number, number, [string, unknown][]][]][]; traces: unknown[]; items: number };

function fast(body: Uint8Array, limits: IngestLimits = defaultIngestLimits): Outcome {
  const req = new MappedRequest(limits, NOW_US);
  if (!readTraceRequest(body, req)) return { taken: false };
  expect(req.rejected).toBe(0);
  return { taken: true, ...contents(req) };
}

/** The reference outcome, or the problem that makes it refuse the body or an item. */
function reference(body: Uint8Array, limits: IngestLimits = defaultIngestLimits): ReturnType<typeof contents> | { problem: string } {
  const req = new MappedRequest(limits, NOW_US);
  try {
    mapTraces(decodeRequest('traces', body), req);
  } catch (err) {
    return { problem: (err as Error).message };
  }
  if (req.rejected > 0) return { problem: req.message() };
  return contents(req);
}

/** Everything a mapping gives, with fields as ordered [name, value] pairs so places count too. */
function contents(req: MappedRequest) {
  return {
    events: [...req.byDataset].map(([dataset, events]) => [dataset, events.map((e) => [e.time, e.samplerate, Object.entries(e.fields)])]) as [string, [number, number, [string, unknown][]][]][],
    traces: [...req.traces.values()],
    items: req.items,
  };
}

function expectSame(body: Uint8Array, limits?: IngestLimits): boolean {
  const got = fast(body, limits);
  const want = reference(body, limits);
  if ('problem' in want) {
    expect(got.taken, `reference refused (${want.problem}) but the wire reader took it`).toBe(false);
    return false;
  }
  if (got.taken) expect({ events: got.events, traces: got.traces, items: got.items }).toEqual(want);
  return got.taken;
}

const nanos = (ms: number) => `${BigInt(ms) * 1_000_000n + 123n}`;
const START_MS = Math.floor(NOW_US / 1000) - 60_000;

// Values the senders use; `regular` ones the wire reader must take, the others it may decline.
const regularValue = fc.oneof(
  fc.string({ maxLength: 12 }).map((s) => ({ stringValue: s })),
  fc.constantFrom('', 'GET', 'eu-west-1', 'naïve ☃', '𝄞 clef', 'x'.repeat(40)).map((s) => ({ stringValue: s })),
  fc.boolean().map((b) => ({ boolValue: b })),
  fc.integer({ min: -1_000_000, max: 1_000_000 }).map((n) => ({ intValue: n })),
  fc.constantFrom(0, -0, 1.5, -2.25, 1e300, NaN, Infinity, -Infinity).map((d) => ({ doubleValue: d })),
  fc.uint8Array({ maxLength: 6 }).map((b) => ({ bytesValue: b })),
  fc.array(fc.oneof(fc.string({ maxLength: 4 }).map((s) => ({ stringValue: s })), fc.integer().map((n) => ({ intValue: n })), fc.boolean().map((b) => ({ boolValue: b }))), { maxLength: 3 }).map((values) => ({ arrayValue: { values } })),
);
const oddValue = fc.oneof(
  fc.constant({}),
  fc.constant({ kvlistValue: { values: [{ key: 'inner', value: { intValue: 1 } }] } }),
  fc.constant({ intValue: '9007199254740993' }),
  fc.constant({ stringValue: 'a', intValue: 2 }),
);
const names = ['http.method', 'customer.id', 'db.rows', 'name', 'SampleRate', 'sampleRate', 'a.b', '5', 'k'];
// A resource's service.name is set apart (a list there is left to the reference path).
const regularKey = fc.constantFrom(...names);
const spanKey = fc.constantFrom(...names, 'service.name');
const oddKey = fc.constantFrom('', '__time', '__proto__', 'nul\u0000key');

const attributes = (odd: boolean, keys = regularKey) =>
  fc.array(fc.record({ key: odd ? fc.oneof({ weight: 9, arbitrary: keys }, { weight: 1, arbitrary: oddKey }) : keys, value: odd ? fc.oneof({ weight: 9, arbitrary: regularValue }, { weight: 1, arbitrary: oddValue }) : regularValue }), { maxLength: 6 });

const idBytes = (n: number, odd: boolean) =>
  odd ? fc.oneof({ weight: 8, arbitrary: fc.uint8Array({ minLength: n, maxLength: n }) }, { weight: 1, arbitrary: fc.constant(new Uint8Array(n)) }, { weight: 1, arbitrary: fc.uint8Array({ maxLength: n + 2 }) }) : fc.uint8Array({ minLength: n, maxLength: n }).map((b) => (b.every((x) => x === 0) ? b.fill(7) : b));

function spanArb(odd: boolean) {
  return fc.record(
    {
      traceId: idBytes(16, odd),
      spanId: idBytes(8, odd),
      parentSpanId: fc.option(idBytes(8, odd), { nil: undefined }),
      name: fc.string({ maxLength: 10 }),
      kind: fc.integer({ min: 0, max: odd ? 9 : 5 }),
      startTimeUnixNano: odd ? fc.oneof(fc.integer({ min: 0, max: 120_000 }).map((d) => nanos(START_MS + d)), fc.constant('0')) : fc.integer({ min: 0, max: 120_000 }).map((d) => nanos(START_MS + d)),
      endTimeUnixNano: fc.option(fc.integer({ min: 0, max: 200_000 }).map((d) => nanos(START_MS + d)), { nil: undefined }),
      attributes: attributes(odd, spanKey),
      status: fc.option(fc.record({ code: fc.integer({ min: 0, max: 2 }), message: fc.string({ maxLength: 6 }) }), { nil: undefined }),
      events: fc.array(fc.record({ timeUnixNano: fc.option(fc.integer({ min: 0, max: 100_000 }).map((d) => nanos(START_MS + d)), { nil: undefined }), name: fc.string({ maxLength: 6 }), attributes: attributes(odd, spanKey) }), { maxLength: 2 }),
      links: fc.array(fc.record({ traceId: idBytes(16, odd), spanId: idBytes(8, odd), traceState: fc.constantFrom('', 'k=v'), attributes: attributes(odd, spanKey) }), { maxLength: 2 }),
      traceState: fc.constantFrom('', 'vendor=1'),
      droppedAttributesCount: fc.nat(3),
      flags: fc.nat(0x1ff),
    },
    { requiredKeys: ['traceId', 'spanId', 'name', 'startTimeUnixNano', 'attributes'] },
  );
}

function requestArb(odd: boolean) {
  return fc.record({
    resourceSpans: fc.array(
      fc.record({
        resource: fc.option(fc.record({ attributes: fc.tuple(fc.option(fc.constantFrom('checkout', 'api', ' ', 'a/b'), { nil: undefined }), attributes(odd)).map(([service, rest]) => (service === undefined ? rest : [{ key: 'service.name', value: { stringValue: service } }, ...rest])) }), { nil: undefined }),
        scopeSpans: fc.array(fc.record({ scope: fc.option(fc.record({ name: fc.string({ maxLength: 5 }), version: fc.constantFrom('', '1.0'), attributes: attributes(odd) }), { nil: undefined }), spans: fc.array(spanArb(odd), { maxLength: 4 }) }), { maxLength: 2 }),
        schemaUrl: fc.constantFrom('', 'https://opentelemetry.io/schemas/1.21.0'),
      }),
      { maxLength: 2 },
    ),
  });
}

describe('the OTLP trace wire reader', () => {
  it('takes every well-formed request of regular values, and maps it exactly as the reference path', () => {
    fc.assert(
      fc.property(requestArb(false), (message) => {
        const body = encodeRequest('traces', message);
        expect(expectSame(body)).toBe(true);
      }),
      { numRuns: 400 },
    );
  });

  it('declines what the reference path refuses or maps differently, and matches it on the rest', () => {
    let taken = 0;
    fc.assert(
      fc.property(requestArb(true), (message) => {
        if (expectSame(encodeRequest('traces', message))) taken++;
      }),
      { numRuns: 400 },
    );
    expect(taken).toBeGreaterThan(20);
  });

  it('never takes a malformed body: truncated, corrupted, or random bytes', () => {
    fc.assert(
      fc.property(requestArb(false), fc.nat(), fc.nat(255), fc.boolean(), (message, at, byte, cutIt) => {
        const body = encodeRequest('traces', message);
        if (body.length === 0) return;
        const broken = cutIt ? body.subarray(0, at % body.length) : Uint8Array.from(body, (b, i) => (i === at % body.length ? byte : b));
        expectSame(broken);
      }),
      { numRuns: 400 },
    );
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => void expectSame(bytes)), { numRuns: 300 });
  });

  it('declines events at the size limits, where the reference path checks in order', () => {
    const message = { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: new Uint8Array(16).fill(1), spanId: new Uint8Array(8).fill(2), name: 'n'.repeat(300), startTimeUnixNano: nanos(START_MS), attributes: [{ key: 'k', value: { stringValue: 'v'.repeat(500) } }] }] }] }] };
    const body = encodeRequest('traces', message);
    expect(expectSame(body)).toBe(true);
    // Strings past the limit are cut exactly as normalizeEvent cuts them...
    expect(expectSame(body, { ...defaultIngestLimits, maxStringBytes: 100 })).toBe(true);
    // ...and an event that may be too large or have too many fields is left to the reference path.
    expect(fast(body, { ...defaultIngestLimits, maxEventBytes: 700 }).taken).toBe(false);
    expect(fast(body, { ...defaultIngestLimits, maxFieldsPerEvent: 10 }).taken).toBe(false);
  });

  it('takes what the protobuf exporter of the OpenTelemetry SDK sends, and maps it as the reference path', async () => {
    const bodies: Buffer[] = [];
    const server = http.createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        bodies.push(Buffer.concat(chunks));
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1/traces`;
      const provider = new BasicTracerProvider({
        resource: resourceFromAttributes({ 'service.name': 'sdk-svc', 'host.name': 'web-1', 'process.pid': 42 }),
        spanProcessors: [new SimpleSpanProcessor(new OTLPTraceExporter({ url }))],
      });
      const tracer = provider.getTracer('sdk-lib', '2.0.0');
      const other = tracer.startSpan('other');
      other.end();
      const root = tracer.startSpan('GET /cart', {
        kind: SpanKind.SERVER,
        attributes: { 'http.status_code': 200, 'cart.total': 12.5, vip: true, trial: false, retries: 0, coupon: '', items: ['a', 'b'], flags: [true, false], counts: [1, 2], 'naïve ☃': 'ü' },
      });
      const child = tracer.startSpan('charge', { kind: SpanKind.CLIENT, links: [{ context: other.spanContext(), attributes: { why: 'retry' } }] }, trace.setSpan(context.active(), root));
      child.addEvent('declined', { code: 51 });
      child.recordException(new Error('card declined'));
      child.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
      child.end();
      root.end();
      await provider.forceFlush();
      await provider.shutdown();
    } finally {
      server.close();
    }
    expect(bodies.length).toBeGreaterThanOrEqual(3);
    for (const body of bodies) expect(expectSame(body)).toBe(true);
    const all = bodies.flatMap((b) => fast(b) as Extract<Outcome, { taken: true }>).flatMap((o) => o.events.flatMap(([, events]) => events.map(([, , f]) => Object.fromEntries(f))));
    const cart = all.find((f) => f.name === 'GET /cart')!;
    expect([cart.trial, cart.retries, cart.coupon, cart.items, cart.flags, cart['naïve ☃']]).toEqual([false, 0, '', '["a","b"]', '[true,false]', 'ü']);
    expect(all.filter((f) => f['meta.annotation_type'] === 'span_event').map((f) => f.name)).toEqual(['declined', 'exception']);
    expect(all.filter((f) => f['meta.annotation_type'] === 'link')).toHaveLength(1);
  });

  it('reads fields in any order on the wire, and skips unknown ones', () => {
    // A span written field by field in reverse order, with an unknown field 99 (varint) in front.
    const span = encodeRequest('traces', { resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: new Uint8Array(16).fill(3), spanId: new Uint8Array(8).fill(4), name: 'reversed', kind: 3, startTimeUnixNano: nanos(START_MS), endTimeUnixNano: nanos(START_MS + 5), attributes: [{ key: 'a', value: { intValue: 1 } }] }] }] }] });
    const reversedSpan = Buffer.concat([Buffer.from([0x98, 0x06, 0x01]), ...spanFields(span).reverse()]);
    const request = wrap(1, wrap(2, wrap(2, reversedSpan)));
    expect(fast(request).taken).toBe(true);
    expect(expectSame(request)).toBe(true);
  });
});

function varint(n: number): number[] {
  const out: number[] = [];
  for (; n >= 0x80; n >>>= 7) out.push((n & 0x7f) | 0x80);
  out.push(n);
  return out;
}

/** `bytes` as length-delimited field `field`. */
function wrap(field: number, bytes: Buffer): Buffer {
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...varint(bytes.length)]), bytes]);
}

/** The fields of the one span in a request (request -> resourceSpans[0] -> scopeSpans[0] -> spans[0]), tag and all. */
function spanFields(request: Uint8Array): Buffer[] {
  const readVarint = (buf: Uint8Array, at: { p: number }) => {
    let n = 0;
    for (let shift = 0; ; shift += 7) {
      const b = buf[at.p++];
      n += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) return n;
    }
  };
  const inner = (buf: Uint8Array) => {
    const at = { p: 1 };
    const len = readVarint(buf, at);
    return Buffer.from(buf.subarray(at.p, at.p + len));
  };
  const span = inner(inner(inner(request)));
  const parts: Buffer[] = [];
  for (const at = { p: 0 }; at.p < span.length; ) {
    const start = at.p;
    const wire = readVarint(span, at) & 7;
    if (wire === 0) readVarint(span, at);
    else if (wire === 1) at.p += 8;
    else if (wire === 5) at.p += 4;
    else {
      const len = readVarint(span, at);
      at.p += len;
    }
    parts.push(span.subarray(start, at.p));
  }
  return parts;
}
