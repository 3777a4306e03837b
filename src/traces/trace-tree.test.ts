import { describe, expect, it } from 'vitest';
import { buildTraceTree, MAX_DEPTH, MAX_SPANS } from './trace-tree.js';

const T0 = 1_800_000_000_000_000;
const span = (id: string, parent: string | null, startMs: number, durationMs: number, service = 'api', extra: Record<string, unknown> = {}) => ({
  __time_us: T0 + startMs * 1000,
  __samplerate: 1,
  'trace.trace_id': 't',
  'trace.span_id': id,
  'trace.parent_id': parent,
  name: `op-${id}`,
  'service.name': service,
  duration_ms: durationMs,
  ...extra,
});

describe('buildTraceTree', () => {
  it('nests children by start time, attaches events, and sums time per service', () => {
    const tree = buildTraceTree('t', [
      span('c2', 'root', 50, 30, 'db'),
      span('root', null, 0, 100),
      span('c1', 'root', 10, 30, 'db'),
      span('g1', 'c1', 15, 5, 'cache'),
      { __time_us: T0 + 20_000, 'meta.annotation_type': 'span_event', 'trace.parent_id': 'c1', name: 'retry', 'trace.trace_id': 't' },
      { __time_us: T0 + 1_000, 'meta.signal_type': 'log', 'trace.span_id': 'root', body: 'hello', 'trace.trace_id': 't' },
    ]);
    expect(tree.root?.span_id).toBe('root');
    expect(tree.root?.children.map((c) => c.span_id)).toEqual(['c1', 'c2']);
    expect(tree.root?.children[0].children.map((c) => c.span_id)).toEqual(['g1']);
    expect(tree.root?.children[0].events.map((e) => e.name)).toEqual(['retry']);
    expect(tree.root?.logs.map((l) => l.name)).toEqual(['hello']);
    expect(tree.span_count).toBe(4);
    expect(tree.duration_ms).toBe(100);
    expect(tree.start_time).toBe('2027-01-15T08:00:00.000000Z');
    // root: 100 - (30 + 30) = 40 self; db: 30-5 + 30 = 55; cache 5.
    expect(tree.services).toEqual([
      { service: 'db', span_count: 2, total_ms: 60, self_ms: 55 },
      { service: 'api', span_count: 1, total_ms: 100, self_ms: 40 },
      { service: 'cache', span_count: 1, total_ms: 5, self_ms: 5 },
    ]);
  });

  it('marks spans whose parent is absent and keeps them at the top', () => {
    const tree = buildTraceTree('t', [span('a', 'gone', 5, 1), span('b', 'a', 6, 1), span('r', null, 0, 10)]);
    expect(tree.root?.span_id).toBe('r');
    expect(tree.orphans.map((o) => [o.span_id, o.missing_parent, o.children.map((c) => c.span_id)])).toEqual([['a', true, ['b']]]);
    expect(tree.orphans[0].children[0].missing_parent).toBeUndefined();
    const rootless = buildTraceTree('t', [span('a', 'gone', 5, 1)]);
    expect(rootless.root).toBeNull();
    expect(rootless.orphans[0].missing_parent).toBe(true);
  });

  it('lists spans deeper than MAX_DEPTH flat, so the answer stays serializable', () => {
    const chain = Array.from({ length: 5000 }, (_, i) => span(`s${i}`, i === 0 ? null : `s${i - 1}`, i, 1));
    const tree = buildTraceTree('t', chain);
    expect(tree.span_count).toBe(5000);
    expect(tree.orphans).toHaveLength(5000 - MAX_DEPTH);
    expect(tree.orphans.every((o) => o.too_deep && o.children.length === 0)).toBe(true);
    expect(tree.orphans[0].parent_id).toBe(`s${MAX_DEPTH - 1}`);
    expect(JSON.parse(JSON.stringify(tree)).span_count).toBe(5000);
  });

  it('shows a span sent twice once, and stops at MAX_SPANS', () => {
    expect(buildTraceTree('t', [span('a', null, 0, 1), span('a', null, 0, 1)]).span_count).toBe(1);
    const many = Array.from({ length: MAX_SPANS + 5 }, (_, i) => span(`s${i}`, 'r', i, 1));
    const tree = buildTraceTree('t', [span('r', null, -1, MAX_SPANS + 10), ...many]);
    expect(tree.span_count).toBe(MAX_SPANS);
    expect(tree.truncated).toBe(true);
    expect(tree.root?.children).toHaveLength(MAX_SPANS - 1);
  });
});
