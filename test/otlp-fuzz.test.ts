// Item 7 of issue 4: malformed OTLP — broken protobuf, truncated messages, bad JSON, invalid
// ids, wrong content types, oversized and corrupt compressed bodies — gets a 4xx with an OTLP
// Status message (400; 413 with RESOURCE_EXHAUSTED for a body past the size limit), never a 5xx, and the server keeps serving.
import zlib from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeStatus, encodeRequest, type Signal } from '../src/ingest/otlp/index.js';
import { startTestTend, type TestTend } from './support/tend.js';

let t: TestTend;
beforeAll(async () => {
  t = await startTestTend();
});
afterAll(async () => {
  await t?.close();
});

interface Case {
  kind: string;
  signal: Signal;
  body: Uint8Array;
  headers: Record<string, string>;
  /** 400 (Status code 3, INVALID_ARGUMENT) for bad input; 413 (code 8, RESOURCE_EXHAUSTED) for a body past the size limit. */
  expect: 400 | 413;
}

const PROTO = { 'content-type': 'application/x-protobuf' };
const JSON_H = { 'content-type': 'application/json' };
const NOW = `${Date.now()}000000`;
const SEED = 4242;

function validSpans(traceId: Uint8Array, spanId: Uint8Array, n = 3): Uint8Array {
  const spans = Array.from({ length: n }, (_, i) => ({ traceId, spanId, name: `s${i}`, startTimeUnixNano: NOW, endTimeUnixNano: NOW, attributes: [{ key: 'k', value: { stringValue: 'v'.repeat(i * 7) } }] }));
  return encodeRequest('traces', { resourceSpans: [{ resource: { attributes: [{ key: 'service.name', value: { stringValue: 'fuzz' } }] }, scopeSpans: [{ spans }] }] });
}

const signal = fc.constantFrom<Signal>('traces', 'logs', 'metrics');
const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max });

/** Each arbitrary makes payloads that are certainly malformed, so every answer must be a 4xx. */
const cases: fc.Arbitrary<Case>[] = [
  // A length-delimited field 1 whose length runs past the end of the body.
  fc.tuple(signal, bytes(0, 60), fc.integer({ min: 1, max: 1000 })).map(([s, tail, extra]) => {
    const length = tail.length + extra;
    const varint: number[] = [];
    for (let v = length; ; v >>>= 7) {
      if (v < 0x80) { varint.push(v); break; }
      varint.push((v & 0x7f) | 0x80);
    }
    return { kind: 'length past end', signal: s, body: Uint8Array.from([0x0a, ...varint, ...tail]), headers: PROTO, expect: 400 as const };
  }),
  // Wire types 6 and 7 do not exist.
  fc.tuple(signal, fc.constantFrom(0x0e, 0x0f, 0x16, 0x17), bytes(0, 40)).map(([s, tag, tail]) => ({ kind: 'bad wire type', signal: s, body: Uint8Array.from([tag, ...tail]), headers: PROTO, expect: 400 as const })),
  // A valid message cut inside its last field, then a field that claims more bytes than follow.
  fc.tuple(fc.integer({ min: 1, max: 200 }), bytes(0, 5)).map(([cut, junk]) => {
    const full = validSpans(new Uint8Array(16).fill(1), new Uint8Array(8).fill(2));
    const head = full.subarray(0, Math.min(cut, full.length - 1));
    return { kind: 'truncated', signal: 'traces' as const, body: Uint8Array.from([...head, 0x0a, 0x7f, ...junk]), headers: PROTO, expect: 400 as const };
  }),
  // Trace and span ids of the wrong length.
  fc.tuple(fc.integer({ min: 1, max: 40 }).filter((n) => n !== 16), fc.integer({ min: 1, max: 20 }).filter((n) => n !== 8), fc.boolean()).map(([tl, sl, badTrace]) => ({
    kind: 'invalid id (protobuf)',
    signal: 'traces' as const,
    body: validSpans(new Uint8Array(badTrace ? tl : 16).fill(3), new Uint8Array(badTrace ? 8 : sl).fill(4)),
    headers: PROTO,
    expect: 400 as const,
  })),
  fc.tuple(fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/^[0-9a-fA-F]{32}$/.test(s))).map(([id]) => ({
    kind: 'invalid id (JSON)',
    signal: 'traces' as const,
    body: Buffer.from(JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: id, spanId: '0102030405060708', name: 'x', startTimeUnixNano: NOW }] }] }] })),
    headers: JSON_H,
    expect: 400 as const,
  })),
  // Text that is not JSON.
  fc.tuple(signal, fc.string({ minLength: 1, maxLength: 80 })).filter(([, s]) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  }).map(([s, text]) => ({ kind: 'not JSON', signal: s, body: Buffer.from(text), headers: JSON_H, expect: 400 as const })),
  // JSON of the wrong shape where the request's lists must be.
  fc.tuple(signal, fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null).map(() => [] as unknown), fc.array(fc.integer(), { minLength: 1 }))).map(([s, v]) => {
    const key = { traces: 'resourceSpans', logs: 'resourceLogs', metrics: 'resourceMetrics' }[s];
    const value = Array.isArray(v) && v.length === 0 ? 'x' : v; // a list of numbers is a list of non-objects
    const body = Array.isArray(value) ? { [key]: [{ [key.replace('resource', 'scope')]: value }] } : { [key]: value };
    return { kind: 'wrong JSON shape', signal: s, body: Buffer.from(JSON.stringify(Array.isArray(value) ? value : body)), headers: JSON_H, expect: 400 as const };
  }),
  // Content types that are neither protobuf nor JSON.
  fc.tuple(signal, fc.constantFrom('text/plain', 'application/xml', 'application/octet-stream', 'multipart/form-data', 'application/grpc', 'image/png'), bytes(0, 30)).map(([s, type, body]) => ({ kind: 'content type', signal: s, body, headers: { 'content-type': type }, expect: 400 as const })),
  // gzip that is not gzip.
  fc.tuple(signal, bytes(1, 60)).map(([s, body]) => ({ kind: 'corrupt gzip', signal: s, body, headers: { ...PROTO, 'content-encoding': 'gzip' }, expect: 400 as const })),
];

describe('OTLP fuzz', () => {
  it('answers 1,000+ malformed payloads with a 4xx Status, never a 5xx, and keeps serving', { timeout: 120_000 }, async () => {
    const payloads: Case[] = cases.flatMap((arb, i) => fc.sample(arb, { numRuns: 120, seed: SEED + i }));
    // Oversized: a body past the 5 MB limit, and a small gzip body that inflates past it.
    const bomb = zlib.gzipSync(Buffer.alloc(6 * 1024 * 1024));
    for (let i = 0; i < 3; i++) {
      payloads.push({ kind: 'oversized', signal: 'traces', body: new Uint8Array(5 * 1024 * 1024 + 1 + i), headers: PROTO, expect: 413 });
      payloads.push({ kind: 'gzip bomb', signal: 'logs', body: bomb, headers: { ...PROTO, 'content-encoding': 'gzip' }, expect: 413 });
    }
    expect(payloads.length).toBeGreaterThanOrEqual(1000);

    const wrong: string[] = [];
    let next = 0;
    const worker = async () => {
      while (next < payloads.length) {
        const p = payloads[next++];
        const res = await fetch(`${t.url}/v1/${p.signal}`, { method: 'POST', headers: { 'x-honeycomb-team': t.ingestKey, ...p.headers }, body: new Uint8Array(p.body) });
        const body = Buffer.from(await res.arrayBuffer());
        const isProto = (res.headers.get('content-type') ?? '').startsWith('application/x-protobuf');
        const status = isProto ? decodeStatus(body) : (JSON.parse(body.toString()) as { code: number; message: string });
        if (res.status !== p.expect || !status.message || status.code !== (p.expect === 413 ? 8 : 3)) {
          wrong.push(`${p.kind}: ${res.status} ${JSON.stringify(status)} for ${Buffer.from(p.body).subarray(0, 40).toString('hex')}`);
        }
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    expect(wrong.slice(0, 10)).toEqual([]);

    const ok = await fetch(`${t.url}/v1/traces`, { method: 'POST', headers: { 'x-honeycomb-team': t.ingestKey, ...PROTO }, body: new Uint8Array(validSpans(new Uint8Array(16).fill(9), new Uint8Array(8).fill(9))) });
    expect(ok.status).toBe(200);
  });
});
