// GET /api/v1/traces/:traceId over spans sent by OTLP (found through the trace index) and by
// the Honeycomb API (found by scanning): the tree across services and days, missing parents,
// and the key's environment as the only one searched.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceTree } from '../src/traces/index.js';
import { startTestTend, type TestTend } from './support/tend.js';

let t: TestTend;
beforeAll(async () => {
  t = await startTestTend();
});
afterAll(async () => {
  await t?.close();
});

const TRACE = 'aa'.repeat(16);
/** Ten days ago, 100 ms before midnight UTC: the trace crosses into the next day partition. */
const MIDNIGHT_MS = Math.floor(Date.now() / 86_400_000 - 10) * 86_400_000;
const ns = (ms: number) => `${BigInt(Math.round(ms * 1000)) * 1000n}`;

function resource(service: string, spans: unknown[]) {
  return { resource: { attributes: [{ key: 'service.name', value: { stringValue: service } }] }, scopeSpans: [{ spans }] };
}
function span(id: string, parent: string | undefined, startMs: number, durationMs: number, name: string) {
  return { traceId: TRACE, spanId: id.repeat(8), parentSpanId: parent?.repeat(8), name, startTimeUnixNano: ns(startMs), endTimeUnixNano: ns(startMs + durationMs) };
}

async function getTrace(id: string, key = t.adminKey) {
  const res = await fetch(`${t.url}/api/v1/traces/${id}`, { headers: { authorization: `Bearer ${key}` } });
  return { status: res.status, body: (await res.json()) as TraceTree & { error?: string } };
}

describe('trace API', () => {
  beforeAll(async () => {
    const body = {
      resourceSpans: [
        resource('frontend', [span('01', undefined, MIDNIGHT_MS - 100, 300, 'GET /'), span('05', '09', MIDNIGHT_MS + 150, 10, 'late orphan')]),
        resource('backend', [span('02', '01', MIDNIGHT_MS - 50, 200, 'query'), span('03', '02', MIDNIGHT_MS + 50, 20, 'cache get')]),
      ],
    };
    const res = await fetch(`${t.url}/v1/traces`, { method: 'POST', headers: { 'x-honeycomb-team': t.ingestKey, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(res.status).toBe(200);
  });

  it('returns the tree across services and day partitions', async () => {
    const { status, body } = await getTrace(TRACE.toUpperCase());
    expect(status).toBe(200);
    expect(body.trace_id).toBe(TRACE);
    expect(body.span_count).toBe(4);
    expect(body.duration_ms).toBe(300);
    expect(body.start_time).toBe(new Date(MIDNIGHT_MS - 100).toISOString().replace('Z', '000Z'));
    const root = body.root!;
    expect([root.name, root.service]).toEqual(['GET /', 'frontend']);
    expect(root.children.map((c) => [c.name, c.service])).toEqual([['query', 'backend']]);
    expect(root.children[0].children.map((c) => c.name)).toEqual(['cache get']);
    expect(body.orphans.map((o) => [o.name, o.missing_parent, o.parent_id])).toEqual([['late orphan', true, '09'.repeat(8)]]);
    expect(body.services).toEqual([
      { service: 'backend', span_count: 2, total_ms: 220, self_ms: 200 },
      { service: 'frontend', span_count: 2, total_ms: 310, self_ms: 110 },
    ]);
  });

  it('finds spans sent through the Honeycomb API (not in the trace index)', async () => {
    const id = 'bb'.repeat(16);
    const events = [
      { time: new Date(MIDNIGHT_MS - 5_000).toISOString(), data: { 'trace.trace_id': id, 'trace.span_id': 'r1', name: 'job', 'service.name': 'worker', duration_ms: 40 } },
      { time: new Date(MIDNIGHT_MS - 4_990).toISOString(), data: { 'trace.trace_id': id, 'trace.span_id': 'c1', 'trace.parent_id': 'r1', name: 'step', 'service.name': 'worker', duration_ms: 5 } },
    ];
    const res = await fetch(`${t.url}/1/batch/worker`, { method: 'POST', headers: { 'x-honeycomb-team': t.ingestKey }, body: JSON.stringify(events) });
    expect(res.status).toBe(200);
    const { status, body } = await getTrace(id);
    expect(status).toBe(200);
    expect(body.root?.name).toBe('job');
    expect(body.root?.children.map((c) => c.name)).toEqual(['step']);
  });

  it('answers 400 for a malformed id, 404 for an unknown one, 403 for an ingest key', async () => {
    const bad = await getTrace('xyz');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/traceId: expected 32 hex characters/);
    expect((await getTrace('cc'.repeat(16))).status).toBe(404);
    expect((await getTrace(TRACE, t.ingestKey)).status).toBe(403);
  });

  it('searches only the key’s environment', async () => {
    const { key } = await t.tend.auth.createKey('staging', 'admin');
    const other = await getTrace(TRACE, key);
    expect(other.status).toBe(404);
  });
});
