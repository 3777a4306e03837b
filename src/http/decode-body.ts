// Request bodies are decompressed (gzip, deflate, zstd) as their bytes arrive, by streaming
// decoders that stop at the body limit whatever a header claims: nothing is ever allocated
// for the size a compressed body says it will have. gzip and deflate are Node's zlib streams
// (off the main thread); zstd is fzstd's streaming decoder behind ZstdFrameGuard, fed in small
// pieces with a turn of the event loop between them, as Node 20 has no zstd of its own.
import { Transform, type TransformCallback } from 'node:stream';
import zlib from 'node:zlib';
import { Decompress } from 'fzstd';
import { badRequest, tooLarge, unsupportedMedia } from './errors.js';
import { ZstdFrameGuard } from './zstd-frames.js';

export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${+(n / 1024 ** 3).toFixed(1)} GB`;
  return n >= 1024 * 1024 ? `${+(n / 1024 / 1024).toFixed(1)} MB` : `${Math.round(n / 1024)} KB`;
}

export function tooLargeBody(maxBytes: number, decompressed: boolean): Error {
  return tooLarge(`request body is larger than ${formatBytes(maxBytes)}${decompressed ? ' once decompressed' : ''}`);
}

/**
 * A stream from the body's bytes to its decoded bytes, or undefined when the body is not
 * compressed. Throws 415 for an unknown encoding; the stream fails with a 413 HttpError past
 * the limit, and with the decoder's own error for corrupt data (see decodeFailure).
 */
export function createBodyDecoder(encoding: string | undefined, maxBytes: number): Transform | undefined {
  const enc = (encoding ?? 'identity').trim().toLowerCase();
  switch (enc) {
    case '':
    case 'identity':
      return undefined;
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip();
    case 'deflate':
      return new DeflateDecoder();
    case 'zstd':
      return new ZstdDecoder(maxBytes);
    default:
      throw unsupportedMedia(`Content-Encoding "${encoding}" is not supported: use gzip, deflate, zstd or none`);
  }
}

/** A decoder's failure as the answer to give: limits pass through, corrupt data is a 400. */
export function decodeFailure(err: Error, encoding: string | undefined): Error {
  if ('status' in err) return err;
  return badRequest(`Content-Encoding ${encoding?.trim().toLowerCase()}: body could not be decompressed (${err.message})`);
}

/** HTTP "deflate" is zlib-wrapped, but some clients send raw deflate: the first two bytes tell. */
class DeflateDecoder extends Transform {
  private inner?: Transform;
  private head = Buffer.alloc(0);

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.inner) {
      this.writeInner(chunk, callback);
      return;
    }
    this.head = Buffer.concat([this.head, chunk]);
    if (this.head.length < 2) {
      callback();
      return;
    }
    const [cmf, flg] = this.head;
    const zlibWrapped = (cmf & 0x0f) === 8 && ((cmf << 8) | flg) % 31 === 0;
    const inner = zlibWrapped ? zlib.createInflate() : zlib.createInflateRaw();
    this.inner = inner;
    inner.on('data', (out: Buffer) => this.push(out));
    inner.on('error', (err) => this.destroy(err));
    this.writeInner(this.head, callback);
  }

  override _destroy(err: Error | null, callback: (err: Error | null) => void): void {
    this.inner?.destroy();
    callback(err);
  }

  private writeInner(chunk: Buffer, callback: TransformCallback): void {
    if (this.inner!.write(chunk)) callback();
    else this.inner!.once('drain', () => callback());
  }

  override _flush(callback: TransformCallback): void {
    if (!this.inner) {
      callback(this.head.length ? new Error('unexpected end of file') : undefined);
      return;
    }
    this.inner.once('end', () => callback());
    this.inner.end();
  }
}

/** Input is fed to fzstd in pieces this big, with a turn of the event loop between them. */
const ZSTD_PIECE = 64 * 1024;

class ZstdDecoder extends Transform {
  private readonly guard: ZstdFrameGuard;
  private readonly decoder: Decompress;
  private produced = 0;

  constructor(private readonly maxBytes: number) {
    super();
    this.guard = new ZstdFrameGuard(maxBytes);
    this.decoder = new Decompress((out) => {
      // fzstd decodes every whole block it has in one call (an RLE block is 4 bytes in, 128 KB
      // out), so the limit is checked here, not only by the reader downstream.
      this.produced += out.length;
      if (this.produced > this.maxBytes) throw tooLargeBody(this.maxBytes, true);
      if (out.length) this.push(Buffer.from(out.buffer, out.byteOffset, out.length));
    });
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    const feed = (at: number) => {
      try {
        const piece = chunk.subarray(at, at + ZSTD_PIECE);
        this.guard.check(piece);
        this.decoder.push(piece);
      } catch (err) {
        callback(err as Error);
        return;
      }
      if (at + ZSTD_PIECE < chunk.length) setImmediate(feed, at + ZSTD_PIECE);
      else callback();
    };
    feed(0);
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.decoder.push(new Uint8Array(0), true);
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }
}

/** Parses a JSON body, naming the problem and where it is when the text is not JSON. */
export function parseJsonBody(body: unknown): unknown {
  if (!Buffer.isBuffer(body) || body.length === 0) throw badRequest('request body is empty: send a JSON document');
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw badRequest(`request body is not valid JSON: ${(err as Error).message}`);
  }
}
