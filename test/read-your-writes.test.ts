// Issue 9 item 1: once Tend acknowledges an event, every read started afterwards sees it,
// whatever the window form. Each protocol sends with its real client, and the moment the
// client has the acknowledgement the test queries (count over `time_range` ending now, over
// the default window, over start_time/end_time), searches raw events, runs BubbleUp, lists
// columns and, for traces, looks the trace up, many times over. With a window ending at the current whole
// second (the old rule), an event acknowledged in that second was missing from all of them.
import { context, SpanKind, trace } from '@opentelemetry/api';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import * as grpc from '@grpc/grpc-js';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { AggregationTemporality, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import Libhoney from 'libhoney';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTend, type TestTend } from './support/tend.js';

const ROUNDS = 20;
let t: TestTend;

beforeAll(async () => {
  t = await startTestTend();
});
afterAll(async () => t?.close());

async function api(method: string, route: string, body?: unknown) {
  const res = await fetch(`${t.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${t.adminKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** The window forms a read can take, each built at the moment the read starts. */
const windows = (): Record<string, object> => ({
  time_range: { time_range: 900 },
  default: {},
  start_end: { start_time: Math.floor(Date.now() / 1000) - 900, end_time: Math.floor(Date.now() / 1000) + 1 },
});

/** Everything a reader could ask right after the acknowledgement, all started at once. */
async function readsSee(dataset: string, column: string, value: string | number | boolean, expected: number): Promise<void> {
  const filters = [{ column, op: '=', value }];
  const forms = windows();
  const [counts, search, columns, bubble] = await Promise.all([
    Promise.all(Object.values(forms).map((w) => api('POST', `/api/v1/query/${encodeURIComponent(dataset)}`, { ...w, calculations: [{ op: 'COUNT' }], filters }))),
    api('POST', `/api/v1/events/${encodeURIComponent(dataset)}/search`, { time_range: 900, filters }),
    api('GET', `/1/columns/${encodeURIComponent(dataset)}`),
    api('POST', `/api/v1/bubbleup/${encodeURIComponent(dataset)}`, { baseline: { time_range: 900 }, selection: { filters }, columns: [column] }),
  ]);
  const seen = Object.fromEntries(Object.keys(forms).map((k, i) => [k, counts[i].body?.data?.results?.[0]?.data?.COUNT]));
  expect(seen).toEqual(Object.fromEntries(Object.keys(forms).map((k) => [k, expected])));
  expect(search.body.events).toHaveLength(Math.min(expected, 100));
  expect(columns.body.map((c: { key_name: string }) => c.key_name)).toContain(column);
  expect(bubble.body.selection.count).toBe(expected);
}

describe('read your writes', () => {
  it(`Honeycomb /1/events (fetch): ${ROUNDS} events, each seen by every read started after its 2xx`, async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const res = await fetch(`${t.url}/1/events/ryw-events`, { method: 'POST', headers: { 'x-honeycomb-team': t.ingestKey }, body: JSON.stringify({ [`seq_${i}`]: i }) });
      expect(res.ok).toBe(true);
      await readsSee('ryw-events', `seq_${i}`, i, 1);
    }
  });

  it(`Honeycomb /1/batch (libhoney): ${ROUNDS} batches, each seen once the client has its responses`, async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const statuses: number[] = [];
      const hny = new Libhoney({ apiHost: t.url, writeKey: t.ingestKey, dataset: 'ryw-batch', responseCallback: (rs) => rs.forEach((r) => statuses.push(r.status_code ?? 0)) });
      for (let k = 0; k < 3; k++) hny.newEvent().add({ round: `r${i}`, k }).send();
      await hny.flush();
      expect(statuses).toEqual([202, 202, 202]);
      await readsSee('ryw-batch', 'round', `r${i}`, 3);
    }
  });

  /** One span through `exporter`, flushed: forceFlush resolves once the export was answered. */
  async function sendSpan(exporter: SpanExporter, service: string, i: number): Promise<string> {
    const provider = new BasicTracerProvider({ resource: resourceFromAttributes({ 'service.name': service }), spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const root = provider.getTracer('ryw').startSpan('work', { kind: SpanKind.SERVER, attributes: { round: i + 1 } }, context.active());
    root.end();
    await provider.forceFlush();
    await provider.shutdown();
    return trace.getSpanContext(trace.setSpan(context.active(), root))!.traceId;
  }

  async function traceFound(traceId: string): Promise<void> {
    const r = await api('GET', `/api/v1/traces/${traceId}`);
    expect(r.status).toBe(200);
    expect(r.body.span_count).toBe(1);
  }

  it(`OTLP/HTTP traces (OpenTelemetry SDK, protobuf): ${ROUNDS} spans, each in queries and trace look-ups at once`, async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const traceId = await sendSpan(new ProtoTraceExporter({ url: `${t.url}/v1/traces`, headers: { authorization: `Bearer ${t.ingestKey}` } }), 'ryw-http', i);
      await Promise.all([readsSee('ryw-http', 'round', i + 1, 1), traceFound(traceId)]);
    }
  });

  it(`OTLP/gRPC traces (OpenTelemetry SDK): ${ROUNDS} spans, each in queries and trace look-ups at once`, async () => {
    const metadata = new grpc.Metadata();
    metadata.set('authorization', `Bearer ${t.ingestKey}`);
    for (let i = 0; i < ROUNDS; i++) {
      const traceId = await sendSpan(new GrpcTraceExporter({ url: `http://${t.tend.grpc!.address}`, metadata }), 'ryw-grpc', i);
      await Promise.all([readsSee('ryw-grpc', 'round', i + 1, 1), traceFound(traceId)]);
    }
  });

  it(`OTLP/HTTP metrics (OpenTelemetry SDK): ${ROUNDS} exports, each point seen at once`, async () => {
    for (let i = 0; i < ROUNDS; i++) {
      const exporter = new OTLPMetricExporter({ url: `${t.url}/v1/metrics`, headers: { authorization: `Bearer ${t.ingestKey}`, 'x-honeycomb-dataset': 'ryw-metrics' }, temporalityPreference: AggregationTemporality.DELTA });
      const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
      const meters = new MeterProvider({ resource: resourceFromAttributes({ 'service.name': 'ryw-metrics' }), readers: [reader] });
      meters.getMeter('ryw').createCounter(`ryw_round_${i}`).add(1);
      await meters.forceFlush();
      await meters.shutdown();
      await readsSee('ryw-metrics', `ryw_round_${i}`, 1, 1);
    }
  });

  it(`heartbeat pings and check runs asked for through the API: ${ROUNDS} each, every one counted at once`, async () => {
    const beat = await api('POST', '/api/v1/checks', { name: 'ryw-beat', kind: 'heartbeat', period: '1h' });
    expect(beat.status).toBe(201);
    const run = await api('POST', '/api/v1/checks', { name: 'ryw-run', kind: 'tcp', host: '127.0.0.1', port: 1, interval: '1h' });
    expect(run.status).toBe(201);
    for (let i = 0; i < ROUNDS; i++) {
      expect((await fetch(`${t.url}${beat.body.heartbeat.ping_path}`)).status).toBe(200);
      await readsSee('tend.checks', 'check.name', 'ryw-beat', i + 1);
      expect((await api('POST', '/api/v1/checks/ryw-run/run')).status).toBe(200);
      await readsSee('tend.checks', 'check.name', 'ryw-run', i + 1);
    }
  });
});
