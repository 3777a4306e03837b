// The real OpenTelemetry JS SDK (traces over OTLP/HTTP JSON, OTLP/HTTP protobuf and OTLP/gRPC;
// logs and metrics over OTLP/HTTP) against a running `tend serve`; everything is read back
// through the trace, query and event search APIs, field by field.
import net from 'node:net';
import { Metadata } from '@grpc/grpc-js';
import { context, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { SeverityNumber } from '@opentelemetry/api-logs';
import { OTLPLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as ProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { LoggerProvider, SimpleLogRecordProcessor } from '@opentelemetry/sdk-logs';
import { AggregationType, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, SimpleSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpanNode, TraceTree } from '../src/traces/index.js';
import { spawnTend, tempDataDir, type ChildTend } from './support/tend.js';

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

let dataDir: string;
let tend: ChildTend;
let grpcPort: number;

beforeAll(async () => {
  dataDir = tempDataDir('otlp-sdk');
  grpcPort = await freePort();
  tend = await spawnTend(dataDir, 0, { TEND_GRPC_PORT: String(grpcPort) });
});
afterAll(async () => {
  await tend?.stop();
});

/** Makes the same small trace through `exporter`: a server span, a failing client child with an event and a link, a grandchild. */
async function sendTrace(service: string, exporter: SpanExporter): Promise<{ traceId: string; ids: Record<string, string> }> {
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service, 'deployment.environment': 'test' }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const tracer = provider.getTracer('shop-lib', '1.2.3');
  const ids: Record<string, string> = {};
  const other = tracer.startSpan('other-work');
  other.end();
  // Parents are passed explicitly: no global context manager is registered in tests.
  const root = tracer.startSpan('GET /checkout', {
    kind: SpanKind.SERVER,
    attributes: { 'http.route': '/checkout', 'http.status_code': 500, 'cart.total': 12.5, 'user.vip': true, 'cart.items': ['a', 'b'], 'retry.count': 0, 'user.trial': false, 'cart.coupon': '', 'cart.discount': 0.0 },
  });
  const traceId = root.spanContext().traceId;
  ids.root = root.spanContext().spanId;
  const child = tracer.startSpan('charge card', { kind: SpanKind.CLIENT, links: [{ context: other.spanContext(), attributes: { 'link.why': 'retry' } }] }, trace.setSpan(context.active(), root));
  ids.child = child.spanContext().spanId;
  child.addEvent('card declined', { 'decline.code': 51 });
  const grandchild = tracer.startSpan('lookup fraud score', {}, trace.setSpan(context.active(), child));
  ids.grandchild = grandchild.spanContext().spanId;
  grandchild.end();
  child.setStatus({ code: SpanStatusCode.ERROR, message: 'card declined' });
  child.end();
  root.end();
  await provider.forceFlush();
  await provider.shutdown();
  return { traceId, ids };
}

/** The dataset's events of the last hour up to a minute ahead (the window ends on a whole second), oldest first, through the event search API. */
async function searchEvents(dataset: string): Promise<Record<string, unknown>[]> {
  const res = await fetch(`${tend.url}/api/v1/events/${dataset}/search`, {
    method: 'POST',
    headers: { authorization: `Bearer ${tend.adminKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ start_time: Math.floor(Date.now() / 1000) - 3600, end_time: Math.floor(Date.now() / 1000) + 60, order: 'ascending' }),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { events: { data: Record<string, unknown> }[] }).events.map((e) => e.data);
}

async function getTrace(traceId: string): Promise<TraceTree> {
  const res = await fetch(`${tend.url}/api/v1/traces/${traceId}`, { headers: { authorization: `Bearer ${tend.adminKey}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as TraceTree;
}

function checkTree(tree: TraceTree, service: string, ids: Record<string, string>): void {
  expect(tree.span_count).toBe(3);
  expect(tree.orphans).toEqual([]);
  const root = tree.root as SpanNode;
  expect(root.span_id).toBe(ids.root);
  expect(root.parent_id).toBeNull();
  expect(root.name).toBe('GET /checkout');
  expect(root.service).toBe(service);
  expect(root.kind).toBe('server');
  expect(root.error).toBe(false);
  expect(root.fields['http.route']).toBe('/checkout');
  expect(root.fields['http.status_code']).toBe(500);
  expect(root.fields['cart.total']).toBe(12.5);
  expect(root.fields['user.vip']).toBe(true);
  expect(root.fields['cart.items']).toBe('["a","b"]');
  // Zero values a protobuf one-of member carries as present (they were once decoded as absent).
  expect(root.fields['retry.count']).toBe(0);
  expect(root.fields['user.trial']).toBe(false);
  expect(root.fields['cart.coupon']).toBe('');
  expect(root.fields['cart.discount']).toBe(0);
  expect(root.fields['deployment.environment']).toBe('test');
  expect(root.fields['library.name']).toBe('shop-lib');
  expect(root.fields['library.version']).toBe('1.2.3');
  expect(root.fields['trace.trace_id']).toBe(tree.trace_id);
  expect(root.children.map((c) => c.span_id)).toEqual([ids.child]);
  const child = root.children[0];
  expect(child.name).toBe('charge card');
  expect(child.kind).toBe('client');
  expect(child.parent_id).toBe(ids.root);
  expect(child.status_code).toBe(2);
  expect(child.error).toBe(true);
  expect(child.fields.status_message).toBe('card declined');
  expect(child.events.map((e) => [e.name, e.fields['decline.code'], e.fields['meta.annotation_type'], e.fields['trace.parent_id']])).toEqual([
    ['card declined', 51, 'span_event', ids.child],
  ]);
  expect(child.links).toHaveLength(1);
  expect(child.links[0].fields['meta.annotation_type']).toBe('link');
  expect(child.links[0].fields['link.why']).toBe('retry');
  expect(child.links[0].fields['trace.link.span_id']).toMatch(/^[0-9a-f]{16}$/);
  expect(child.children.map((c) => [c.span_id, c.name])).toEqual([[ids.grandchild, 'lookup fraud score']]);
  // The trace lasts from the first start to the last end (the SDK's start times are rounded to
  // the millisecond while durations are exact, so a child may end a little after its parent).
  const spans = [root, child, child.children[0]];
  const us = (iso: string) => Date.parse(iso) * 1000 + Number(iso.slice(23, 26));
  const first = Math.min(...spans.map((s) => us(s.start_time)));
  const last = Math.max(...spans.map((s) => us(s.start_time) + s.duration_ms * 1000));
  expect(tree.start_time).toBe(root.start_time);
  expect(tree.duration_ms).toBeCloseTo((last - first) / 1000, 3);
  expect(tree.services).toHaveLength(1);
  expect(tree.services[0].service).toBe(service);
  expect(tree.services[0].span_count).toBe(3);
  expect(tree.services[0].total_ms).toBeCloseTo(root.duration_ms + child.duration_ms + child.children[0].duration_ms, 3);
}

describe('OpenTelemetry SDK exporters against tend serve', () => {
  const headers = () => ({ 'x-honeycomb-team': tend.ingestKey });

  it('exporter-trace-otlp-http (JSON)', async () => {
    const { traceId, ids } = await sendTrace('svc-http-json', new HttpTraceExporter({ url: `${tend.url}/v1/traces`, headers: headers() }));
    checkTree(await getTrace(traceId), 'svc-http-json', ids);
  });

  it('exporter-trace-otlp-proto (protobuf, gzip)', async () => {
    const { traceId, ids } = await sendTrace(
      'svc-http-proto',
      new ProtoTraceExporter({ url: `${tend.url}/v1/traces`, headers: { authorization: `Bearer ${tend.ingestKey}` }, compression: 'gzip' as never }),
    );
    checkTree(await getTrace(traceId), 'svc-http-proto', ids);
  });

  it('exporter-trace-otlp-grpc', async () => {
    const metadata = new Metadata();
    metadata.set('x-honeycomb-team', tend.ingestKey);
    const { traceId, ids } = await sendTrace('svc-grpc', new GrpcTraceExporter({ url: `http://127.0.0.1:${grpcPort}`, metadata }));
    checkTree(await getTrace(traceId), 'svc-grpc', ids);
  });

  it('logs and metrics exporters, read back through the event search API', async () => {
    const resource = resourceFromAttributes({ 'service.name': 'svc-signals' });
    const logs = new LoggerProvider({ resource, processors: [new SimpleLogRecordProcessor({ exporter: new OTLPLogExporter({ url: `${tend.url}/v1/logs`, headers: headers() }) })] });
    const tracer = new BasicTracerProvider({ resource }).getTracer('t');
    const span = tracer.startSpan('with-log');
    logs.getLogger('app-logger', '0.1').emit({
      severityNumber: SeverityNumber.WARN,
      severityText: 'WARN',
      body: 'disk almost full',
      attributes: { 'disk.free_mb': 42 },
      context: trace.setSpan(context.active(), span),
    });
    await logs.forceFlush();
    await logs.shutdown();

    const exporter = new OTLPMetricExporter({ url: `${tend.url}/v1/metrics`, headers: { ...headers(), 'x-honeycomb-dataset': 'svc-metrics' } });
    const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
    const meters = new MeterProvider({
      resource,
      readers: [reader],
      views: [{ instrumentName: 'payload.size', aggregation: { type: AggregationType.EXPONENTIAL_HISTOGRAM } }],
    });
    const meter = meters.getMeter('app-meter');
    meter.createCounter('orders').add(3, { region: 'eu' });
    meter.createUpDownCounter('queue.depth').add(-2, { region: 'eu' });
    meter.createGauge('cpu.temp').record(71.5, { region: 'eu' });
    const latency = meter.createHistogram('latency', { advice: { explicitBucketBoundaries: [10, 100] } });
    for (const v of [5, 50, 70, 500]) latency.record(v, { region: 'eu' });
    const size = meter.createHistogram('payload.size');
    for (const v of [1, 2, 4]) size.record(v, { region: 'eu' });
    await meters.shutdown(); // exports once

    const log = (await searchEvents('svc-signals'))[0];
    expect(log.body).toBe('disk almost full');
    expect(log.severity_text).toBe('WARN');
    expect(log.severity_number).toBe(13);
    expect(log['disk.free_mb']).toBe(42);
    expect(log['trace.trace_id']).toBe(span.spanContext().traceId);
    expect(log['trace.span_id']).toBe(span.spanContext().spanId);
    expect(log['library.name']).toBe('app-logger');
    expect(log['meta.signal_type']).toBe('log');

    const metricRows = await searchEvents('svc-metrics');
    // Every instrument had the same attributes and the same collection time: one event.
    expect(metricRows).toHaveLength(1);
    const m = metricRows[0];
    expect(m.region).toBe('eu');
    expect(m['service.name']).toBe('svc-signals');
    expect(m.orders).toBe(3);
    expect(m['orders.temporality']).toBe('cumulative');
    expect(m['orders.monotonic']).toBe(true);
    expect(m['queue.depth']).toBe(-2);
    expect(m['queue.depth.monotonic']).toBe(false);
    expect(m['cpu.temp']).toBe(71.5);
    expect(m['latency.count']).toBe(4);
    expect(m['latency.sum']).toBe(625);
    expect(m['latency.min']).toBe(5);
    expect(m['latency.max']).toBe(500);
    expect(JSON.parse(m['latency.buckets'] as string)).toEqual({ bounds: [10, 100], counts: [1, 2, 1] });
    expect(m['payload.size.count']).toBe(3);
    expect(m['payload.size.sum']).toBe(7);
    const exp = JSON.parse(m['payload.size.buckets'] as string) as { bounds: number[]; counts: number[] };
    expect(exp.counts.reduce((a, b) => a + b, 0)).toBe(3);
    // Each value lies at or under the bound of the bucket that counts it.
    for (const v of [1, 2, 4]) {
      const at = exp.bounds.findIndex((b) => v <= b);
      expect(exp.counts[at]).toBeGreaterThan(0);
    }
  });

  it('the query API counts the spans, errors and span events the exporters sent', async () => {
    const res = await fetch(`${tend.url}/api/v1/query/svc-grpc`, {
      method: 'POST',
      headers: { authorization: `Bearer ${tend.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ start_time: Math.floor(Date.now() / 1000) - 3600, end_time: Math.floor(Date.now() / 1000) + 60, breakdowns: ['meta.annotation_type', 'error'], calculations: [{ op: 'COUNT' }], orders: [{ op: 'COUNT', order: 'descending' }] }),
    });
    expect(res.status).toBe(200);
    const { data } = (await res.json()) as { data: { results: { data: Record<string, unknown> }[] } };
    const counts = data.results.map((r) => [r.data['meta.annotation_type'], r.data.error, r.data.COUNT]);
    // Spans: other-work, GET /checkout, lookup fraud score (no error) and charge card (error); one span event and one link.
    expect(counts).toEqual(
      expect.arrayContaining([
        [null, false, 3],
        [null, true, 1],
        ['span_event', null, 1],
        ['link', null, 1],
      ]),
    );
    expect(counts).toHaveLength(4);
  });
});
