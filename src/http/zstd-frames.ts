// A zstd frame header declares the frame's content size and the window the decoder must keep,
// and decoders allocate that window before writing a byte: fzstd allocates whatever a 17-byte
// body claims (2 GB). ZstdFrameGuard reads the frame and block headers as the bytes arrive,
// ahead of the decoder, and refuses a frame whose declared size is over the body limit or
// whose window is over the 8 MB that HTTP's zstd content coding allows (RFC 9659), so the
// decoder never sees a header that would make it allocate more than that.
import { badRequest, tooLarge } from './errors.js';

/** RFC 9659: a zstd-encoded HTTP body uses a window of at most 8 MB. */
export const MAX_ZSTD_WINDOW = 8 * 1024 * 1024;

const ZSTD_MAGIC = 0xfd2fb528;
const SKIPPABLE_MAGIC = 0x184d2a50; // ...50 to ...5f: the low 4 bits are free

const mb = (n: number) => `${+(n / 1024 / 1024).toFixed(1)} MB`;

type State = 'frame' | 'skippable' | 'header' | 'block';

export class ZstdFrameGuard {
  private state: State = 'frame';
  /** Header bytes gathered so far (at most 18: the longest frame header). */
  private pending = Buffer.alloc(0);
  /** Bytes to pass over before the next header: block content, skippable content, checksum. */
  private skip = 0;
  private checksum = false;

  constructor(private readonly maxBytes: number) {}

  /** Throws 413 for a frame over the limits, 400 for bytes that are not zstd; else returns. */
  check(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.skip > 0) {
        const n = Math.min(this.skip, chunk.length - at);
        this.skip -= n;
        at += n;
        continue;
      }
      const need = this.needed();
      const take = Math.min(need - this.pending.length, chunk.length - at);
      this.pending = Buffer.concat([this.pending, chunk.subarray(at, at + take)]);
      at += take;
      if (this.pending.length === this.needed()) this.advance();
    }
  }

  /** Bytes of header the current state needs (it can grow once the first bytes are known). */
  private needed(): number {
    const p = this.pending;
    switch (this.state) {
      case 'frame':
        return 4;
      case 'skippable':
        return 8;
      case 'block':
        return 3;
      case 'header': {
        if (p.length < 5) return 5;
        const fhd = p[4];
        const singleSegment = (fhd >> 5) & 1;
        const fcsField = fhd >> 6;
        const dictBytes = [0, 1, 2, 4][fhd & 3];
        const sizeBytes = fcsField === 0 ? singleSegment : [0, 2, 4, 8][fcsField];
        return 5 + (singleSegment ? 0 : 1) + dictBytes + sizeBytes;
      }
    }
  }

  private advance(): void {
    const p = this.pending;
    switch (this.state) {
      case 'frame': {
        const magic = p.readUInt32LE(0);
        if (magic === ZSTD_MAGIC) this.state = 'header';
        else if ((magic & 0xfffffff0) >>> 0 === SKIPPABLE_MAGIC) this.state = 'skippable';
        else throw badRequest('Content-Encoding zstd: body is not zstd data');
        return; // keep the magic: the header's length is counted from the frame's start
      }
      case 'skippable':
        this.skip = p.readUInt32LE(4);
        this.state = 'frame';
        break;
      case 'header':
        this.checkHeader(p);
        this.state = 'block';
        break;
      case 'block': {
        const h = p[0] | (p[1] << 8) | (p[2] << 16);
        const type = (h >> 1) & 3;
        if (type === 3) throw badRequest('Content-Encoding zstd: body has a reserved block type');
        // Raw and compressed blocks carry `size` bytes; an RLE block carries one byte.
        this.skip = type === 1 ? 1 : h >>> 3;
        if (h & 1) {
          if (this.checksum) this.skip += 4;
          this.state = 'frame';
        }
        break;
      }
    }
    this.pending = Buffer.alloc(0);
  }

  private checkHeader(p: Buffer): void {
    const fhd = p[4];
    const singleSegment = (fhd >> 5) & 1;
    if (fhd & 8) throw badRequest('Content-Encoding zstd: frame header has its reserved bit set');
    this.checksum = ((fhd >> 2) & 1) === 1;
    const sizeAt = 5 + (singleSegment ? 0 : 1) + [0, 1, 2, 4][fhd & 3];
    const contentSize = readContentSize(p, sizeAt, p.length - sizeAt);
    if (contentSize !== undefined && contentSize > this.maxBytes) {
      throw tooLarge(`request body is larger than ${mb(this.maxBytes)} once decompressed (its zstd frame declares ${mb(contentSize)})`);
    }
    if (!singleSegment) {
      const wd = p[5];
      const base = 2 ** (10 + (wd >> 3));
      const window = base + (base / 8) * (wd & 7);
      if (window > MAX_ZSTD_WINDOW) {
        throw tooLarge(`Content-Encoding zstd: the frame's window of ${mb(window)} is over the ${mb(MAX_ZSTD_WINDOW)} HTTP allows (RFC 9659): compress with a smaller window`);
      }
    }
  }
}

function readContentSize(p: Buffer, at: number, bytes: number): number | undefined {
  switch (bytes) {
    case 1:
      return p[at];
    case 2:
      return p.readUInt16LE(at) + 256;
    case 4:
      return p.readUInt32LE(at);
    case 8:
      return p.readUInt32LE(at) + p.readUInt32LE(at + 4) * 2 ** 32;
    default:
      return undefined;
  }
}
