// OTLP/HTTP answers as the specification asks: the response in the request's encoding,
// partial_success when some items were refused, a google.rpc.Status on 400 (protobuf or
// JSON), 400 for other content types, 401 without a key, 429 + Retry-After when full.
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeResponse, decodeStatus, encodeRequest } from '../src/ingest/otlp/index.js';
import { storedEvents } from './support/stored.js';
import { startTestTend, type TestTend } from './support/tend.js';

let t: TestTend;
beforeAll(async () => {
  t = await startTestTend();
});
afterAll(async () => {
  await t?.close();
});

const NOW_NS = `${Date.now()}000000`;
const hex = (byte: number, n: number) => byte.toString(16).padStart(2, '0').repeat(n);
const attr = (key: string, value: Record<string, unknown>) => ({ key, value });

function jsonSpan(traceByte: number, spanByte: number, extra: Record<string, unknown> = {}) {
  return { traceId: hex(traceByte, 16), spanId: hex(spanByte, 8), name: `span-${spanByte}`, kind: 2, startTimeUnixNano: NOW_NS, endTimeUnixNano: String(BigInt(NOW_NS) + 2_500_000n), ...extra };
}

function tracesBody(service: string | undefined, spans: unknown[]) {
  const attributes = service ? [attr('service.name', { stringValue: service })] : [];
  return { resourceSpans: [{ resource: { attributes }, scopeSpans: [{ scope: { name: 'lib' }, spans }] }] };
}

async function post(path: string, body: Uint8Array | string, headers: Record<string, string>) {
  const res = await fetch(`${t.url}${path}`, { method: 'POST', headers: { 'x-honeycomb-team': t.ingestKey, ...headers }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

describe('OTLP/HTTP JSON', () => {
  it('stores spans with hex ids, string nanoseconds and enum numbers; answers {}', async () => {
    const res = await post('/v1/traces', JSON.stringify(tracesBody('json-svc', [jsonSpan(1, 1, { attributes: [attr('big', { intValue: '9007199254740993' }), attr('n', { intValue: '42' })] })])), { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(JSON.parse(res.body.toString())).toEqual({});
    const [row] = await storedEvents(t.tend, 'json-svc');
    expect(row['trace.trace_id']).toBe(hex(1, 16));
    expect(row['trace.span_id']).toBe(hex(1, 8));
    expect(row['trace.parent_id']).toBeUndefined();
    expect(row['span.kind']).toBe('server');
    expect(row.duration_ms).toBe(2.5);
    expect(row.n).toBe(42);
    expect(row.big).toBe('9007199254740993'); // past 2^53: kept exactly, as text
    expect(row.error).toBe(false);
    expect(row.__time_us).toBe(Math.floor(Number(BigInt(NOW_NS) / 1000n)));
  });

  it('gzip bodies, enum names, a missing service.name -> unknown_service', async () => {
    const body = zlib.gzipSync(JSON.stringify(tracesBody(undefined, [jsonSpan(2, 2, { kind: 'SPAN_KIND_CLIENT', status: { code: 'STATUS_CODE_ERROR', message: 'boom' } })])));
    const res = await post('/v1/traces', body, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
    expect(res.status).toBe(200);
    const [row] = await storedEvents(t.tend, 'unknown_service');
    expect(row['service.name']).toBe('unknown_service');
    expect(row['span.kind']).toBe('client');
    expect(row.status_code).toBe(2);
    expect(row.status_message).toBe('boom');
    expect(row.error).toBe(true);
  });

  it('partial_success: bad spans refused with their reason, good ones stored', async () => {
    const spans = [jsonSpan(3, 1), jsonSpan(3, 2, { traceId: 'abc' }), jsonSpan(3, 3, { spanId: hex(1, 9) })];
    const res = await post('/v1/traces', JSON.stringify(tracesBody('partial-svc', spans)), { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    const answer = JSON.parse(res.body.toString());
    expect(answer.partialSuccess.rejectedSpans).toBe('2');
    expect(answer.partialSuccess.errorMessage).toContain('resourceSpans[0].scopeSpans[0].spans[1].traceId: expected 32 hex characters');
    expect(answer.partialSuccess.errorMessage).toContain('spans[2].spanId: expected 16 hex characters');
    expect((await storedEvents(t.tend, 'partial-svc')).map((r) => r['trace.span_id'])).toEqual([hex(1, 8)]);
  });

  it('x-honeycomb-dataset names the dataset for logs and metrics, not traces', async () => {
    const logs = { resourceLogs: [{ resource: { attributes: [attr('service.name', { stringValue: 'log-svc' })] }, scopeLogs: [{ logRecords: [{ timeUnixNano: NOW_NS, severityNumber: 17, severityText: 'ERROR', body: { kvlistValue: { values: [attr('msg', { stringValue: 'hi' }), attr('code', { intValue: 7 })] } } }] }] }] };
    expect((await post('/v1/logs', JSON.stringify(logs), { 'content-type': 'application/json', 'x-honeycomb-dataset': 'app-logs' })).status).toBe(200);
    const [row] = await storedEvents(t.tend, 'app-logs');
    expect([row['body.msg'], row['body.code'], row.severity_number, row.severity_text, row['service.name']]).toEqual(['hi', 7, 17, 'ERROR', 'log-svc']);
    expect((await post('/v1/traces', JSON.stringify(tracesBody('trace-svc', [jsonSpan(4, 1)])), { 'content-type': 'application/json', 'x-honeycomb-dataset': 'elsewhere' })).status).toBe(200);
    expect(await storedEvents(t.tend, 'trace-svc')).toHaveLength(1);
    expect(await storedEvents(t.tend, 'elsewhere')).toHaveLength(0);
  });

  it('summary and exponential histogram points; NO_RECORDED_VALUE points are skipped', async () => {
    const metrics = {
      resourceMetrics: [{
        resource: { attributes: [attr('service.name', { stringValue: 'm-svc' })] },
        scopeMetrics: [{
          metrics: [
            { name: 'rpc', summary: { dataPoints: [{ timeUnixNano: NOW_NS, count: '10', sum: 55, quantileValues: [{ quantile: 0.5, value: 4 }, { quantile: 0.99, value: 9.5 }] }] } },
            { name: 'size', exponentialHistogram: { aggregationTemporality: 1, dataPoints: [{ timeUnixNano: NOW_NS, count: '4', sum: 11, scale: 0, zeroCount: '1', positive: { offset: 1, bucketCounts: ['2', '1'] } }] } },
            { name: 'gap', gauge: { dataPoints: [{ timeUnixNano: NOW_NS, asDouble: 1, flags: 1 }] } },
          ],
        }],
      }],
    };
    const res = await post('/v1/metrics', JSON.stringify(metrics), { 'content-type': 'application/json' });
    expect(res.status).toBe(200);
    const [row] = await storedEvents(t.tend, 'm-svc');
    expect([row['rpc.count'], row['rpc.sum'], row['rpc.p50'], row['rpc.p99']]).toEqual([10, 55, 4, 9.5]);
    expect([row['size.count'], row['size.sum'], row['size.temporality']]).toEqual([4, 11, 'delta']);
    // scale 0: base 2; zero bucket up to 0, then (2,4] holds 2 and (4,8] holds 1.
    expect(JSON.parse(row['size.buckets'] as string)).toEqual({ bounds: [0, 4, 8], counts: [1, 2, 1, 0] });
    expect(row.gap).toBeUndefined();
  });
});

describe('OTLP/HTTP protobuf', () => {
  it('answers an empty ExportTraceServiceResponse in protobuf', async () => {
    const body = encodeRequest('traces', tracesBody('proto-svc', [{ ...jsonSpan(5, 1), traceId: Buffer.alloc(16, 5), spanId: Buffer.alloc(8, 1), parentSpanId: Buffer.alloc(8, 9) }]));
    const res = await post('/v1/traces', body, { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/x-protobuf');
    expect(decodeResponse('traces', res.body)).toEqual({});
    const [row] = await storedEvents(t.tend, 'proto-svc');
    expect(row['trace.parent_id']).toBe(hex(9, 8));
  });

  it('keeps a gauge of 0 and log attributes of false, 0 and "" (one-of members sent as present)', async () => {
    const metrics = encodeRequest('metrics', {
      resourceMetrics: [{ resource: { attributes: [attr('service.name', { stringValue: 'zero-svc' })] }, scopeMetrics: [{ metrics: [
        { name: 'queue.depth', gauge: { dataPoints: [{ timeUnixNano: NOW_NS, asInt: 0 }] } },
        { name: 'load', gauge: { dataPoints: [{ timeUnixNano: NOW_NS, asDouble: 0 }] } },
      ] }] }],
    });
    expect((await post('/v1/metrics', metrics, { 'content-type': 'application/x-protobuf', 'x-honeycomb-dataset': 'zero-metrics' })).status).toBe(200);
    // Points of one time and attributes share an event.
    const points = Object.assign({}, ...(await storedEvents(t.tend, 'zero-metrics'))) as Record<string, unknown>;
    expect([points['queue.depth'], points.load]).toEqual([0, 0]);

    const logs = encodeRequest('logs', {
      resourceLogs: [{ scopeLogs: [{ logRecords: [{ timeUnixNano: NOW_NS, body: { stringValue: '' }, attributes: [attr('ok', { boolValue: false }), attr('n', { intValue: 0 }), attr('s', { stringValue: '' })] }] }] }],
    });
    expect((await post('/v1/logs', logs, { 'content-type': 'application/x-protobuf', 'x-honeycomb-dataset': 'zero-logs' })).status).toBe(200);
    const [log] = await storedEvents(t.tend, 'zero-logs');
    expect([log.ok, log.n, log.s]).toEqual([false, 0, '']);
  });

  it('partial_success in protobuf', async () => {
    const body = encodeRequest('traces', tracesBody('proto-svc', [{ ...jsonSpan(5, 2), traceId: Buffer.alloc(16, 5), spanId: Buffer.alloc(8, 2) }, { ...jsonSpan(5, 3), traceId: Buffer.alloc(3, 5), spanId: Buffer.alloc(8, 3) }]));
    const res = await post('/v1/traces', body, { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(200);
    const answer = decodeResponse('traces', res.body) as { partialSuccess: { rejectedSpans: number; errorMessage: string } };
    expect(answer.partialSuccess.rejectedSpans).toBe(1);
    expect(answer.partialSuccess.errorMessage).toContain('traceId: expected 16 bytes, got 3');
  });

  it('400 with a protobuf google.rpc.Status for a body that is not a message', async () => {
    const res = await post('/v1/logs', Buffer.from([0x0a, 0xff, 0xff, 0xff, 0x0f, 0x01]), { 'content-type': 'application/x-protobuf' });
    expect(res.status).toBe(400);
    const status = decodeStatus(res.body);
    expect(status.code).toBe(3);
    expect(status.message).toMatch(/not a valid protobuf ExportLogsServiceRequest/);
  });

  it('400 when every span is refused', async () => {
    const res = await post('/v1/traces', JSON.stringify(tracesBody('x', [jsonSpan(6, 1, { startTimeUnixNano: 'soon' })])), { 'content-type': 'application/json' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString())).toEqual({ code: 3, message: expect.stringContaining('startTimeUnixNano: expected nanoseconds') });
  });
});

describe('OTLP/HTTP refusals', () => {
  it('400 for other content types, as a Status', async () => {
    const res = await post('/v1/traces', 'a=b', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body.toString()).message).toMatch(/Content-Type "application\/x-www-form-urlencoded" is not supported/);
  });

  it('401 without a key, 413 (RESOURCE_EXHAUSTED) for a body larger than the limit', async () => {
    const res = await fetch(`${t.url}/v1/traces`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: new Uint8Array(1) });
    expect(res.status).toBe(401);
    expect(decodeStatus(Buffer.from(await res.arrayBuffer())).code).toBe(16);
    const big = await post('/v1/traces', Buffer.alloc(6 * 1024 * 1024), { 'content-type': 'application/x-protobuf' });
    expect(big.status).toBe(413);
    expect(decodeStatus(big.body)).toMatchObject({ code: 8, message: 'request body is larger than 5 MB' });
  });
});

describe('overload', () => {
  it('429 with Retry-After when the queue is full', async () => {
    // Each request holds more spans than the queue takes, so one arriving while another commits is refused.
    const small = await startTestTend({ maxQueuedEvents: 1000 });
    try {
      const spans = Array.from({ length: 2000 }, (_, i) => jsonSpan(7, (i % 250) + 1, { traceId: hex(7, 14) + i.toString(16).padStart(4, '0') }));
      const body = JSON.stringify(tracesBody('busy', spans));
      const send = () => fetch(`${small.url}/v1/traces`, { method: 'POST', headers: { 'x-honeycomb-team': small.ingestKey, 'content-type': 'application/json' }, body });
      const answers = await Promise.all(Array.from({ length: 30 }, send));
      const refused = answers.filter((r) => r.status === 429);
      expect(refused.length).toBeGreaterThan(0);
      expect(answers.every((r) => r.status === 200 || r.status === 429)).toBe(true);
      expect(Number(refused[0].headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await refused[0].json()).code).toBe(14);
    } finally {
      await small.close();
    }
  });
});
