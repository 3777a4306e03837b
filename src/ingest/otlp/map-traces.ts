// OTLP spans -> events, with Honeycomb's column names so queries and tools carry over
// (docs/opentelemetry.md lists every column). A span's events and links become events of
// their own that point at the span through trace.parent_id.
import { copyFields, forEachItem, samplerateOf, type EventDraft, type MappedRequest } from './mapped.js';
import {
  addAttributes,
  isUnset,
  millisBetween,
  OtlpProblem,
  readEnum,
  readId,
  readList,
  readNanos,
  readObject,
  readString,
  type AttrValue,
  type NanoTime,
} from './values.js';

const SPAN_KINDS = ['SPAN_KIND_UNSPECIFIED', 'SPAN_KIND_INTERNAL', 'SPAN_KIND_SERVER', 'SPAN_KIND_CLIENT', 'SPAN_KIND_PRODUCER', 'SPAN_KIND_CONSUMER'] as const;
export const KIND_NAMES = ['unspecified', 'internal', 'server', 'client', 'producer', 'consumer'];
const STATUS_CODES = ['STATUS_CODE_UNSET', 'STATUS_CODE_OK', 'STATUS_CODE_ERROR'] as const;
export const STATUS_ERROR = 2;

export function mapTraces(body: Record<string, unknown>, req: MappedRequest): void {
  forEachItem(req, body, { resources: 'resourceSpans', scopes: 'scopeSpans', items: 'spans' }, undefined, (span, c) =>
    mapSpan(span, c.fields, c.origin.service, c.origin.dataset, req),
  );
}

function mapSpan(value: unknown, base: Record<string, AttrValue>, service: string, dataset: string, req: MappedRequest): void {
  const span = readObject(value, '');
  if (!span) throw new OtlpProblem(`: expected a span object`);
  const traceId = readId(span.traceId, 16, `.traceId`);
  const spanId = readId(span.spanId, 8, `.spanId`);
  if (!traceId) throw new OtlpProblem(`.traceId: missing or all zeros`);
  if (!spanId) throw new OtlpProblem(`.spanId: missing or all zeros`);
  const parentId = readId(span.parentSpanId, 8, `.parentSpanId`);
  const name = readString(span.name, `.name`);
  const kind = readEnum(span.kind, SPAN_KINDS, `.kind`);
  const start = readNanos(span.startTimeUnixNano, `.startTimeUnixNano`);
  const end = readNanos(span.endTimeUnixNano, `.endTimeUnixNano`);
  if (isUnset(start)) throw new OtlpProblem(`.startTimeUnixNano: missing`);
  const status = readObject(span.status, `.status`);
  const statusCode = readEnum(status?.code, STATUS_CODES, `.status.code`);
  const statusMessage = readString(status?.message, `.status.message`);
  const spanEvents = readList(span.events, `.events`);
  const links = readList(span.links, `.links`);

  const data: Record<string, AttrValue> = copyFields(base);
  addAttributes(data, span.attributes, `.attributes`);
  const samplerate = samplerateOf(data);
  data['trace.trace_id'] = traceId;
  data['trace.span_id'] = spanId;
  if (parentId) data['trace.parent_id'] = parentId;
  data.name = name;
  data['service.name'] = service;
  data['span.kind'] = KIND_NAMES[kind] ?? String(kind);
  data.duration_ms = isUnset(end) ? 0 : Math.max(0, millisBetween(start, end));
  data.status_code = statusCode;
  if (statusMessage) data.status_message = statusMessage;
  data.error = statusCode === STATUS_ERROR;
  data['span.num_events'] = spanEvents.length;
  data['span.num_links'] = links.length;
  const drafts: EventDraft[] = [{ data, timeUs: start.us, samplerate }];

  let lastUs = isUnset(end) ? start.us : Math.max(start.us, end.us);
  for (let e = 0; e < spanEvents.length; e++) {
    const ev = readObject(spanEvents[e], `.events[${e}]`) ?? {};
    const time = readNanos(ev.timeUnixNano, `.events[${e}].timeUnixNano`);
    const fields: Record<string, AttrValue> = copyFields(base);
    addAttributes(fields, ev.attributes, `.events[${e}].attributes`);
    Object.assign(fields, annotation('span_event', traceId, spanId, name, service));
    fields.name = readString(ev.name, `.events[${e}].name`);
    const when: NanoTime = isUnset(time) ? start : time;
    fields['meta.time_since_span_start_ms'] = Math.max(0, millisBetween(start, when));
    drafts.push({ data: fields, timeUs: when.us, samplerate });
    lastUs = Math.max(lastUs, when.us);
  }
  for (let l = 0; l < links.length; l++) {
    const link = readObject(links[l], `.links[${l}]`) ?? {};
    const linkedTrace = readId(link.traceId, 16, `.links[${l}].traceId`);
    const linkedSpan = readId(link.spanId, 8, `.links[${l}].spanId`);
    const fields: Record<string, AttrValue> = copyFields(base);
    addAttributes(fields, link.attributes, `.links[${l}].attributes`);
    Object.assign(fields, annotation('link', traceId, spanId, name, service));
    if (linkedTrace) fields['trace.link.trace_id'] = linkedTrace;
    if (linkedSpan) fields['trace.link.span_id'] = linkedSpan;
    drafts.push({ data: fields, timeUs: start.us, samplerate });
  }

  const problem = req.add(dataset, drafts);
  if (problem) throw new OtlpProblem(`: ${problem}`);
  req.noteTrace(traceId, dataset, start.us, lastUs);
}

function annotation(type: 'span_event' | 'link', traceId: string, spanId: string, spanName: string, service: string): Record<string, AttrValue> {
  return {
    'meta.annotation_type': type,
    'trace.trace_id': traceId,
    'trace.parent_id': spanId,
    parent_name: spanName,
    'service.name': service,
  };
}
