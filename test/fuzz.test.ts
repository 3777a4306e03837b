// Item 7 of issue 2: bad input never gets a 5xx. fast-check generates malformed requests of
// every kind (broken and wrong-typed JSON, deep nesting, too many fields, invalid UTF-8, bad
// encodings, dataset names, keys and headers) and sends them over real HTTP; every answer must
// be below 500, every 4xx must say what is wrong, and the server must be alive afterwards.
// A failure prints fast-check's seed and the shrunk request; `seed` in fc.assert replays it.
import http from 'node:http';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { init as initZstd, compress as zstdCompress } from '@bokuweb/zstd-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTend, type TestTend } from './support/tend.js';
import { storedEvents } from './support/stored.js';

let t: TestTend;
const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
beforeAll(async () => {
  t = await startTestTend();
  await initZstd();
});
afterAll(async () => {
  agent.destroy();
  await t?.close();
});

interface FuzzRequest {
  path: string;
  headers: Record<string, string>;
  body: Buffer;
}

interface Answer {
  status: number;
  text: string;
}

/** A raw HTTP request: node:http sends bytes and headers as given, where fetch would fix them. */
function send(req: FuzzRequest, via = agent): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(t.url);
    const r = http.request(
      { agent: via, host: url.hostname, port: url.port, method: 'POST', path: req.path, headers: { ...req.headers, 'content-length': String(req.body.length) } },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(parts).toString('utf8') }));
        res.on('error', reject);
      },
    );
    r.on('error', reject);
    r.end(req.body);
  });
}

/** Header values node:http accepts: printable ASCII. */
const headerText = (max = 80) => fc.string({ maxLength: max }).map((s) => s.replace(/[^\x20-\x7e]/g, '?'));
const text = (s: string) => Buffer.from(s, 'utf8');

// ---- bodies -------------------------------------------------------------------------------
// ASCII names collide in case often; any code point (lone surrogates too) reaches the rest.
const fieldName = fc.oneof(fc.string({ minLength: 1, maxLength: 10 }), fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }));
const goodItem = fc.record({ data: fc.dictionary(fieldName.filter((k) => !k.startsWith('__')), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 }) });
const goodBatchText = fc.array(goodItem, { maxLength: 6 }).map((a) => JSON.stringify(a));

const truncatedJson = goodBatchText.filter((s) => s.length > 2).chain((s) => fc.integer({ min: 1, max: s.length - 1 }).map((i) => text(s.slice(0, i))));
const garbledJson = fc
  .tuple(goodBatchText, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }))
  .map(([s, edits]) => {
    const b = Buffer.from(s);
    for (const [at, byte] of edits) b[at % b.length] = byte;
    return b;
  });
const anyJson = fc.jsonValue({ maxDepth: 5 }).map((v) => text(JSON.stringify(v) ?? 'null'));
const wrongTypedBatch = fc
  .array(
    fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.record({ data: fc.jsonValue({ maxDepth: 3 }), time: fc.jsonValue({ maxDepth: 2 }), samplerate: fc.jsonValue({ maxDepth: 2 }) }, { requiredKeys: [] }),
    ),
    { maxLength: 8 },
  )
  .map((a) => text(JSON.stringify(a)));
const deepNesting = fc
  .tuple(fc.integer({ min: 30, max: 200_000 }), fc.constantFrom('[', '{"a":'), fc.constantFrom('data', 'time', 'samplerate', 'top'))
  .map(([depth, open, where]) => {
    const close = open === '[' ? ']' : '}';
    const deep = open.repeat(depth) + (open === '[' ? '' : '1') + close.repeat(depth);
    if (where === 'top') return text(deep);
    if (where === 'data') return text(`[{"data":{"x":${deep}}}]`);
    return text(`[{"data":{"x":1},"${where}":${deep}}]`);
  });
const tooManyFields = fc
  .tuple(fc.integer({ min: 2001, max: 3000 }), fc.boolean())
  .map(([n, nested]) => {
    const fields = Object.fromEntries(Array.from({ length: n }, (_, i) => [`f${i}`, i]));
    return text(JSON.stringify([{ data: nested ? { a: fields } : fields }]));
  });
const invalidUtf8 = fc.oneof(
  fc.uint8Array({ minLength: 1, maxLength: 300 }).map((b) => Buffer.from(b)),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => Buffer.concat([text('[{"data":{"s":"'), Buffer.from(b).map((x) => x | 0x80), text('"}}]')])),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map((b) => Buffer.concat([text('[{"data":{"'), Buffer.from(b).map((x) => x | 0x80), text('":1}}]')])),
);
const body = fc.oneof(truncatedJson, garbledJson, anyJson, wrongTypedBatch, deepNesting, tooManyFields, invalidUtf8, goodBatchText.map(text));

// ---- encodings ----------------------------------------------------------------------------
const encoded: fc.Arbitrary<{ body: Buffer; encoding?: string }> = fc.oneof(
  { arbitrary: body.map((b) => ({ body: b })), weight: 6 },
  // A body that does not match its Content-Encoding, or an encoding nobody supports.
  {
    arbitrary: fc.record({
      body: fc.oneof(body, fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b))),
      encoding: fc.oneof(fc.constantFrom('gzip', 'deflate', 'zstd', 'x-gzip', 'br', 'compress', 'gzip, deflate', 'identity, gzip', ' GZIP ', '*'), headerText(20)),
    }),
    weight: 2,
  },
  // Truncated or bit-flipped compressed streams.
  {
    arbitrary: fc.tuple(body, fc.constantFrom('gzip', 'deflate', 'zstd'), fc.nat(), fc.boolean()).map(([b, encoding, cut, flip]) => {
      const packed = compress(b, encoding);
      const at = cut % packed.length;
      if (flip) packed[at] ^= 0xff;
      return { body: flip ? packed : packed.subarray(0, at), encoding };
    }),
    weight: 1,
  },
  // Well-formed compression of malformed bodies.
  { arbitrary: fc.tuple(body, fc.constantFrom('gzip', 'deflate', 'zstd')).map(([b, encoding]) => ({ body: compress(b, encoding), encoding })), weight: 1 },
);

function compress(b: Buffer, encoding: string): Buffer {
  if (encoding === 'gzip') return zlib.gzipSync(b);
  if (encoding === 'deflate') return zlib.deflateSync(b);
  return Buffer.from(zstdCompress(b, 3));
}

// ---- paths, keys, headers -----------------------------------------------------------------
const dataset = fc.oneof(
  { arbitrary: fc.constant('fuzz'), weight: 6 },
  {
    arbitrary: fc.constantFrom('__all__', '__ALL__', '%2F', 'a%2Fb', 'a%5Cb', '%00', 'x%0A', '%20x', 'x%20', '%FF', '%', '%ZZ', '%C0%AF', '..', '%2e%2e', 'a?b=1', 'a#b'),
    weight: 2,
  },
  { arbitrary: fc.integer({ min: 256, max: 600 }).map((n) => 'd'.repeat(n)), weight: 1 },
  { arbitrary: fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent), weight: 1 },
);
const keyHeaders: fc.Arbitrary<Record<string, string>> = fc.oneof(
  { arbitrary: fc.constant('good').map(() => ({ 'x-honeycomb-team': t.ingestKey })), weight: 6 },
  {
    arbitrary: fc.oneof(
      fc.constant({}),
      fc.constant({ 'x-honeycomb-team': '' }),
      headerText(60).map((k) => ({ 'x-honeycomb-team': k })),
      headerText(60).map((k) => ({ authorization: k })),
      headerText(60).map((k) => ({ authorization: `Bearer ${k}` })),
      fc.integer({ min: 1_000, max: 20_000 }).map((n) => ({ 'x-honeycomb-team': 'k'.repeat(n) })),
      fc.constant(0).map(() => ({ 'x-honeycomb-team': t.ingestKey.slice(0, -1) })),
    ),
    weight: 2,
  },
);
const extraHeaders = fc.record(
  {
    'x-honeycomb-event-time': fc.oneof(headerText(), fc.constantFrom('2026-13-40T99:99:99Z', '-1', '1e400', 'NaN', '99999999999999999999999999')),
    'x-honeycomb-samplerate': fc.oneof(headerText(), fc.constantFrom('0', '-5', '1.5', '1e3', '9007199254740993', '')),
    'content-type': fc.oneof(headerText(40), fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x')),
  },
  { requiredKeys: [] },
);

const request: fc.Arbitrary<FuzzRequest> = fc
  .record({ route: fc.constantFrom('/1/events/', '/1/batch/'), dataset, keys: keyHeaders, extra: extraHeaders, encoded })
  .map(({ route, dataset, keys, extra, encoded }) => ({
    path: route + dataset,
    headers: { ...extra, ...keys, ...(encoded.encoding === undefined ? {} : { 'content-encoding': encoded.encoding }) },
    body: encoded.body,
  }));

/** What every answer must satisfy; returns the problem, or undefined. */
function answerProblem(a: Answer): string | undefined {
  if (a.status >= 500) return `status ${a.status}: ${a.text.slice(0, 200)}`;
  if (a.status >= 400) {
    const error = safeJson(a.text)?.error;
    return typeof error === 'string' && error.length > 0 ? undefined : `status ${a.status} without an error text: ${a.text.slice(0, 200)}`;
  }
  if (a.status === 200) {
    const statuses = safeJson(a.text) as { status?: unknown; error?: unknown }[] | undefined;
    if (!Array.isArray(statuses)) return `200 without a status array: ${a.text.slice(0, 200)}`;
    const bad = statuses.find((s) => !(s.status === 202 || (s.status === 400 && typeof s.error === 'string' && s.error.length > 0)));
    return bad ? `batch status ${JSON.stringify(bad)}` : undefined;
  }
  return a.status === 202 ? undefined : `unexpected status ${a.status}`;
}

function safeJson(s: string): { error?: unknown } | undefined {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

describe('fuzzed bad input', () => {
  it('answers 1,200 malformed requests below 500, each 4xx with an error text, and stays alive', { timeout: 120_000 }, async () => {
    const seen = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(request, async (req) => {
        const answer = await send(req);
        seen.set(answer.status, (seen.get(answer.status) ?? 0) + 1);
        const problem = answerProblem(answer);
        if (problem) throw new Error(problem);
      }),
      { numRuns: 1200 },
    );
    // The generator reached the refusals it is meant to reach.
    for (const status of [200, 400, 401, 415]) expect(seen.get(status) ?? 0, JSON.stringify(Object.fromEntries(seen))).toBeGreaterThan(0);

    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const res = await fetch(`${t.url}/1/batch/after-fuzz`, {
      method: 'POST',
      headers: { 'x-honeycomb-team': t.ingestKey },
      body: JSON.stringify([{ data: { alive: true } }]),
    });
    expect(await res.json()).toEqual([{ status: 202 }]);
    expect((await storedEvents(t.tend, 'after-fuzz')).map((r) => r.alive)).toEqual([true]);
  });

  it('keeps field names that differ only in case apart, without a 5xx', async () => {
    const post = (body: unknown) =>
      send({ path: '/1/batch/cased', headers: { 'x-honeycomb-team': t.ingestKey }, body: text(JSON.stringify(body)) });
    const answers = [await post([{ data: { s: 1 } }]), await post([{ data: { S: 2 } }]), await post([{ data: { Ab: 'x', aB: 'y' } }])];
    expect(answers.map(answerProblem)).toEqual([undefined, undefined, undefined]);
    expect(answers.map((a) => a.text)).toEqual(Array(3).fill('[{"status":202}]'));
    const columns = await fetch(`${t.url}/1/columns/cased`, { headers: { 'x-honeycomb-team': t.adminKey } }).then((r) => r.json());
    expect(columns.map((c: { key_name: string }) => c.key_name).sort()).toEqual(['Ab', 'S', 'aB', 's']);
  });

  it('closes the connection after refusing oversized headers, so keep-alive clients go on', async () => {
    const one = new http.Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const refused = await send({ path: '/1/batch/fuzz', headers: { 'x-honeycomb-team': 'k'.repeat(20_000) }, body: text('[]') }, one);
      expect(refused).toEqual({ status: 431, text: '{"error":"request headers are larger than 16 KB"}' });
      const next = await send({ path: '/1/batch/fuzz', headers: { 'x-honeycomb-team': t.ingestKey }, body: text('[{"data":{"a":1}}]') }, one);
      expect(next).toEqual({ status: 200, text: '[{"status":202}]' });
    } finally {
      one.destroy();
    }
  });

  it('names a path that is not valid percent-encoding', async () => {
    const a = await send({ path: '/1/batch/%FF', headers: { 'x-honeycomb-team': t.ingestKey }, body: text('[]') });
    expect(a).toEqual({ status: 400, text: '{"error":"URL /1/batch/%FF: not valid percent-encoding"}' });
  });

  it('answers 413 for bodies over 5 MB, raw or once decompressed', async () => {
    const big = text(JSON.stringify([{ data: { s: 'x'.repeat(5 * 1024 * 1024) } }]));
    const headers = { 'x-honeycomb-team': t.ingestKey };
    for (const req of [
      { path: '/1/batch/fuzz', headers, body: big },
      { path: '/1/events/fuzz', headers: { ...headers, 'content-encoding': 'gzip' }, body: zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024, 0x20)) },
      { path: '/1/batch/fuzz', headers: { ...headers, 'content-encoding': 'zstd' }, body: compress(big, 'zstd') },
    ]) {
      const a = await send(req);
      expect(a.status).toBe(413);
      expect(answerProblem(a)).toBeUndefined();
    }
  });
});

// ---- a batch mixing good and bad events ---------------------------------------------------
/** A bad batch item as JSON text (kept as text: fast-check cannot print very deep values). */
type Bad = { json: string; problem: RegExp };
const bad = (item: unknown, problem: RegExp): Bad => ({ json: JSON.stringify(item), problem });
const badItem: fc.Arbitrary<Bad> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).filter((v) => v === null || typeof v !== 'object' || Array.isArray(v)).map((item) => bad(item, /^event \d+: expected an object/)),
  fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.array(fc.integer(), { maxLength: 3 })).map((data) => bad({ data }, /^data: expected a JSON object/)),
  fc.constantFrom('yesterday', '2026-02-30T25:00:00Z', '12:00').map((time) => bad({ data: { a: 1 }, time }, /^time:/)),
  fc.constantFrom(0, -3, 2.5, 'ten', true).map((samplerate) => bad({ data: { a: 1 }, samplerate }, /^samplerate:/)),
  fc.constant(bad({ data: { __time: 1 } }, /^data\.__time: .*reserved/)),
  fc.constant(bad({ data: Object.fromEntries(Array.from({ length: 2001 }, (_, i) => [`f${i}`, i])) }, /^data: more than 2000 fields/)),
  fc.constant({ json: `{"data":{"deep":${'['.repeat(50_000)}${']'.repeat(50_000)}}}`, problem: /^data\.deep: nested too deeply/ }),
);

describe('a batch mixing good and bad events', () => {
  it('stores every good event and gives each bad one its own 400 naming the problem', async () => {
    let mark = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(fc.constant('good' as const), badItem), { minLength: 1, maxLength: 20 }), async (plan) => {
        const first = mark;
        const items = plan.map((p) => (p === 'good' ? JSON.stringify({ data: { mark: mark++, nested: { ok: true } }, samplerate: 3 }) : p.json));
        const res = await fetch(`${t.url}/1/batch/mixed`, { method: 'POST', headers: { 'x-honeycomb-team': t.ingestKey }, body: `[${items.join(',')}]` });
        expect(res.status).toBe(200);
        const statuses = (await res.json()) as { status: number; error?: string }[];
        expect(statuses).toHaveLength(plan.length);
        plan.forEach((p, i) => {
          if (p === 'good') expect(statuses[i]).toEqual({ status: 202 });
          else {
            expect(statuses[i].status).toBe(400);
            expect(statuses[i].error).toMatch(p.problem);
          }
        });
        const stored = (await storedEvents(t.tend, 'mixed')).filter((r) => (r.mark as number) >= first);
        expect(stored.map((r) => r.mark).sort((a, b) => (a as number) - (b as number))).toEqual(Array.from({ length: mark - first }, (_, i) => first + i));
        for (const r of stored) expect(r).toMatchObject({ 'nested.ok': true, __samplerate: 3 });
      }),
      { numRuns: 40 },
    );
  });
});
