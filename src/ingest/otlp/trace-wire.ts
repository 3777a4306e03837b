// OTLP/protobuf trace requests read straight from the wire into events: the hot path of span
// ingest. The reference path (protobufjs, then mapTraces, then normalizeEvent) builds every
// message as an object and every event twice (the draft, then the flat copy); this reader walks
// the bytes once and makes each event's final fields in one step (field-shapes.ts).
//
// It takes only what it maps exactly as the reference path would. On anything else — a
// malformed or unusual encoding, a span the reference path refuses, a map-valued attribute
// (flattened to dotted names there), an event near the size limits — it declines, and the
// caller runs the reference path on the same bytes, which gives the exact answer: partial
// success naming the refused items, or a 400 naming the problem. The tests compare the two
// paths value by value.
import type { FieldValue } from '../../store/index.js';
import { parseEventTime } from '../event-time.js';
import { truncate } from '../normalize.js';
import { FieldSeq } from './field-shapes.js';
import { KIND_NAMES, STATUS_ERROR } from './map-traces.js';
import { datasetFor, samplerateFrom, UNKNOWN_SERVICE, type MappedRequest } from './mapped.js';
import { millisBetween, nanosOf, type NanoTime } from './values.js';
import { DECLINE, FIXED32, FIXED64, LEN, VARINT, Wire } from './wire.js';

/** Nesting of array values taken here; deeper ones go to the reference path. */
const MAX_ARRAY_DEPTH = 8;
const tag = (field: number, wireType: number) => (field << 3) | wireType;

/** What every event under one scope starts from. */
interface Scope {
  fields: FieldSeq;
  service: string;
  dataset: string;
  req: MappedRequest;
}

/** The span a span event or link points at. */
interface SpanRef {
  traceId: string;
  spanId: string;
  name: string;
  start: NanoTime;
  samplerate: number;
}

/** Events are made one at a time, so one sequence serves them all. */
const event = new FieldSeq();

/**
 * Maps an ExportTraceServiceRequest from its protobuf bytes into `req`. Returns false, with
 * `req` partly filled, when the request must go the reference way instead.
 */
export function readTraceRequest(body: Uint8Array, req: MappedRequest): boolean {
  const w = new Wire(body);
  const end = body.length;
  try {
    while (w.pos < end) {
      const t = w.tag(end);
      if (t === tag(1, LEN)) {
        const stop = w.sub(end);
        resourceSpans(w, w.pos, stop, req);
        w.pos = stop;
      } else if (t >>> 3 === 1) throw DECLINE;
      else w.skip(t & 7, end);
    }
    return true;
  } catch (err) {
    if (err === DECLINE) return false;
    throw err;
  }
}

function resourceSpans(w: Wire, start: number, end: number, req: MappedRequest): void {
  // Fields may come in any order: the resource first, then the scopes that need it.
  const resourceAt = findOnly(w, start, end, 1);
  const origin = new FieldSeq();
  if (resourceAt >= 0) {
    w.pos = resourceAt;
    attributesOf(w, w.sub(end), origin, false, req);
  }
  const named = origin.get('service.name');
  const service = typeof named === 'string' && named.trim() !== '' ? named : UNKNOWN_SERVICE;
  // The reference path names the dataset before cutting the value to the string limit.
  if (service.length * 3 > req.limits.maxStringBytes) throw DECLINE;
  origin.set('service.name', service);
  const dataset = datasetFor(service, undefined);

  w.pos = start;
  while (w.pos < end) {
    const t = w.tag(end);
    if (t === tag(2, LEN)) {
      const stop = w.sub(end);
      scopeSpans(w, w.pos, stop, { fields: origin, service, dataset, req });
      w.pos = stop;
    } else if (t === tag(3, LEN)) w.skipString(end);
    else if (t >>> 3 <= 3 && t !== tag(1, LEN)) throw DECLINE;
    else w.skip(t & 7, end);
  }
}

function scopeSpans(w: Wire, start: number, end: number, origin: Scope): void {
  const scopeAt = findOnly(w, start, end, 1);
  const fields = origin.fields.copy();
  if (scopeAt >= 0) {
    w.pos = scopeAt;
    attributesOf(w, w.sub(end), fields, true, origin.req);
  }
  const scope: Scope = { ...origin, fields };

  w.pos = start;
  while (w.pos < end) {
    const t = w.tag(end);
    if (t === tag(2, LEN)) {
      const stop = w.sub(end);
      origin.req.items++;
      span(w, stop, scope);
      w.pos = stop;
    } else if (t === tag(3, LEN)) w.skipString(end);
    else if (t >>> 3 <= 3 && t !== tag(1, LEN)) throw DECLINE;
    else w.skip(t & 7, end);
  }
}

/** Where the one length-delimited field `field` of a message starts (-1: absent); declines when it repeats. */
function findOnly(w: Wire, start: number, end: number, field: number): number {
  let at = -1;
  w.pos = start;
  while (w.pos < end) {
    const t = w.tag(end);
    if (t >>> 3 === field) {
      if (at >= 0 || (t & 7) !== LEN) throw DECLINE;
      at = w.pos;
    }
    w.skip(t & 7, end);
  }
  return at;
}

/** A Resource's attributes, or an InstrumentationScope's plus its name and version. */
function attributesOf(w: Wire, end: number, into: FieldSeq, isScope: boolean, req: MappedRequest): void {
  const attributes = isScope ? 3 : 1;
  const dropped = isScope ? 4 : 2;
  let name = '';
  let version = '';
  while (w.pos < end) {
    const t = w.tag(end);
    if (t === tag(attributes, LEN)) attribute(w, w.sub(end), into, req, !isScope);
    else if (isScope && t === tag(1, LEN)) name = w.string(end);
    else if (isScope && t === tag(2, LEN)) version = w.string(end);
    else if (t === tag(dropped, VARINT)) w.varint32(end);
    else if (t >>> 3 <= dropped) throw DECLINE;
    else w.skip(t & 7, end);
  }
  if (name) into.set('library.name', cut(name, req));
  if (version) into.set('library.version', cut(version, req));
}

function cut(s: string, req: MappedRequest): string {
  return s.length * 3 > req.limits.maxStringBytes ? truncate(s, req.limits.maxStringBytes) : s;
}

/** One KeyValue; names the reference path refuses, and map values, are declined. */
function attribute(w: Wire, end: number, into: FieldSeq, req: MappedRequest, ofResource = false): void {
  let key: string | undefined;
  let value: FieldValue | FieldValue[] | undefined;
  while (w.pos < end) {
    const t = w.tag(end);
    if (t === KEY && key === undefined) key = w.string(end);
    else if (t === VALUE && value === undefined) value = anyValue(w, w.sub(end), 0);
    else throw DECLINE;
  }
  if (key === undefined || key === '' || value === undefined || key.startsWith('__') || key.includes('\u0000')) throw DECLINE;
  // The reference path reads a resource's service.name before a list becomes its JSON text (and then ignores it).
  if (ofResource && key === 'service.name' && Array.isArray(value)) throw DECLINE;
  into.set(key, typeof value === 'string' ? cut(value, req) : Array.isArray(value) ? cut(JSON.stringify(value), req) : value);
}

// AnyValue members (opentelemetry/proto/common/v1/common.proto); 6, kvlist_value, is left to the reference path.
const VALUE_STRING = tag(1, LEN);
const VALUE_BOOL = tag(2, VARINT);
const VALUE_INT = tag(3, VARINT);
const VALUE_DOUBLE = tag(4, FIXED64);
const VALUE_ARRAY = tag(5, LEN);
const VALUE_BYTES = tag(7, LEN);
const KEY = tag(1, LEN);
const VALUE = tag(2, LEN);

/** An AnyValue as readAnyValue (values.ts) gives it: one member set, lists as arrays. */
function anyValue(w: Wire, end: number, depth: number): FieldValue | FieldValue[] {
  let value: FieldValue | FieldValue[] | undefined;
  let members = 0;
  while (w.pos < end) {
    const t = w.tag(end);
    members++;
    switch (t) {
      case VALUE_STRING:
        value = w.string(end);
        break;
      case VALUE_BOOL:
        value = w.varint32(end) !== 0;
        break;
      case VALUE_INT:
        value = w.int64(end);
        break;
      case VALUE_DOUBLE: {
        const d = w.double(end);
        value = Number.isFinite(d) ? d : String(d);
        break;
      }
      case VALUE_ARRAY:
        value = arrayValue(w, w.sub(end), depth + 1);
        break;
      case VALUE_BYTES:
        value = w.base64(end);
        break;
      default:
        throw DECLINE;
    }
  }
  // An empty AnyValue, or two members of the one-of: rare, and the reference path says what they mean.
  if (members !== 1 || value === undefined) throw DECLINE;
  return value;
}

function arrayValue(w: Wire, end: number, depth: number): FieldValue[] {
  if (depth > MAX_ARRAY_DEPTH) throw DECLINE;
  const out: FieldValue[] = [];
  while (w.pos < end) {
    if (w.tag(end) !== tag(1, LEN)) throw DECLINE;
    out.push(anyValue(w, w.sub(end), depth) as FieldValue);
  }
  return out;
}

const EVENTS = 11;
const LINKS = 13;
// Span fields (opentelemetry/proto/trace/v1/trace.proto), as tags: number and wire type.
const SPAN_TRACE_ID = tag(1, LEN);
const SPAN_SPAN_ID = tag(2, LEN);
const SPAN_TRACE_STATE = tag(3, LEN);
const SPAN_PARENT_ID = tag(4, LEN);
const SPAN_NAME = tag(5, LEN);
const SPAN_KIND = tag(6, VARINT);
const SPAN_START = tag(7, FIXED64);
const SPAN_END = tag(8, FIXED64);
const SPAN_ATTRIBUTE = tag(9, LEN);
const SPAN_DROPPED_ATTRIBUTES = tag(10, VARINT);
const SPAN_EVENT = tag(EVENTS, LEN);
const SPAN_DROPPED_EVENTS = tag(12, VARINT);
const SPAN_LINK = tag(LINKS, LEN);
const SPAN_DROPPED_LINKS = tag(14, VARINT);
const SPAN_STATUS = tag(15, LEN);
const SPAN_FLAGS = tag(16, FIXED32);

function span(w: Wire, end: number, scope: Scope): void {
  const { req } = scope;
  event.reset(scope.fields);
  let traceId: string | undefined;
  let spanId: string | undefined;
  let parentId: string | undefined;
  let name = '';
  let kind = 0;
  let startAt = -1;
  let endAt = -1;
  let statusAt = -1;
  /** Field number, start and end of each span event and link, read once the span is known. */
  let nested: number[] | undefined;
  while (w.pos < end) {
    const t = w.tag(end);
    switch (t) {
      case SPAN_TRACE_ID:
        traceId = w.id(end, 16, w.ids.trace);
        break;
      case SPAN_SPAN_ID:
        spanId = w.id(end, 8, w.ids.span);
        break;
      case SPAN_PARENT_ID:
        parentId = w.id(end, 8, w.ids.parent);
        break;
      case SPAN_NAME:
        name = w.string(end);
        break;
      case SPAN_KIND:
        kind = w.varint32(end);
        if (kind > 0x7fffffff) throw DECLINE;
        break;
      case SPAN_START:
        startAt = w.fixed64(end);
        break;
      case SPAN_END:
        endAt = w.fixed64(end);
        break;
      case SPAN_ATTRIBUTE:
        attribute(w, w.sub(end), event, req);
        break;
      case SPAN_EVENT:
      case SPAN_LINK: {
        const stop = w.sub(end);
        (nested ??= []).push(t >>> 3, w.pos, stop);
        w.pos = stop;
        break;
      }
      case SPAN_STATUS:
        if (statusAt >= 0) throw DECLINE;
        statusAt = w.pos;
        w.pos = w.sub(end);
        break;
      case SPAN_TRACE_STATE:
        w.skipString(end);
        break;
      case SPAN_DROPPED_ATTRIBUTES:
      case SPAN_DROPPED_EVENTS:
      case SPAN_DROPPED_LINKS:
        w.varint32(end);
        break;
      case SPAN_FLAGS:
        w.skip(FIXED32, end);
        break;
      default:
        if (t >>> 3 <= 16) throw DECLINE;
        w.skip(t & 7, end);
    }
  }
  const start = startAt >= 0 ? nanosAt(w, startAt) : undefined;
  // Spans the reference path refuses, naming the problem.
  if (!traceId || !spanId || !start || (start.us === 0 && start.ns === 0)) throw DECLINE;
  const finish = endAt >= 0 ? nanosAt(w, endAt) : undefined;
  const ended = finish !== undefined && (finish.us !== 0 || finish.ns !== 0);
  const [statusCode, statusMessage] = statusAt >= 0 ? status(w, statusAt, end) : [0, ''];
  let numEvents = 0;
  if (nested) for (let i = 0; i < nested.length; i += 3) if (nested[i] === EVENTS) numEvents++;

  const samplerate = samplerateFrom(event.get('SampleRate') ?? event.get('sampleRate'));
  name = cut(name, req);
  event.set('trace.trace_id', traceId);
  event.set('trace.span_id', spanId);
  if (parentId) event.set('trace.parent_id', parentId);
  event.set('name', name);
  event.set('service.name', scope.service);
  event.set('span.kind', KIND_NAMES[kind] ?? String(kind));
  event.set('duration_ms', ended ? Math.max(0, millisBetween(start, finish)) : 0);
  event.set('status_code', statusCode);
  if (statusMessage) event.set('status_message', cut(statusMessage, req));
  event.set('error', statusCode === STATUS_ERROR);
  event.set('span.num_events', numEvents);
  event.set('span.num_links', nested ? nested.length / 3 - numEvents : 0);
  file(scope, start.us, samplerate);

  let lastUs = ended ? Math.max(start.us, finish.us) : start.us;
  if (nested) {
    const at: SpanRef = { traceId, spanId, name, start, samplerate };
    for (let i = 0; i < nested.length; i += 3) {
      const us = nested[i] === EVENTS ? spanEvent(w, nested[i + 1], nested[i + 2], scope, at) : link(w, nested[i + 1], nested[i + 2], scope, at);
      if (us > lastUs) lastUs = us;
    }
  }
  req.noteTrace(traceId, scope.dataset, start.us, lastUs);
}

function nanosAt(w: Wire, p: number): NanoTime {
  return nanosOf(w.uint32At(p + 4), w.uint32At(p));
}

function status(w: Wire, at: number, end: number): [number, string] {
  let code = 0;
  let message = '';
  w.pos = at;
  const stop = w.sub(end);
  while (w.pos < stop) {
    const t = w.tag(stop);
    if (t === tag(2, LEN)) message = w.string(stop);
    else if (t === tag(3, VARINT)) {
      code = w.varint32(stop);
      if (code > 0x7fffffff) throw DECLINE;
    } else if (t >>> 3 <= 3) throw DECLINE;
    else w.skip(t & 7, stop);
  }
  return [code, message];
}

/** The fields the reference path gives span events and links, after their own attributes. */
function annotate(type: string, at: SpanRef, service: string): void {
  event.set('meta.annotation_type', type);
  event.set('trace.trace_id', at.traceId);
  event.set('trace.parent_id', at.spanId);
  event.set('parent_name', at.name);
  event.set('service.name', service);
}

/** A span event as an event of its own; returns its time (µs). */
function spanEvent(w: Wire, start: number, end: number, scope: Scope, at: SpanRef): number {
  event.reset(scope.fields);
  let timeAt = -1;
  let name = '';
  w.pos = start;
  while (w.pos < end) {
    const t = w.tag(end);
    if (t === tag(1, FIXED64)) timeAt = w.fixed64(end);
    else if (t === tag(2, LEN)) name = w.string(end);
    else if (t === tag(3, LEN)) attribute(w, w.sub(end), event, scope.req);
    else if (t === tag(4, VARINT)) w.varint32(end);
    else if (t >>> 3 <= 4) throw DECLINE;
    else w.skip(t & 7, end);
  }
  const time = timeAt >= 0 ? nanosAt(w, timeAt) : undefined;
  const when = time && (time.us !== 0 || time.ns !== 0) ? time : at.start;
  annotate('span_event', at, scope.service);
  event.set('name', cut(name, scope.req));
  event.set('meta.time_since_span_start_ms', Math.max(0, millisBetween(at.start, when)));
  file(scope, when.us, at.samplerate);
  return when.us;
}

function link(w: Wire, start: number, end: number, scope: Scope, at: SpanRef): number {
  event.reset(scope.fields);
  let traceId: string | undefined;
  let spanId: string | undefined;
  w.pos = start;
  while (w.pos < end) {
    const t = w.tag(end);
    if (t === tag(1, LEN)) traceId = w.id(end, 16, w.ids.linkTrace);
    else if (t === tag(2, LEN)) spanId = w.id(end, 8, w.ids.linkSpan);
    else if (t === tag(3, LEN)) w.skipString(end);
    else if (t === tag(4, LEN)) attribute(w, w.sub(end), event, scope.req);
    else if (t === tag(5, VARINT)) w.varint32(end);
    else if (t === tag(6, FIXED32)) w.skip(FIXED32, end);
    else if (t >>> 3 <= 6) throw DECLINE;
    else w.skip(t & 7, end);
  }
  annotate('link', at, scope.service);
  if (traceId) event.set('trace.link.trace_id', traceId);
  if (spanId) event.set('trace.link.span_id', spanId);
  file(scope, at.start.us, at.samplerate);
  return at.start.us;
}

/** Files the event being made under the scope's dataset. */
function file(scope: Scope, timeUs: number, samplerate: number): void {
  const { req } = scope;
  // Upper bounds of what normalizeEvent checks: an event near a limit goes the reference way.
  if (event.length > req.limits.maxFieldsPerEvent || event.bytes > req.limits.maxEventBytes) throw DECLINE;
  const t = parseEventTime(timeUs, req.receivedUs);
  if (!t.ok) throw DECLINE;
  req.file(scope.dataset, { time: t.us, samplerate, fields: event.build() });
}
