import { PassThrough } from 'node:stream';
import zlib from 'node:zlib';
import { init as initZstd, compress as zstdCompress } from '@bokuweb/zstd-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { readBody, ReceiveBudget, type BodyLimits } from './read-body.js';

const MB = 1024 * 1024;
const limits: BodyLimits = { maxBodyBytes: 5 * MB, minBodyRate: 0, bodyGraceSeconds: 10 };
/** The 17 bytes: one zstd frame declaring 2.1 GB of content. */
const ZSTD_BOMB = Buffer.from('28b52ffde00000007f00000000431f0041', 'hex');

beforeAll(async () => {
  await initZstd();
});

/** Sends `chunks` through a stream the way a request delivers its body, and reads it. */
async function read(chunks: Buffer[], encoding?: string, opts: Partial<BodyLimits> = {}, budget = new ReceiveBudget(64 * MB)) {
  const source = new PassThrough();
  const body = readBody(source, encoding ? { 'content-encoding': encoding } : {}, { ...limits, ...opts }, budget);
  for (const c of chunks) source.write(c);
  source.end();
  return body;
}

/**
 * A zstd frame that declares no content size (as a streaming compressor writes it), with a
 * 2 MB window and `blocks` RLE blocks of 128 KB: 4 bytes each, so only the decoded bytes can
 * stop it.
 */
function undeclaredZstd(blocks: number): Buffer {
  const rle = (last: boolean) => {
    const h = (last ? 1 : 0) | (1 << 1) | (131072 << 3);
    return [h & 0xff, (h >> 8) & 0xff, h >> 16, 0x61];
  };
  const bytes = [0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58];
  for (let i = 0; i < blocks; i++) bytes.push(...rle(i === blocks - 1));
  return Buffer.from(bytes);
}

const failure = (p: Promise<unknown>) => p.then(() => ({ status: 0, message: 'resolved', headers: {} as Record<string, string> }), (err: { status: number; message: string; headers: Record<string, string> }) => err);

describe('readBody', () => {
  const text = Buffer.from(JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ data: { i, s: 'x'.repeat(i % 50) } }))));

  it('decodes gzip, zlib and raw deflate, and zstd, fed in any pieces', async () => {
    const bodies: [string, Buffer][] = [
      ['gzip', zlib.gzipSync(text)],
      ['deflate', zlib.deflateSync(text)],
      ['deflate', zlib.deflateRawSync(text)],
      ['zstd', Buffer.from(zstdCompress(text, 3))],
      ['identity', text],
    ];
    for (const [enc, bytes] of bodies) {
      const pieces = [bytes.subarray(0, 1), bytes.subarray(1, 7), bytes.subarray(7)];
      expect((await read(pieces, enc)).equals(text), enc).toBe(true);
    }
  });

  it('reads several zstd frames and skippable frames one after another', async () => {
    const skippable = Buffer.concat([Buffer.from('502a4d1803000000', 'hex'), Buffer.from('abc')]);
    const two = Buffer.concat([Buffer.from(zstdCompress(text, 1)), skippable, Buffer.from(zstdCompress(text, 1))]);
    expect((await read([two], 'zstd')).equals(Buffer.concat([text, text]))).toBe(true);
    expect((await read([undeclaredZstd(10)], 'zstd')).equals(Buffer.alloc(10 * 131072, 'a'))).toBe(true);
  });

  it('refuses the 17-byte zstd frame declaring 2.1 GB with 413 before decoding it', async () => {
    const before = process.memoryUsage().arrayBuffers;
    const started = performance.now();
    const err = await failure(read([ZSTD_BOMB], 'zstd'));
    expect(err.status).toBe(413);
    expect(err.message).toMatch(/declares 2032 MB/);
    expect(err.headers.connection).toBe('close');
    expect(performance.now() - started).toBeLessThan(1000);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(10 * MB);
  });

  it('stops zstd, gzip and deflate bombs at the limit whatever their headers say', async () => {
    const zeros = Buffer.alloc(64 * MB);
    const bombs: [string, Buffer][] = [
      ['zstd', Buffer.from(zstdCompress(zeros, 1))],
      ['zstd', undeclaredZstd(500)],
      ['gzip', zlib.gzipSync(zeros)],
      ['deflate', zlib.deflateSync(zeros)],
      ['deflate', zlib.deflateRawSync(zeros)],
    ];
    for (const [enc, bomb] of bombs) {
      const err = await failure(read([bomb], enc));
      expect(err.status, enc).toBe(413);
      expect(err.message).toMatch(/^request body is larger than 5 MB once decompressed/);
    }
  });

  it('refuses a zstd window over 8 MB (RFC 9659) and bytes that are not zstd', async () => {
    // Frame header: no single segment, window descriptor 0x70 = 2^24 (16 MB).
    const wide = Buffer.from('28b52ffd0070010000', 'hex');
    expect(await failure(read([wide], 'zstd'))).toMatchObject({ status: 413, message: expect.stringMatching(/window of 16 MB is over the 8 MB/) });
    expect(await failure(read([Buffer.from('not zstd at all')], 'zstd'))).toMatchObject({ status: 400, message: expect.stringMatching(/not zstd/) });
    expect(await failure(read([Buffer.from('not gzip at all')], 'gzip'))).toMatchObject({ status: 400, message: expect.stringMatching(/^Content-Encoding gzip: body could not be decompressed/) });
    expect(await failure(read([text], 'br'))).toMatchObject({ status: 415 });
  });

  it('refuses a raw body over the limit, by its Content-Length or as it arrives', async () => {
    const source = new PassThrough();
    const declared = readBody(source, { 'content-length': String(6 * MB) }, limits, new ReceiveBudget(64 * MB));
    expect(await failure(declared)).toMatchObject({ status: 413, message: 'request body is larger than 5 MB' });
    expect(await failure(read([Buffer.alloc(3 * MB), Buffer.alloc(3 * MB)]))).toMatchObject({ status: 413 });
  });

  it('bounds the bytes of bodies being received at once and gives them back', async () => {
    const budget = new ReceiveBudget(1 * MB);
    const slow = new PassThrough();
    const held = readBody(slow, {}, limits, budget);
    slow.write(Buffer.alloc(800 * 1024));
    await new Promise((r) => setImmediate(r));
    expect(budget.inUse()).toBe(800 * 1024);
    expect(await failure(read([Buffer.alloc(300 * 1024)], undefined, {}, budget))).toMatchObject({ status: 429 });
    slow.end();
    expect((await held).length).toBe(800 * 1024);
    expect(budget.inUse()).toBe(0);
    expect((await read([Buffer.alloc(300 * 1024)], undefined, {}, budget)).length).toBe(300 * 1024);
  });

  it('cuts off a body that arrives slower than the minimum rate once the grace period is over, with 408', async () => {
    const source = new PassThrough();
    const started = performance.now();
    const body = readBody(source, {}, { ...limits, minBodyRate: 1000, bodyGraceSeconds: 1 }, new ReceiveBudget(MB));
    const drip = setInterval(() => source.write(Buffer.alloc(200)), 100); // 2000 B/s, then nothing
    setTimeout(() => clearInterval(drip), 1500);
    const err = await failure(body);
    clearInterval(drip);
    expect(err.status).toBe(408);
    expect(err.message).toMatch(/slower than the minimum of 1 KB\/s/);
    // Kept up for 1.5 s, then stalled: cut at the first check after the stall (2 or 3 s).
    const took = performance.now() - started;
    expect(took).toBeGreaterThan(1900);
    expect(took).toBeLessThan(3500);
  });
});
