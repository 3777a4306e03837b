// The Honeycomb Events API end to end: real HTTP to a Tend started in this process.
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { init as initZstd, compress as zstdCompress } from '@bokuweb/zstd-wasm';
import { startTestTend, type TestTend } from './support/tend.js';
import { storedEvents } from './support/stored.js';

let t: TestTend;
beforeAll(async () => {
  t = await startTestTend();
  await initZstd();
});
afterAll(async () => t?.close());

async function post(path: string, body: string | Buffer, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}${path}`, {
    method: 'POST',
    headers: { 'x-honeycomb-team': t.ingestKey, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : new Uint8Array(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : undefined };
}

describe('POST /1/events/:dataset', () => {
  it('stores one event with the time and sample rate from headers, flattened', async () => {
    const r = await post('/1/events/single', JSON.stringify({ endpoint: '/a', http: { status: 500 }, tags: ['x'], gone: null }), {
      'x-honeycomb-event-time': '2026-11-20T10:00:00.250Z',
      'x-honeycomb-samplerate': '5',
    });
    expect(r.status).toBe(202);
    const rows = await storedEvents(t.tend, 'single');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint: '/a', 'http.status': 500, tags: '["x"]', __samplerate: 5, __time_us: Date.parse('2026-11-20T10:00:00.250Z') * 1000 });
    expect(rows[0]).not.toHaveProperty('gone');
  });
  it('accepts form-encoded bodies as Honeycomb curl examples send them', async () => {
    const r = await post('/1/events/curl-style', '{"a":1}', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(r.status).toBe(202);
    expect(await storedEvents(t.tend, 'curl-style')).toHaveLength(1);
  });
  it('names the bad header', async () => {
    const r = await post('/1/events/single', '{"a":1}', { 'x-honeycomb-samplerate': 'many' });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^X-Honeycomb-Samplerate:/);
  });
});

describe('POST /1/batch/:dataset', () => {
  it('answers one status per event in order and keeps the good ones', async () => {
    const r = await post(
      '/1/batch/Batchy',
      JSON.stringify([
        { data: { n: 1 }, time: '2026-11-21T00:00:00Z', samplerate: 2 },
        { data: 'not an object' },
        null,
        { data: { n: 2 }, time: 1763683200 },
        { data: { n: 3 }, samplerate: -1 },
      ]),
    );
    expect(r.status).toBe(200);
    expect(r.body.map((s: { status: number }) => s.status)).toEqual([202, 400, 400, 202, 400]);
    expect(r.body[1].error).toMatch(/data: expected a JSON object/);
    expect(r.body[4].error).toMatch(/^samplerate:/);
    const rows = await storedEvents(t.tend, 'batchy');
    expect(rows.map((x) => x.n).sort()).toEqual([1, 2]);
    expect(rows.find((x) => x.n === 1)).toMatchObject({ __samplerate: 2, __time_us: Date.parse('2026-11-21T00:00:00Z') * 1000 });
    expect(rows.find((x) => x.n === 2)).toMatchObject({ __time_us: 1763683200 * 1e6 });
  });
  it('treats dataset names case-insensitively', async () => {
    await post('/1/batch/CaseTest', JSON.stringify([{ data: { v: 1 } }]));
    await post('/1/batch/casetest', JSON.stringify([{ data: { v: 2 } }]));
    await post('/1/batch/CASETEST', JSON.stringify([{ data: { v: 3 } }]));
    expect((await storedEvents(t.tend, 'casetest')).map((r) => r.v)).toEqual(expect.arrayContaining([1, 2, 3]));
    const env = await t.tend.auth.environment('production');
    expect((await t.tend.datasets.find(env!.id, 'CASETEST'))!.name).toBe('CaseTest');
  });
  it('reads gzip, deflate and zstd bodies', async () => {
    const body = (n: number) => Buffer.from(JSON.stringify([{ data: { enc: n } }]));
    expect((await post('/1/batch/enc', zlib.gzipSync(body(1)), { 'content-encoding': 'gzip' })).status).toBe(200);
    expect((await post('/1/batch/enc', zlib.deflateSync(body(2)), { 'content-encoding': 'deflate' })).status).toBe(200);
    expect((await post('/1/batch/enc', Buffer.from(zstdCompress(body(3), 3)), { 'content-encoding': 'zstd' })).status).toBe(200);
    expect((await storedEvents(t.tend, 'enc')).map((r) => r.enc)).toEqual(expect.arrayContaining([1, 2, 3]));
  });
  it('refuses bad encodings, bad JSON and non-arrays with a 4xx naming the problem', async () => {
    const bad = await post('/1/batch/enc', Buffer.from('not gzip'), { 'content-encoding': 'gzip' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/gzip/);
    const unknown = await post('/1/batch/enc', '[]', { 'content-encoding': 'br' });
    expect(unknown.status).toBe(415);
    expect(unknown.body.error).toMatch(/Content-Encoding "br"/);
    const json = await post('/1/batch/enc', '[{"data": {');
    expect(json.status).toBe(400);
    expect(json.body.error).toMatch(/not valid JSON/);
    const obj = await post('/1/batch/enc', '{"data": {}}');
    expect(obj.status).toBe(400);
    expect(obj.body.error).toMatch(/expected a JSON array/);
  });
  it('answers 413 for bodies over 5 MB, before or after decompression', async () => {
    const big = JSON.stringify([{ data: { s: 'x'.repeat(6 * 1024 * 1024) } }]);
    const r = await post('/1/batch/big', big);
    expect(r.status).toBe(413);
    expect(r.body.error).toMatch(/larger than 5 MB/);
    const zipped = await post('/1/batch/big', zlib.gzipSync(big), { 'content-encoding': 'gzip' });
    expect(zipped.status).toBe(413);
    expect(zipped.body.error).toMatch(/once decompressed/);
  });
  it('cuts string values at 64 KB', async () => {
    await post('/1/batch/long', JSON.stringify([{ data: { s: 'y'.repeat(70_000) } }]));
    const rows = await storedEvents(t.tend, 'long');
    expect((rows[0].s as string).length).toBe(64 * 1024);
  });
  it('refuses bad dataset names', async () => {
    const r = await post('/1/batch/__all__', '[]');
    expect(r.status).toBe(400);
    expect(r.body.error).toMatch(/^dataset: .*reserved/);
    const slash = await post('/1/batch/a%2Fb', '[]');
    expect(slash.status).toBe(400);
    expect(slash.body.error).toMatch(/slash/);
    // Names up to 255 characters are allowed; past that the answer names the limit (the router
    // used to refuse anything over 100 with a message naming no field).
    const long = await post(`/1/batch/${'n'.repeat(255)}`, '[{"data":{"a":1}}]');
    expect(long.status).toBe(200);
    const tooLong = await post(`/1/batch/${'n'.repeat(256)}`, '[]');
    expect(tooLong.status).toBe(400);
    expect(tooLong.body.error).toBe('dataset: dataset name is longer than 255 characters');
  });
});

describe('type changes', () => {
  it('widens integer columns to float and keeps unconvertible values in a sibling column', async () => {
    await post('/1/batch/types', JSON.stringify([{ data: { d: 1 } }, { data: { d: 2.5 } }, { data: { d: 'slow' } }, { data: { d: '7' } }]));
    const cols = await fetch(`${t.url}/1/columns/types`, { headers: { 'x-honeycomb-team': t.adminKey } }).then((r) => r.json());
    expect(cols).toEqual([
      expect.objectContaining({ key_name: 'd', type: 'float' }),
      expect.objectContaining({ key_name: 'd:string', type: 'string' }),
    ]);
    const rows = await storedEvents(t.tend, 'types');
    expect(rows.map((r) => [r.d, r['d:string']])).toEqual([
      [1, null],
      [2.5, null],
      [null, 'slow'],
      [7, null],
    ]);
  });
});

describe('keys', () => {
  it('answers /1/auth like Honeycomb', async () => {
    const r = await fetch(`${t.url}/1/auth`, { headers: { 'x-honeycomb-team': t.ingestKey } }).then((x) => x.json());
    expect(r).toMatchObject({ type: 'ingest', environment: { name: 'production', slug: 'production' }, api_key_access: { events: true } });
    expect(r.id).toMatch(/^[0-9a-f]{12}$/);
  });
  it('refuses missing, unknown and revoked keys with 401, and ingest keys on admin routes with 403', async () => {
    expect((await post('/1/batch/x', '[]', { 'x-honeycomb-team': '' })).body.error).toMatch(/missing API key/);
    const unknown = await post('/1/batch/x', '[]', { 'x-honeycomb-team': 'tki_000000000000AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error).toBe('unknown or revoked API key');
    const forbidden = await fetch(`${t.url}/api/v1/keys`, { headers: { 'x-honeycomb-team': t.ingestKey } });
    expect(forbidden.status).toBe(403);

    const created = await fetch(`${t.url}/api/v1/keys`, {
      method: 'POST',
      headers: { 'x-honeycomb-team': t.adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({ kind: 'ingest', name: 'temp' }),
    }).then((x) => x.json());
    expect((await post('/1/batch/x', '[{"data":{"a":1}}]', { 'x-honeycomb-team': created.key })).status).toBe(200);
    const revoked = await fetch(`${t.url}/api/v1/keys/${created.id}`, { method: 'DELETE', headers: { 'x-honeycomb-team': t.adminKey } });
    expect(revoked.status).toBe(200);
    expect((await post('/1/batch/x', '[{"data":{"a":1}}]', { 'x-honeycomb-team': created.key })).status).toBe(401);
    const bearer = await fetch(`${t.url}/1/auth`, { headers: { authorization: `Bearer ${t.adminKey}` } });
    expect(bearer.status).toBe(200);
  });
  it('keeps each key inside its environment', async () => {
    const staging = await t.tend.auth.createKey('staging', 'ingest');
    await post('/1/batch/shared-name', JSON.stringify([{ data: { where: 'staging' } }]), { 'x-honeycomb-team': staging.key });
    await post('/1/batch/shared-name', JSON.stringify([{ data: { where: 'production' } }]));
    expect((await storedEvents(t.tend, 'shared-name', 'staging')).map((r) => r.where)).toEqual(['staging']);
    expect((await storedEvents(t.tend, 'shared-name', 'production')).map((r) => r.where)).toEqual(['production']);
  });
});

describe('self-observation', () => {
  it('serves /healthz without a key and /metrics with one', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${t.url}/metrics`)).status).toBe(401);
    const text = await fetch(`${t.url}/metrics`, { headers: { 'x-honeycomb-team': t.ingestKey } }).then((r) => r.text());
    expect(Number(/^tend_ingest_events_committed_total (\d+)$/m.exec(text)![1])).toBeGreaterThan(0);
    expect(Number(/^tend_ingest_events_rejected_total (\d+)$/m.exec(text)![1])).toBeGreaterThan(0);
    expect(text).toMatch(/^tend_ingest_commit_seconds_bucket\{le="0.1"\} \d+$/m);
    expect(Number(/^tend_store_bytes (\d+)$/m.exec(text)![1])).toBeGreaterThan(0);
    expect(text).toMatch(/^tend_ingest_queue_events 0$/m);
  });
});
