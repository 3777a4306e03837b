// One trace as a waterfall: spans as bars on a time axis, nested by parent, coloured by
// service, errors marked, span events as ticks, missing parents flagged, subtrees collapsible,
// a search that highlights matching spans, and a side panel with every field of the chosen
// span. Only the rows in view are in the page, so 10,000 spans scroll smoothly.
import { memo, useCallback, useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { get } from '../app/api';
import type { SpanNode, TraceTree } from '../app/api-types';
import { ErrorNote } from '../app/error-note';
import { FieldRows } from '../app/field-rows';
import { formatNumber, Time } from '../app/format';
import type { PageProps } from '../app/routes';
import { useSession } from '../app/session';
import { PALETTE } from '../query/series';
import { flattenTrace, type WaterfallRow } from './waterfall-rows';

const ROW = 26;
const OVERSCAN = 10;
const VIEW_ROWS = 24;
/** Rows per block: the list re-renders when the view moves into another block. */
const BLOCK = 16;

function serviceColour(services: string[], service: string): string {
  return PALETTE[Math.max(0, services.indexOf(service)) % PALETTE.length];
}

function matches(span: SpanNode, q: string): boolean {
  if (!q) return false;
  const needle = q.toLowerCase();
  if (span.name.toLowerCase().includes(needle) || span.service.toLowerCase().includes(needle) || span.span_id.includes(needle)) return true;
  return Object.values(span.fields).some((v) => String(v).toLowerCase().includes(needle));
}

interface SpanRowProps {
  row: WaterfallRow;
  index: number;
  total: number;
  colour: string;
  chosen: boolean;
  hit: boolean;
  collapsed: boolean;
  onToggle(id: string): void;
  onChoose(span: SpanNode): void;
}

/** One span's row; memoized, so scrolling renders only the rows that come into view. */
const SpanRow = memo(function SpanRow({ row: r, index, total, colour, chosen, hit, collapsed, onToggle, onChoose }: SpanRowProps) {
  const s = r.span;
  const left = (Math.max(0, r.startMs) / total) * 100;
  const width = Math.max(0.2, (s.duration_ms / total) * 100);
  const t0 = Date.parse(s.start_time);
  return (
    <div
      role="treeitem"
      aria-level={r.depth + 1}
      aria-selected={chosen}
      aria-expanded={s.children.length ? !collapsed : undefined}
      className={`span-row${chosen ? ' chosen' : ''}${hit ? ' hit' : ''}${s.error ? ' error' : ''}`}
      style={{ top: index * ROW }}
    >
      <div className="span-name" style={{ paddingLeft: r.depth * 12 }}>
        {s.children.length > 0 ? (
          <button type="button" className="twisty" aria-label={`${collapsed ? 'Expand' : 'Collapse'} ${s.name}`} onClick={() => onToggle(s.span_id)}>
            {collapsed ? '▸' : '▾'}
          </button>
        ) : (
          <span className="twisty" />
        )}
        <button type="button" className="linkish" onClick={() => onChoose(s)}>
          {s.error && <span className="bad" aria-label="error">⚠ </span>}
          {s.missing_parent && <span className="bad" title="the parent span never arrived">⇡? </span>}
          {s.service}: {s.name}
        </button>
      </div>
      <div className="span-track">
        <div className="span-bar" style={{ left: `${left}%`, width: `${width}%`, background: colour }} title={`${s.name}: ${formatNumber(s.duration_ms)} ms`} />
        {s.events.map((ev, j) => (
          <div key={j} className="span-tick" style={{ left: `${((Math.max(0, r.startMs) + (Date.parse(ev.time) - t0)) / total) * 100}%` }} title={ev.name} />
        ))}
        <span className="span-ms">{formatNumber(s.duration_ms)} ms</span>
      </div>
    </div>
  );
});

interface WaterfallProps {
  rows: WaterfallRow[];
  total: number;
  services: string[];
  chosen: SpanNode | undefined;
  search: string;
  collapsed: Set<string>;
  onToggle(id: string): void;
  onChoose(span: SpanNode): void;
}

/**
 * The rows in view (and a block either side): scrolling re-renders only this list, and only when
 * the view crosses into another block of BLOCK rows, so a scroll of a few rows does no React work.
 */
function Waterfall({ rows, total, services, chosen, search, collapsed, onToggle, onChoose }: WaterfallProps) {
  const [block, setBlock] = useState(0);
  const first = Math.max(0, (block - 1) * BLOCK);
  const last = Math.min(rows.length, (block + 1) * BLOCK + VIEW_ROWS + OVERSCAN);
  return (
    <div className="waterfall" role="tree" aria-label="Spans" onScroll={(e) => setBlock(Math.floor(e.currentTarget.scrollTop / (ROW * BLOCK)))}>
      <div className="waterfall-inner" style={{ height: rows.length * ROW }}>
        {rows.slice(first, last).map((r, k) => (
          <SpanRow
            key={r.span.span_id + (first + k)}
            row={r}
            index={first + k}
            total={total}
            colour={serviceColour(services, r.span.service)}
            chosen={chosen === r.span}
            hit={matches(r.span, search)}
            collapsed={collapsed.has(r.span.span_id)}
            onToggle={onToggle}
            onChoose={onChoose}
          />
        ))}
      </div>
    </div>
  );
}

export default function TracePage({ params }: PageProps) {
  const { environment } = useSession();
  const trace = useQuery({ queryKey: ['trace', environment, params.traceId], queryFn: () => get<TraceTree>(`/api/v1/traces/${encodeURIComponent(params.traceId)}`) });
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [chosen, setChosen] = useState<SpanNode | undefined>();
  const [search, setSearch] = useState('');
  const tree = trace.data;
  const rows = useMemo(() => (tree ? flattenTrace(tree, collapsed) : []), [tree, collapsed]);
  const hits = useMemo(() => (search ? rows.filter((r) => matches(r.span, search)).length : 0), [rows, search]);
  const services = tree?.services.map((s) => s.service) ?? [];
  const total = Math.max(tree?.duration_ms ?? 1, 0.001);

  const toggle = useCallback((id: string) => {
    setCollapsed((prev) => {
      const next = new Set(prev);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  return (
    <div className="trace-page">
      <h1>
        Trace <code>{params.traceId}</code>
      </h1>
      <ErrorNote error={trace.error} what="Could not open the trace" />
      {trace.isPending && <p className="loading">Loading the trace…</p>}
      {tree && (
        <>
          <p className="muted">
            {tree.span_count} spans · {formatNumber(tree.duration_ms)} ms · started <Time at={tree.start_time} />
            {tree.orphans.length > 0 && <span className="bad"> · {tree.orphans.length} span(s) whose parent is missing</span>}
            {tree.truncated && <span className="bad"> · truncated</span>}
          </p>
          <div className="row legend">
            {services.map((s) => (
              <span key={s} className="service-key">
                <svg width="10" height="10" aria-hidden="true">
                  <rect width="10" height="10" fill={serviceColour(services, s)} />
                </svg>{' '}
                {s}
              </span>
            ))}
            <span className="spacer" />
            <label className="row">
              Search spans <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
            </label>
            {search && <span role="status">{hits} matching span(s)</span>}
          </div>
          <div className="trace-layout">
            <Waterfall rows={rows} total={total} services={services} chosen={chosen} search={search} collapsed={collapsed} onToggle={toggle} onChoose={setChosen} />
            {chosen && (
              <aside className="panel span-detail" aria-label="Span fields">
                <div className="row">
                  <h2>{chosen.name}</h2>
                  <button type="button" onClick={() => setChosen(undefined)}>
                    Close
                  </button>
                </div>
                <table className="grid">
                  <tbody>
                    <tr><th>service</th><td>{chosen.service}</td></tr>
                    <tr><th>span id</th><td><code>{chosen.span_id}</code></td></tr>
                    <tr><th>parent id</th><td><code>{chosen.parent_id ?? '—'}</code>{chosen.missing_parent && <span className="bad"> (missing)</span>}</td></tr>
                    <tr><th>start</th><td><Time at={chosen.start_time} /></td></tr>
                    <tr><th>duration</th><td>{formatNumber(chosen.duration_ms)} ms</td></tr>
                    <FieldRows fields={chosen.fields} />
                  </tbody>
                </table>
                {chosen.events.length > 0 && (
                  <>
                    <h3>Events</h3>
                    <ul>
                      {chosen.events.map((e, j) => (
                        <li key={j}>
                          <Time at={e.time} /> {e.name}
                        </li>
                      ))}
                    </ul>
                  </>
                )}
              </aside>
            )}
          </div>
        </>
      )}
    </div>
  );
}
