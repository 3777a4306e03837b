// OTLP log records -> events: body, severity, the trace and span ids when present, and the
// resource, scope and record attributes under their own names.
import { copyFields, forEachItem, samplerateOf, type MappedRequest } from './mapped.js';
import {
  addAttributes,
  isUnset,
  OtlpProblem,
  readAnyValue,
  readEnum,
  readId,
  readNanos,
  readObject,
  readString,
  type AttrValue,
} from './values.js';

const SEVERITIES = [
  'SEVERITY_NUMBER_UNSPECIFIED',
  ...['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL'].flatMap((s) => [s, `${s}2`, `${s}3`, `${s}4`].map((n) => `SEVERITY_NUMBER_${n}`)),
];

export function mapLogs(body: Record<string, unknown>, req: MappedRequest, datasetOverride: string | undefined): void {
  forEachItem(req, body, { resources: 'resourceLogs', scopes: 'scopeLogs', items: 'logRecords' }, datasetOverride, (record, c) =>
    mapRecord(record, c.fields, c.origin.dataset, req),
  );
}

function mapRecord(value: unknown, base: Record<string, AttrValue>, dataset: string, req: MappedRequest): void {
  const rec = readObject(value, '');
  if (!rec) throw new OtlpProblem(`: expected a log record object`);
  const time = readNanos(rec.timeUnixNano, `.timeUnixNano`);
  const observed = readNanos(rec.observedTimeUnixNano, `.observedTimeUnixNano`);
  const traceId = readId(rec.traceId, 16, `.traceId`);
  const spanId = readId(rec.spanId, 8, `.spanId`);
  const data: Record<string, AttrValue> = copyFields(base);
  addAttributes(data, rec.attributes, `.attributes`);
  const samplerate = samplerateOf(data);
  data['meta.signal_type'] = 'log';
  const body = readAnyValue(rec.body, `.body`);
  if (body !== undefined) data.body = body;
  const severityText = readString(rec.severityText, `.severityText`);
  if (severityText) data.severity_text = severityText;
  data.severity_number = readEnum(rec.severityNumber, SEVERITIES, `.severityNumber`);
  const eventName = readString(rec.eventName, `.eventName`);
  if (eventName) data['event.name'] = eventName;
  if (traceId) data['trace.trace_id'] = traceId;
  if (spanId) data['trace.span_id'] = spanId;
  const when = isUnset(time) ? observed : time;
  const timeUs = isUnset(when) ? undefined : when.us;
  const problem = req.add(dataset, [{ data, timeUs, samplerate }]);
  if (problem) throw new OtlpProblem(`: ${problem}`);
  if (traceId) {
    const us = timeUs ?? req.receivedUs;
    req.noteTrace(traceId, dataset, us, us);
  }
}
