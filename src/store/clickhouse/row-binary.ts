// ClickHouse's RowBinary format, the values Tend's tables hold: Int64 (times and sample rates)
// and Nullable String, Int64, Float64 and UInt8 (the fields). A row is its values in the order
// of the INSERT's column list, each little-endian at its full width; a Nullable value is a byte
// 1 for NULL, or 0 and the value; a String is its UTF-8 length (LEB128) and its bytes. The same
// on 18.16 and current ClickHouse.
//
// Why binary: ClickHouse parses these rows for a fraction of the CPU JSONEachRow costs it, and on
// a machine whose cores the nodes share with ClickHouse that CPU is what limits ingest.

const TWO_32 = 2 ** 32;

/** A growing buffer of RowBinary values. */
export class RowBinaryWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(expectedBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(expectedBytes);
  }

  /** The bytes written so far (a view, not a copy). */
  bytes(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  null(): void {
    this.room(1);
    this.buf[this.pos++] = 1;
  }

  /** A value of a Nullable column that is not NULL follows. */
  present(): void {
    this.room(1);
    this.buf[this.pos++] = 0;
  }

  /** A safe integer as Int64. */
  int64(n: number): void {
    this.room(8);
    const high = Math.floor(n / TWO_32);
    this.buf.writeUInt32LE(n - high * TWO_32, this.pos);
    this.buf.writeInt32LE(high, this.pos + 4);
    this.pos += 8;
  }

  float64(n: number): void {
    this.room(8);
    this.pos = this.buf.writeDoubleLE(n, this.pos);
  }

  uint8(n: number): void {
    this.room(1);
    this.buf[this.pos++] = n;
  }

  string(s: string): void {
    const n = s.length;
    // Short ASCII, most field values: one length byte and a byte per character, copied here
    // (cheaper than a call into Buffer.write for strings this short).
    if (n < 128) {
      this.room(n + 1);
      const buf = this.buf;
      let p = this.pos + 1;
      let i = 0;
      for (; i < n; i++) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
      if (i === n) {
        buf[this.pos] = n;
        this.pos = p;
        return;
      }
    }
    const bytes = Buffer.byteLength(s, 'utf8');
    this.room(bytes + 5);
    this.varUInt(bytes);
    this.pos += this.buf.write(s, this.pos, bytes, 'utf8');
  }

  private varUInt(n: number): void {
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n >>>= 7;
    }
    this.buf[this.pos++] = n;
  }

  private room(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}
