// OTLP/gRPC refusals and compression, with @grpc/grpc-js as the client: no key is
// UNAUTHENTICATED, a message that is not an export request is INVALID_ARGUMENT, gzip-compressed
// messages are read, and logs/metrics honour x-honeycomb-dataset in metadata.
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { decodeResponse, encodeRequest, type Signal } from '../src/ingest/otlp/index.js';
import { storedEvents } from './support/stored.js';
import { startTestTend, type TestTend } from './support/tend.js';

let t: TestTend;
beforeAll(async () => {
  t = await startTestTend();
});
afterAll(async () => {
  await t?.close();
});

const PATHS: Record<Signal, string> = {
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  metrics: '/opentelemetry.proto.collector.metrics.v1.MetricsService/Export',
};

/** One Export call; on a client of its own unless one is given (calls then share its connection). */
function call(signal: Signal, body: Uint8Array, meta: Record<string, string>, options: grpc.ChannelOptions = {}, shared?: grpc.Client) {
  const client = shared ?? new grpc.Client(t.tend.grpc!.address, grpc.credentials.createInsecure(), options);
  const metadata = new grpc.Metadata();
  for (const [k, v] of Object.entries(meta)) metadata.set(k, v);
  const identity = (b: Buffer) => b;
  return new Promise<{ code: number; details?: string; response?: Buffer }>((resolve) => {
    client.makeUnaryRequest(PATHS[signal], identity, identity, Buffer.from(body), metadata, (err, response) => {
      if (!shared) client.close();
      resolve(err ? { code: err.code, details: err.details } : { code: 0, response });
    });
  });
}

const NOW = `${Date.now()}000000`;
const service = (name: string) => ({ attributes: [{ key: 'service.name', value: { stringValue: name } }] });

describe('OTLP/gRPC', () => {
  it('UNAUTHENTICATED without a key or with an unknown one', async () => {
    const body = encodeRequest('traces', { resourceSpans: [] });
    expect((await call('traces', body, {})).code).toBe(grpc.status.UNAUTHENTICATED);
    expect((await call('traces', body, { authorization: 'Bearer nope' })).code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('INVALID_ARGUMENT with the problem for a message that is not an export request', async () => {
    const r = await call('metrics', Uint8Array.from([0x0a, 0x7f, 0x01]), { 'x-honeycomb-team': t.ingestKey });
    expect(r.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(r.details).toMatch(/not a valid protobuf ExportMetricsServiceRequest/);
  });

  it('reads gzip-compressed messages; logs go to the x-honeycomb-dataset of the metadata', async () => {
    const body = encodeRequest('logs', { resourceLogs: [{ resource: service('grpc-logs'), scopeLogs: [{ logRecords: [{ timeUnixNano: NOW, severityNumber: 9, body: { stringValue: 'compressed hello' } }] }] }] });
    const r = await call('logs', body, { authorization: `Bearer ${t.ingestKey}`, 'x-honeycomb-dataset': 'grpc-dataset' }, { 'grpc.default_compression_algorithm': 2 });
    expect(r.code).toBe(0);
    expect(decodeResponse('logs', r.response!)).toEqual({});
    const rows = await storedEvents(t.tend, 'grpc-dataset');
    expect(rows.map((row) => [row.body, row.severity_number, row['service.name']])).toEqual([['compressed hello', 9, 'grpc-logs']]);
  });

  it('answers partial_success for refused data points', async () => {
    const body = encodeRequest('metrics', {
      resourceMetrics: [{
        resource: service('grpc-metrics'),
        scopeMetrics: [{ metrics: [
          { name: 'ok', gauge: { dataPoints: [{ timeUnixNano: NOW, asInt: 5 }] } },
          { name: 'bad', histogram: { dataPoints: [{ timeUnixNano: NOW, count: 3, bucketCounts: [1, 2], explicitBounds: [1, 2, 3] }] } },
        ] }],
      }],
    });
    const r = await call('metrics', body, { 'x-honeycomb-team': t.ingestKey });
    expect(r.code).toBe(0);
    const answer = decodeResponse('metrics', r.response!) as { partialSuccess: { rejectedDataPoints: number; errorMessage: string } };
    expect(answer.partialSuccess.rejectedDataPoints).toBe(1);
    expect(answer.partialSuccess.errorMessage).toContain('resourceMetrics[0].scopeMetrics[0].metrics[1].histogram.dataPoints[0].bucketCounts: expected 4 counts for 3 bounds, got 2');
    const [row] = await storedEvents(t.tend, 'grpc-metrics');
    expect(row.ok).toBe(5);
  });
});

describe('OTLP/gRPC overload', () => {
  it('answers UNAVAILABLE (which exporters retry) when the queue is full, never INTERNAL', async () => {
    // Each call holds more spans than the queue takes, so one arriving while another commits is refused.
    const small = await startTestTend({ maxQueuedEvents: 1000 });
    try {
      const spans = Array.from({ length: 2000 }, (_, i) => ({ traceId: Buffer.alloc(16, (i % 200) + 1), spanId: Buffer.alloc(8, (i % 250) + 1), name: 's', startTimeUnixNano: NOW }));
      const body = encodeRequest('traces', { resourceSpans: [{ resource: service('busy'), scopeSpans: [{ spans }] }] });
      const client = new grpc.Client(small.tend.grpc!.address, grpc.credentials.createInsecure());
      // Calls 10 ms apart: each arrives while earlier ones commit. (All at once, they would pass
      // the pipeline's bound check together before any of them is counted as queued.)
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => new Promise((r) => setTimeout(r, i * 10)).then(() => call('traces', body, { 'x-honeycomb-team': small.ingestKey }, {}, client))),
      );
      client.close();
      const codes = new Set(answers.map((a) => a.code));
      expect(codes.has(grpc.status.UNAVAILABLE)).toBe(true);
      expect([...codes].every((c) => c === 0 || c === grpc.status.UNAVAILABLE)).toBe(true);
    } finally {
      await small.close();
    }
  });
});

describe('OTLP/gRPC store refusals', () => {
  it('INVALID_ARGUMENT naming the problem when the store refuses spans (past the column limit), never INTERNAL', async () => {
    const narrow = await startTestTend({ maxColumnsPerDataset: 20 });
    try {
      const attributes = Array.from({ length: 30 }, (_, i) => ({ key: `wide.${i}`, value: { intValue: i } }));
      const body = encodeRequest('traces', { resourceSpans: [{ resource: service('wide'), scopeSpans: [{ spans: [{ traceId: Buffer.alloc(16, 7), spanId: Buffer.alloc(8, 7), name: 's', startTimeUnixNano: NOW, attributes }] }] }] });
      const client = new grpc.Client(narrow.tend.grpc!.address, grpc.credentials.createInsecure());
      const answer = await call('traces', body, { 'x-honeycomb-team': narrow.ingestKey }, {}, client);
      client.close();
      expect(answer.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(answer.details).toMatch(/column/);
    } finally {
      await narrow.close();
    }
  });
});

describe('grpcPort setting', () => {
  it('defaults to 4317, follows a free HTTP port, reads env and flag, and turns off', () => {
    expect(loadConfig({}, {}).grpcPort).toBe(4317);
    expect(loadConfig({ port: 0 }, {}).grpcPort).toBe(0);
    expect(loadConfig({}, { TEND_GRPC_PORT: '5317' }).grpcPort).toBe(5317);
    expect(loadConfig({ grpcPort: '6317' }, { TEND_GRPC_PORT: '5317' }).grpcPort).toBe(6317);
    expect(loadConfig({ grpcPort: 'off' }, {}).grpcPort).toBeNull();
    expect(() => loadConfig({ grpcPort: '70000' }, {})).toThrow('--grpc-port must be at most 65535');
  });
});
