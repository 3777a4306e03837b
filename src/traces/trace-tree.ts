// Stored rows of one trace -> the tree the trace API returns: spans under their parents
// (children by start time), span events, links and logs attached to their spans, spans whose
// parent is absent marked `missing_parent`, the total duration and the time per service.
import type { Row } from '../store/index.js';

export const MAX_SPANS = 32_000;
/** Deeper spans are listed flat among the orphans: JSON nested deeper would overflow the stack. */
export const MAX_DEPTH = 500;

export interface Annotation {
  name: string;
  time: string;
  fields: Record<string, unknown>;
}

export interface SpanNode {
  span_id: string;
  parent_id: string | null;
  name: string;
  service: string;
  start_time: string;
  duration_ms: number;
  kind: string | null;
  status_code: number | null;
  error: boolean;
  missing_parent?: true;
  /** Listed at the top because it lies deeper than MAX_DEPTH; parent_id still names its parent. */
  too_deep?: true;
  fields: Record<string, unknown>;
  events: Annotation[];
  links: Annotation[];
  logs: Annotation[];
  children: SpanNode[];
}

export interface ServiceTime {
  service: string;
  span_count: number;
  /** Sum of the spans' durations. */
  total_ms: number;
  /** Time in the service's spans not covered by their children: where the time went. */
  self_ms: number;
}

export interface TraceTree {
  trace_id: string;
  span_count: number;
  /** True when the trace has more than MAX_SPANS spans and only the earliest are shown. */
  truncated: boolean;
  start_time: string | null;
  duration_ms: number;
  services: ServiceTime[];
  /** The span without a parent (the earliest, if several); null when it is not in the trace. */
  root: SpanNode | null;
  /** Other top-level spans: further parentless spans, and spans whose parent is absent. */
  orphans: SpanNode[];
  /** Logs of the trace that name no span in it. */
  logs: Annotation[];
}

interface Work {
  node: SpanNode;
  startUs: number;
  endUs: number;
}

const iso = (us: number) => new Date(Math.floor(us / 1000)).toISOString().replace('Z', `${String(us % 1000).padStart(3, '0')}Z`);
const str = (v: unknown) => (typeof v === 'string' ? v : v === null || v === undefined ? null : String(v));

/** Non-null fields, without Tend's internal columns. */
function fieldsOf(row: Row): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k in row) {
    const v = row[k];
    if (v === null || v === undefined || k === '__time' || k === '__time_us') continue;
    out[k === '__samplerate' ? 'samplerate' : k] = v;
  }
  return out;
}

function annotation(row: Row): Annotation {
  return { name: str(row.name) ?? str(row.body) ?? '', time: iso(Number(row.__time_us)), fields: fieldsOf(row) };
}

/** Builds the tree; `rows` carry every stored column plus `__time_us` (event time, µs). */
export function buildTraceTree(traceId: string, rows: Row[]): TraceTree {
  const spans = new Map<string, Work>();
  const events: Row[] = [];
  const links: Row[] = [];
  const logs: Row[] = [];
  let truncated = false;
  const sorted = [...rows].sort((a, b) => Number(a.__time_us) - Number(b.__time_us));
  for (const row of sorted) {
    const type = row['meta.annotation_type'];
    if (type === 'span_event') events.push(row);
    else if (type === 'link') links.push(row);
    else if (row['meta.signal_type'] === 'log') logs.push(row);
    else {
      const id = str(row['trace.span_id']);
      if (!id || spans.has(id)) continue; // a span sent twice (a retried export) is shown once
      if (spans.size >= MAX_SPANS) {
        truncated = true;
        continue;
      }
      const startUs = Number(row.__time_us);
      const duration = typeof row.duration_ms === 'number' ? row.duration_ms : 0;
      spans.set(id, {
        startUs,
        endUs: startUs + duration * 1000,
        node: {
          span_id: id,
          parent_id: str(row['trace.parent_id']),
          name: str(row.name) ?? '',
          service: str(row['service.name']) ?? '',
          start_time: iso(startUs),
          duration_ms: duration,
          kind: str(row['span.kind']),
          status_code: typeof row.status_code === 'number' ? row.status_code : null,
          error: row.error === true,
          fields: fieldsOf(row),
          events: [],
          links: [],
          logs: [],
          children: [],
        },
      });
    }
  }

  const seen = new Set<string>();
  const attach = (list: Row[], pick: (n: SpanNode) => Annotation[], parentField: string, loose?: Annotation[]) => {
    for (const row of list) {
      const a = annotation(row);
      const key = `${str(row[parentField])}\u0000${a.name}\u0000${a.time}\u0000${str(row['meta.annotation_type'])}\u0000${str(row['trace.link.span_id'])}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const span = spans.get(str(row[parentField]) ?? '');
      if (span) pick(span.node).push(a);
      else loose?.push(a);
    }
  };
  attach(events, (n) => n.events, 'trace.parent_id');
  attach(links, (n) => n.links, 'trace.parent_id');
  const looseLogs: Annotation[] = [];
  attach(logs, (n) => n.logs, 'trace.span_id', looseLogs);

  const top: Work[] = [];
  const byNode = new Map<SpanNode, Work>();
  for (const w of spans.values()) {
    byNode.set(w.node, w);
    const parent = w.node.parent_id ? spans.get(w.node.parent_id) : undefined;
    if (parent && parent !== w) parent.node.children.push(w.node);
    else {
      if (w.node.parent_id) w.node.missing_parent = true;
      top.push(w);
    }
  }
  const byStart = (a: SpanNode, b: SpanNode) => byNode.get(a)!.startUs - byNode.get(b)!.startUs || a.span_id.localeCompare(b.span_id);
  for (const w of spans.values()) w.node.children.sort(byStart);
  top.sort((a, b) => byStart(a.node, b.node));
  top.push(...cutDeepSpans(top, byNode).sort((a, b) => byStart(a.node, b.node)));

  let first = Infinity;
  let last = -Infinity;
  const services = new Map<string, ServiceTime>();
  for (const w of spans.values()) {
    first = Math.min(first, w.startUs);
    last = Math.max(last, w.endUs);
    const s = services.get(w.node.service) ?? { service: w.node.service, span_count: 0, total_ms: 0, self_ms: 0 };
    s.span_count++;
    s.total_ms += w.node.duration_ms;
    s.self_ms += selfMs(w, byNode);
    services.set(w.node.service, s);
  }
  const rootAt = top.findIndex((w) => !w.node.parent_id);
  const root = rootAt >= 0 ? top.splice(rootAt, 1)[0].node : null;
  return {
    trace_id: traceId,
    span_count: spans.size,
    truncated,
    start_time: spans.size ? iso(first) : null,
    duration_ms: spans.size ? (last - first) / 1000 : 0,
    services: [...services.values()].map(round).sort((a, b) => b.self_ms - a.self_ms || a.service.localeCompare(b.service)),
    root,
    orphans: top.map((w) => w.node),
    logs: looseLogs,
  };
}

/** Detaches spans deeper than MAX_DEPTH from their parents (breadth first, without recursion). */
function cutDeepSpans(top: Work[], byNode: Map<SpanNode, Work>): Work[] {
  const cut: Work[] = [];
  let level = top.map((w) => w.node);
  for (let depth = 1; level.length > 0; depth++) {
    const next: SpanNode[] = [];
    for (const node of level) {
      if (depth < MAX_DEPTH) next.push(...node.children);
      else {
        for (const child of node.children) {
          child.too_deep = true;
          cut.push(byNode.get(child)!);
          next.push(child);
        }
        node.children = [];
      }
    }
    level = next;
  }
  return cut;
}

/** The span's duration minus the union of its children's intervals inside it. */
function selfMs(w: Work, byNode: Map<SpanNode, Work>): number {
  let covered = 0;
  let reach = w.startUs;
  for (const child of w.node.children) {
    const c = byNode.get(child)!;
    const from = Math.max(c.startUs, reach);
    const to = Math.min(c.endUs, w.endUs);
    if (to > from) {
      covered += to - from;
      reach = to;
    }
  }
  return Math.max(0, (w.endUs - w.startUs - covered) / 1000);
}

function round(s: ServiceTime): ServiceTime {
  return { ...s, total_ms: +s.total_ms.toFixed(6), self_ms: +s.self_ms.toFixed(6) };
}
