// Turns one incoming event (data, time, samplerate) into a StoredEvent, or names what is wrong
// with it. Shared by every protocol adapter. The rules, documented in docs/events.md:
//  - nested objects become dotted names: {"http":{"status":500}} -> "http.status";
//  - arrays are kept as their JSON text; null values are dropped;
//  - string values longer than the limit are cut to it (at a character boundary);
//  - names starting with "__" are reserved for Tend's own columns; names may not contain NUL.
import type { IngestLimits } from '../config.js';
import { RESERVED_PREFIX, type FieldValue, type StoredEvent } from '../store/index.js';
import { parseEventTime } from './event-time.js';

export type NormalizeResult = { ok: true; event: StoredEvent } | { ok: false; problem: string };

/** Deeper nesting than this is kept as JSON text instead of more dotted levels. */
const MAX_DEPTH = 32;
/** What a number or boolean counts for in the event size. */
const SCALAR_BYTES = 8;

class EventProblem extends Error {}

export function normalizeEvent(
  data: unknown,
  time: unknown,
  samplerate: unknown,
  receivedUs: number,
  limits: IngestLimits,
): NormalizeResult {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, problem: `data: expected a JSON object, got ${describe(data)}` };
  }
  const rate = readSamplerate(samplerate);
  if (rate === undefined) return { ok: false, problem: `samplerate: expected a whole number of at least 1, got ${preview(samplerate)}` };
  const t = parseEventTime(time, receivedUs);
  if (!t.ok) return { ok: false, problem: t.problem };
  // Most events are already flat and within every limit: kept as they are, not copied.
  if (storableAsIs(data as Record<string, unknown>, limits)) return { ok: true, event: { time: t.us, samplerate: rate, fields: data as Record<string, FieldValue> } };
  const fields: Record<string, FieldValue> = {};
  const state = { count: 0, bytes: 0 };
  try {
    flattenInto(fields, '', data as Record<string, unknown>, 0, state, limits);
  } catch (err) {
    if (err instanceof EventProblem) return { ok: false, problem: err.message };
    throw err;
  }
  return { ok: true, event: { time: t.us, samplerate: rate, fields } };
}

/**
 * True when flattening would give back exactly `obj`: only strings short enough never to be
 * cut, numbers and booleans, under names that pass the checks below, within the field count and
 * event size. Anything else (nesting, arrays, nulls, a long string, a name or limit to report)
 * takes the full path, which also finds the problem.
 */
function storableAsIs(obj: Record<string, unknown>, limits: IngestLimits): boolean {
  let count = 0;
  let bytes = 0;
  for (const name in obj) {
    const value = obj[name];
    if (typeof value === 'string') {
      if (value.length * 3 > limits.maxStringBytes) return false;
      bytes += name.length + value.length;
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      bytes += name.length + SCALAR_BYTES;
    } else {
      return false;
    }
    if (name.length === 0 || name.includes('\u0000') || name.startsWith(RESERVED_PREFIX)) return false;
    if (++count > limits.maxFieldsPerEvent) return false;
  }
  return bytes <= limits.maxEventBytes;
}

function readSamplerate(value: unknown): number | undefined {
  if (value === undefined || value === null) return 1;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}

/** A short rendering of a bad value for an error message; objects are named, not serialized. */
function preview(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.slice(0, 40));
  if (v !== null && typeof v === 'object') return describe(v);
  return String(v);
}

/** JSON text of an array or too-deep object; nesting past the stack is a client problem. */
function jsonText(value: object, name: string): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (err instanceof RangeError) throw new EventProblem(`data.${name}: nested too deeply`);
    throw err;
  }
}

function flattenInto(
  out: Record<string, FieldValue>,
  prefix: string,
  obj: Record<string, unknown>,
  depth: number,
  state: { count: number; bytes: number },
  limits: IngestLimits,
): void {
  for (const key in obj) {
    const value = obj[key];
    if (value === null || value === undefined) continue;
    const name = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'object' && !Array.isArray(value) && depth < MAX_DEPTH) {
      flattenInto(out, name, value as Record<string, unknown>, depth + 1, state, limits);
      continue;
    }
    if (name.length === 0) throw new EventProblem('data: a field has an empty name');
    // The store cannot name a column with NUL; no client means one.
    if (name.includes('\u0000')) throw new EventProblem(`data.${name.replaceAll('\u0000', '\\u0000').slice(0, 100)}: field names may not contain the NUL character`);
    if (name.startsWith(RESERVED_PREFIX)) throw new EventProblem(`data.${name}: names starting with "${RESERVED_PREFIX}" are reserved`);
    if (++state.count > limits.maxFieldsPerEvent) {
      throw new EventProblem(`data: more than ${limits.maxFieldsPerEvent} fields after flattening`);
    }
    let stored: FieldValue;
    if (typeof value === 'string') stored = truncate(value, limits.maxStringBytes);
    else if (typeof value === 'number' || typeof value === 'boolean') stored = value;
    else stored = truncate(jsonText(value as object, name), limits.maxStringBytes);
    state.bytes += name.length + (typeof stored === 'string' ? stored.length : SCALAR_BYTES);
    if (state.bytes > limits.maxEventBytes) {
      throw new EventProblem(`data: event is larger than ${Math.round(limits.maxEventBytes / 1024)} KB`);
    }
    out[name] = stored;
  }
}

/** Cuts a string to at most `maxBytes` of UTF-8 without splitting a character. */
export function truncate(s: string, maxBytes: number): string {
  // A UTF-16 unit is at most 3 UTF-8 bytes, so short strings need no measuring.
  if (s.length * 3 <= maxBytes) return s;
  const buf = Buffer.from(s, 'utf8');
  if (buf.length <= maxBytes) return s;
  let end = maxBytes;
  while (end > 0 && (buf[end] & 0xc0) === 0x80) end--; // step back to a character start
  return buf.subarray(0, end).toString('utf8');
}
