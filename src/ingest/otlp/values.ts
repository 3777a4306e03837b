// Reading OTLP values the same way whether they came from protobuf (ids as bytes, 64-bit
// integers as Long) or from OTLP JSON (ids as hex, 64-bit integers as strings or numbers,
// enums as numbers or names). Anything of the wrong shape throws an OtlpProblem naming the
// field, which the mappers turn into a rejected item with that message.

/** A problem with one item of a request (a span, a log record, a data point), or the whole body. */
export class OtlpProblem extends Error {}

/** The shape protobufjs gives 64-bit integers (the `long` package). */
interface LongLike {
  low: number;
  high: number;
  unsigned?: boolean;
}

const HEX = /^[0-9a-fA-F]*$/;

function isLong(v: unknown): v is LongLike {
  return typeof v === 'object' && v !== null && typeof (v as LongLike).low === 'number' && typeof (v as LongLike).high === 'number';
}

/**
 * A trace or span id as lower-case hex, or undefined when absent (empty or all zeros).
 * `bytes` is the required length (16 for trace ids, 8 for span ids).
 */
export function readId(value: unknown, bytes: number, field: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  let hex: string;
  if (value instanceof Uint8Array) {
    if (value.length === 0) return undefined;
    if (value.length !== bytes) throw new OtlpProblem(`${field}: expected ${bytes} bytes, got ${value.length}`);
    hex = Buffer.from(value.buffer, value.byteOffset, value.length).toString('hex');
  } else if (typeof value === 'string') {
    if (value === '') return undefined;
    if (value.length !== bytes * 2 || !HEX.test(value)) {
      throw new OtlpProblem(`${field}: expected ${bytes * 2} hex characters, got "${value.slice(0, 80)}"`);
    }
    hex = value.toLowerCase();
  } else if (Array.isArray(value) && value.length === 0) {
    return undefined; // protobufjs' default for an absent bytes field
  } else {
    throw new OtlpProblem(`${field}: expected a hex string`);
  }
  return /^0+$/.test(hex) ? undefined : hex;
}

/** An unsigned 64-bit nanosecond time as whole microseconds plus the leftover nanoseconds. */
export interface NanoTime {
  us: number;
  ns: number;
}

const ZERO: NanoTime = { us: 0, ns: 0 };

/** An unsigned 64-bit count of nanoseconds given as its high and low 32 bits. */
export function nanosOf(high: number, low: number): NanoTime {
  // high * 2^32 + low, and 2^32 = 4294967 * 1000 + 296: divide without leaving doubles' exact range.
  const rest = high * 296 + low;
  return { us: high * 4294967 + Math.floor(rest / 1000), ns: rest % 1000 };
}

/** Reads a fixed64 nanosecond timestamp exactly (a plain double would round it to 256 ns). */
export function readNanos(value: unknown, field: string): NanoTime {
  if (value === undefined || value === null || value === 0 || value === '' || value === '0') return ZERO;
  if (isLong(value)) return nanosOf(value.high >>> 0, value.low >>> 0);
  if (typeof value === 'string' && /^\d{1,20}$/.test(value)) {
    if (value.length <= 3) return { us: 0, ns: Number(value) };
    return { us: Number(value.slice(0, -3)), ns: Number(value.slice(-3)) };
  }
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) {
    const us = Math.floor(value / 1000);
    return { us, ns: Math.max(0, Math.round(value - us * 1000)) };
  }
  throw new OtlpProblem(`${field}: expected nanoseconds since the epoch as a string of digits, got ${JSON.stringify(value)?.slice(0, 40)}`);
}

export function isUnset(t: NanoTime): boolean {
  return t.us === 0 && t.ns === 0;
}

/** Milliseconds from `start` to `end`, to the nanosecond. */
export function millisBetween(start: NanoTime, end: NanoTime): number {
  return ((end.us - start.us) * 1000 + (end.ns - start.ns)) / 1e6;
}

/** A 64-bit integer as a JS number when it is exact, else as its decimal text. */
export function readInt64(value: unknown, field: string): number | string {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (isLong(value)) {
    const signed = !value.unsigned;
    const big = (BigInt(signed ? value.high : value.high >>> 0) << 32n) + BigInt(value.low >>> 0);
    const n = Number(big);
    return Number.isSafeInteger(n) ? n : big.toString();
  }
  if (typeof value === 'string' && /^-?\d{1,20}$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : BigInt(value).toString();
  }
  throw new OtlpProblem(`${field}: expected a 64-bit integer, got ${JSON.stringify(value)?.slice(0, 40)}`);
}

/** A count (uint64) as a number; counts past 2^53 lose their last digits, which is fine for counts. */
export function readCount(value: unknown, field: string): number {
  if (value === undefined || value === null) return 0;
  const n = readInt64(value, field);
  return typeof n === 'number' ? n : Number(n);
}

/** A double, accepting the OTLP JSON spellings of the special values. */
export function readDouble(value: unknown, field: string): number {
  if (typeof value === 'number') return value;
  if (value === 'NaN') return NaN;
  if (value === 'Infinity') return Infinity;
  if (value === '-Infinity') return -Infinity;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  throw new OtlpProblem(`${field}: expected a number, got ${JSON.stringify(value)?.slice(0, 40)}`);
}

/** An enum given as its number (protobuf, OTLP JSON) or, leniently, its name. */
export function readEnum(value: unknown, names: readonly string[], field: string): number {
  if (value === undefined || value === null) return 0;
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string') {
    const at = names.indexOf(value);
    if (at >= 0) return at;
  }
  throw new OtlpProblem(`${field}: expected one of ${names.join(', ')} or its number, got ${JSON.stringify(value)?.slice(0, 40)}`);
}

export function readString(value: unknown, field: string): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  throw new OtlpProblem(`${field}: expected a string, got ${typeof value}`);
}

/** A field the sender set: own property, not null (protobufjs keeps defaults on the prototype). */
export function given(obj: Record<string, unknown>, name: string): unknown {
  return Object.hasOwn(obj, name) ? (obj[name] ?? undefined) : undefined;
}

export function readList(value: unknown, field: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  throw new OtlpProblem(`${field}: expected a list`);
}

export function readObject(value: unknown, field: string): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  throw new OtlpProblem(`${field}: expected an object`);
}

/** A value Tend can store (nested objects are flattened to dotted names by normalizeEvent). */
export type AttrValue = string | number | boolean | AttrValue[] | { [key: string]: AttrValue } | undefined;

/** Deeper AnyValue nesting is refused: nothing real nests this far, and recursion must stay bounded. */
const MAX_DEPTH = 32;

/** Re-throws a problem found inside `path` with the path in front of it. */
export function under(path: string, err: unknown): never {
  if (err instanceof OtlpProblem) throw new OtlpProblem(`${path}${err.message}`);
  throw err;
}

/**
 * An AnyValue as a plain value: maps stay objects (dotted names once stored), lists become JSON
 * text. Hot path: no strings are built unless something is wrong.
 */
export function readAnyValue(value: unknown, field: string, depth = 0): AttrValue {
  if (depth > MAX_DEPTH) throw new OtlpProblem(`${field}: values nest deeper than ${MAX_DEPTH} levels`);
  const v = readObject(value, field);
  if (!v) return undefined;
  // Only a field the sender set counts: protobufjs puts every oneof member's default on the prototype.
  const str = given(v, 'stringValue');
  if (str !== undefined) return readString(str, field + '.stringValue');
  const int = given(v, 'intValue');
  if (int !== undefined) return typeof int === 'number' && Number.isSafeInteger(int) ? int : readInt64(int, field + '.intValue');
  const dbl = given(v, 'doubleValue');
  if (dbl !== undefined) {
    const d = typeof dbl === 'number' ? dbl : readDouble(dbl, field + '.doubleValue');
    return Number.isFinite(d) ? d : String(d);
  }
  const bool = given(v, 'boolValue');
  if (bool !== undefined) {
    if (typeof bool !== 'boolean') throw new OtlpProblem(`${field}.boolValue: expected true or false`);
    return bool;
  }
  const arr = given(v, 'arrayValue');
  if (arr !== undefined) {
    const list = readList(readObject(arr, `${field}.arrayValue`)?.values, `${field}.arrayValue.values`);
    return list.map((x, i) => readAnyValue(x, `${field}.arrayValue.values[${i}]`, depth + 1) ?? null) as AttrValue[];
  }
  const kv = given(v, 'kvlistValue');
  if (kv !== undefined) {
    const out: Record<string, AttrValue> = {};
    addAttributes(out, readObject(kv, `${field}.kvlistValue`)?.values, `${field}.kvlistValue.values`, depth + 1);
    return out;
  }
  const bytes = given(v, 'bytesValue');
  if (bytes !== undefined) {
    if (bytes instanceof Uint8Array) return Buffer.from(bytes).toString('base64');
    return readString(bytes, `${field}.bytesValue`); // OTLP JSON sends bytes as base64 already
  }
  return undefined;
}

/** Adds a KeyValue list to `out` under each key; later lists win over earlier ones. */
export function addAttributes(out: Record<string, AttrValue>, list: unknown, field: string, depth = 0): void {
  const items = readList(list, field);
  for (let i = 0; i < items.length; i++) {
    try {
      const kv = readObject(items[i], '');
      if (!kv) continue;
      const key = readString(kv.key, '.key');
      if (key === '') throw new OtlpProblem('.key: attribute name is empty');
      // Tend's own columns start with "__" (and "__proto__" must never become a property store).
      if (key.startsWith('__')) throw new OtlpProblem(`.key: attribute names starting with "__" are reserved, got "${key.slice(0, 40)}"`);
      const value = readAnyValue(kv.value, '.value', depth);
      if (value !== undefined) out[key] = value;
    } catch (err) {
      under(`${field}[${i}]`, err);
    }
  }
}
