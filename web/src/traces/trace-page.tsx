// One trace as a waterfall: spans as bars on a time axis, nested by parent, coloured by
// service, errors marked, span events as ticks, missing parents flagged, subtrees collapsible,
// a search that highlights matching spans, and a side panel with every field of the chosen
// span. Only the rows in view are in the page (waterfall.tsx), so 10,000 spans scroll smoothly.
import { useCallback, useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { get } from '../app/api';
import type { SpanNode, TraceTree } from '../app/api-types';
import { ErrorNote } from '../app/error-note';
import { FieldRows } from '../app/field-rows';
import { formatNumber, Time } from '../app/format';
import type { PageProps } from '../app/routes';
import { useSession } from '../app/session';
import { PALETTE } from '../query/series';
import { Waterfall } from './waterfall';
import { flattenTrace } from './waterfall-rows';

function matches(span: SpanNode, q: string): boolean {
  const needle = q.toLowerCase();
  if (span.name.toLowerCase().includes(needle) || span.service.toLowerCase().includes(needle) || span.span_id.includes(needle)) return true;
  return Object.values(span.fields).some((v) => String(v).toLowerCase().includes(needle));
}

export default function TracePage({ params }: PageProps) {
  const { environment } = useSession();
  const trace = useQuery({ queryKey: ['trace', environment, params.traceId], queryFn: () => get<TraceTree>(`/api/v1/traces/${encodeURIComponent(params.traceId)}`) });
  const [collapsed, setCollapsed] = useState<Set<string>>(new Set());
  const [chosen, setChosen] = useState<SpanNode | undefined>();
  const [search, setSearch] = useState('');
  const tree = trace.data;
  const rows = useMemo(() => (tree ? flattenTrace(tree, collapsed) : []), [tree, collapsed]);
  const hits = useMemo(() => new Set(search ? rows.filter((r) => matches(r.span, search)).map((r) => r.span) : []), [rows, search]);
  const services = useMemo(() => tree?.services.map((s) => s.service) ?? [], [tree]);
  const colourOf = useCallback((service: string) => PALETTE[Math.max(0, services.indexOf(service)) % PALETTE.length], [services]);
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
                  <rect width="10" height="10" fill={colourOf(s)} />
                </svg>{' '}
                {s}
              </span>
            ))}
            <span className="spacer" />
            <label className="row">
              Search spans <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
            </label>
            {search && <span role="status">{hits.size} matching span(s)</span>}
          </div>
          <div className="trace-layout">
            <Waterfall rows={rows} total={total} colourOf={colourOf} chosen={chosen} hits={hits} collapsed={collapsed} onToggle={toggle} onChoose={setChosen} />
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
