// A cursor over protobuf bytes for the hand-written OTLP readers (trace-wire.ts). Every read
// checks that it stays inside the message being read; anything this reader does not take
// (a malformed field, a varint past what the field allows, invalid UTF-8) throws DECLINE, which
// sends the request to the reference decoder (protobufjs) for its exact answer.
import { isUtf8 } from 'node:buffer';

/** Thrown, one shared instance with no stack, wherever a request is left to the reference path. */
export class Declined extends Error {}
export const DECLINE = new Declined('left to the reference decoder');

// Wire types.
export const VARINT = 0;
export const FIXED64 = 1;
export const LEN = 2;
export const FIXED32 = 5;

/** The last id read from a body, and where its bytes are. */
export interface IdMemo {
  at: number;
  hex: string | undefined;
}

/**
 * Recently read short ASCII strings, by a hash of their bytes (direct-mapped, so bounded).
 * Attribute names and many values repeat from span to span: returning the same string saves
 * building it, and V8 then finds an attribute name already internalized when it becomes a key.
 */
const CACHE_SLOTS = 4096;
const CACHED_MAX_BYTES = 32;
const cache: (string | undefined)[] = new Array<string | undefined>(CACHE_SLOTS).fill(undefined);

/**
 * Node's Buffer has these native slices (what toString(encoding, start, end) calls after checking
 * its arguments); @types/node does not declare them.
 */
type SlicingBuffer = Buffer & {
  latin1Slice(start: number, end: number): string;
  utf8Slice(start: number, end: number): string;
  base64Slice(start: number, end: number): string;
  hexSlice(start: number, end: number): string;
};

const memo = (): IdMemo => ({ at: -1, hex: undefined });

export class Wire {
  pos = 0;
  /** Ids read from this body, by kind (see id()). */
  readonly ids = { trace: memo(), span: memo(), parent: memo(), linkTrace: memo(), linkSpan: memo() };
  /** The same bytes as a Buffer, for its native text decoders. */
  readonly text: SlicingBuffer;

  constructor(readonly buf: Uint8Array) {
    this.text = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength) as SlicingBuffer;
  }

  /** A varint of at most 32 bits (tags, lengths, enums, counts); longer ones are declined. */
  varint32(end: number): number {
    const buf = this.buf;
    let p = this.pos;
    let b = buf[p++];
    let v = b & 0x7f;
    if (b >= 0x80) {
      b = buf[p++];
      v |= (b & 0x7f) << 7;
      if (b >= 0x80) {
        b = buf[p++];
        v |= (b & 0x7f) << 14;
        if (b >= 0x80) {
          b = buf[p++];
          v |= (b & 0x7f) << 21;
          if (b >= 0x80) {
            b = buf[p++];
            if (b > 0x0f) throw DECLINE;
            v = (v >>> 0) + b * 2 ** 28;
          }
        }
      }
    }
    // Reading past the end gives undefined, which ends the varint: caught here.
    if (p > end) throw DECLINE;
    this.pos = p;
    return v;
  }

  /** A signed 64-bit varint as a number; values past 2^53 are declined. */
  int64(end: number): number {
    const buf = this.buf;
    let p = this.pos;
    let lo = 0;
    let hi = 0;
    for (let i = 0, shift = 0; ; i++, shift += 7) {
      if (i === 10 || p >= end) throw DECLINE;
      const b = buf[p++];
      if (i < 4) lo |= (b & 0x7f) << shift;
      else if (i === 4) {
        lo |= (b & 0x0f) << 28;
        hi = (b & 0x7f) >> 4;
      } else hi |= (b & 0x7f) << (shift - 32);
      if (b < 0x80) break;
    }
    this.pos = p;
    const n = (hi | 0) * 4294967296 + (lo >>> 0);
    if (!Number.isSafeInteger(n)) throw DECLINE;
    return n;
  }

  /** Reads a length and returns where that length-delimited field ends. */
  sub(end: number): number {
    const len = this.varint32(end);
    const stop = this.pos + len;
    if (stop > end) throw DECLINE;
    return stop;
  }

  /** A field's tag; field number 0 is not valid protobuf. */
  tag(end: number): number {
    const t = this.varint32(end);
    if (t < 8) throw DECLINE;
    return t;
  }

  /** Steps over a fixed64 and returns where it starts. */
  fixed64(end: number): number {
    const p = this.pos;
    if (p + 8 > end) throw DECLINE;
    this.pos = p + 8;
    return p;
  }

  uint32At(p: number): number {
    const buf = this.buf;
    return (buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16)) + buf[p + 3] * 0x1000000;
  }

  double(end: number): number {
    return this.text.readDoubleLE(this.fixed64(end));
  }

  /** A string field's text; invalid UTF-8 (which protobufjs refuses) is declined. */
  string(end: number): string {
    const stop = this.sub(end);
    const start = this.pos;
    this.pos = stop;
    if (stop - start > CACHED_MAX_BYTES) return this.longText(start, stop);
    const buf = this.buf;
    let h = 0x811c9dc5 ^ (stop - start);
    for (let p = start; p < stop; p++) {
      const c = buf[p];
      if (c >= 0x80) return this.utf8(start, stop);
      h = Math.imul(h ^ c, 0x01000193);
    }
    const slot = h & (CACHE_SLOTS - 1);
    const hit = cache[slot];
    if (hit !== undefined && hit.length === stop - start) {
      let same = true;
      for (let i = 0; i < hit.length; i++) {
        if (hit.charCodeAt(i) !== buf[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return hit;
    }
    const s = this.text.latin1Slice(start, stop);
    cache[slot] = s;
    return s;
  }

  private longText(start: number, stop: number): string {
    const buf = this.buf;
    for (let p = start; p < stop; p++) if (buf[p] >= 0x80) return this.utf8(start, stop);
    return this.text.latin1Slice(start, stop);
  }

  private utf8(start: number, stop: number): string {
    if (!isUtf8(this.buf.subarray(start, stop))) throw DECLINE;
    return this.text.utf8Slice(start, stop);
  }

  /** Steps over a string field the mapping does not read, checking its UTF-8 as protobufjs does. */
  skipString(end: number): void {
    const stop = this.sub(end);
    const buf = this.buf;
    for (let p = this.pos; p < stop; p++) {
      if (buf[p] >= 0x80) {
        if (!isUtf8(buf.subarray(this.pos, stop))) throw DECLINE;
        break;
      }
    }
    this.pos = stop;
  }

  /** Steps over a field of the given wire type (unknown fields, and known ones the mapping ignores). */
  skip(wireType: number, end: number): void {
    if (wireType === VARINT) {
      const buf = this.buf;
      for (let p = this.pos, i = 0; i < 10 && p < end; i++) {
        if (buf[p++] < 0x80) {
          this.pos = p;
          return;
        }
      }
      throw DECLINE;
    }
    if (wireType === FIXED64) this.fixed64(end);
    else if (wireType === LEN) this.pos = this.sub(end);
    else if (wireType === FIXED32 && this.pos + 4 <= end) this.pos += 4;
    else throw DECLINE; // groups (3, 4) and wire types 6 and 7
  }

  /** A bytes field as base64. */
  base64(end: number): string {
    const stop = this.sub(end);
    const s = this.text.base64Slice(this.pos, stop);
    this.pos = stop;
    return s;
  }

  /**
   * A trace or span id as hex; undefined when empty or all zeros, declined at any length but
   * `bytes`. `memo` holds the last id read with it: neighbouring spans mostly share their trace
   * id and parent, and the same string then saves making one (and lets comparisons stop at identity).
   */
  id(end: number, bytes: number, memo: IdMemo): string | undefined {
    const stop = this.sub(end);
    const start = this.pos;
    this.pos = stop;
    if (stop === start) return undefined;
    if (stop - start !== bytes) throw DECLINE;
    const buf = this.buf;
    if (memo.at >= 0 && memo.hex !== undefined) {
      let same = true;
      for (let i = 0; i < bytes; i++) {
        if (buf[memo.at + i] !== buf[start + i]) {
          same = false;
          break;
        }
      }
      if (same) return memo.hex;
    }
    let any = 0;
    for (let p = start; p < stop; p++) any |= buf[p];
    const hex = any === 0 ? undefined : this.text.hexSlice(start, stop);
    memo.at = start;
    memo.hex = hex;
    return hex;
  }
}
