// The trace tree flattened into the rows the waterfall shows: depth-first, children of
// collapsed spans left out, orphans (spans whose parent never arrived) after the root.
import type { SpanNode, TraceTree } from '../app/api-types';

export interface WaterfallRow {
  span: SpanNode;
  depth: number;
  startMs: number;
}

export function flattenTrace(tree: TraceTree, collapsed: Set<string>): WaterfallRow[] {
  const t0 = tree.start_time ? Date.parse(tree.start_time) : 0;
  const rows: WaterfallRow[] = [];
  const stack: { span: SpanNode; depth: number }[] = [];
  const roots = [...(tree.root ? [tree.root] : []), ...tree.orphans];
  for (let i = roots.length - 1; i >= 0; i--) stack.push({ span: roots[i], depth: 0 });
  while (stack.length) {
    const { span, depth } = stack.pop()!;
    rows.push({ span, depth, startMs: Date.parse(span.start_time) - t0 });
    if (collapsed.has(span.span_id)) continue;
    for (let i = span.children.length - 1; i >= 0; i--) stack.push({ span: span.children[i], depth: depth + 1 });
  }
  return rows;
}

