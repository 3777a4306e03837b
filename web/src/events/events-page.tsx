// Raw events of a query (its filters and window) in a table with a column picker and a detail
// view, and live tail: polling every second for events newer than the newest shown, prepended
// as they arrive, paused while the person has scrolled down the list.
import { useEffect, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { post } from '../app/api';
import type { EventSearch, EventSearchResult } from '../app/api-types';
import { ErrorNote } from '../app/error-note';
import { FieldRows } from '../app/field-rows';
import { formatNumber, Time } from '../app/format';
import { Link, useLocation } from '../app/router';
import type { PageProps } from '../app/routes';
import { useSession } from '../app/session';
import { useColumns } from '../query/columns';
import { queryLink, specFromSearch } from '../query/spec-url';

type Found = EventSearchResult['events'][number];
const idOf = (e: Found) => `${e.time}|${JSON.stringify(e.data)}`;
const TAIL_MS = 1000;

export default function EventsPage({ params }: PageProps) {
  const dataset = params.dataset;
  const { search: qs } = useLocation();
  const { environment } = useSession();
  const { spec } = specFromSearch(qs);
  const columns = useColumns(dataset);
  const [picked, setPicked] = useState<string[] | undefined>();
  const [detail, setDetail] = useState<Found | undefined>();
  const [tail, setTail] = useState(false);
  const [tailed, setTailed] = useState<Found[]>([]);
  const [paused, setPaused] = useState(false);
  const [tailError, setTailError] = useState<unknown>();
  const list = useRef<HTMLDivElement>(null);

  const base: EventSearch = { filters: spec.filters, filter_combination: spec.filter_combination, calculated_fields: spec.calculated_fields, time_range: spec.time_range, start_time: spec.start_time, end_time: spec.end_time, limit: 100 };
  const events = useQuery({
    queryKey: ['events', environment, dataset, JSON.stringify(base)],
    queryFn: () => post<EventSearchResult>(`/api/v1/events/${encodeURIComponent(dataset)}/search`, base),
  });

  // Live tail: the newest events of the last minute that match, merged in front of those shown.
  useEffect(() => {
    if (!tail || paused) return;
    let stop = false;
    const poll = async () => {
      try {
        const found = await post<EventSearchResult>(`/api/v1/events/${encodeURIComponent(dataset)}/search`, { ...base, time_range: 60, start_time: undefined, end_time: undefined, limit: 200 });
        if (stop) return;
        setTailError(undefined);
        setTailed((prev) => {
          const seen = new Set([...prev, ...(events.data?.events ?? [])].map(idOf));
          const fresh = found.events.filter((e) => !seen.has(idOf(e)));
          return fresh.length ? [...fresh, ...prev].slice(0, 1000) : prev;
        });
      } catch (err) {
        if (!stop) setTailError(err);
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), TAIL_MS);
    return () => {
      stop = true;
      clearInterval(timer);
    };
  }, [tail, paused, dataset, JSON.stringify(base), events.data]);

  const rows = [...tailed, ...(events.data?.events ?? [])];
  const allColumns = (columns.data ?? []).map((c) => c.key_name);
  const shown = picked ?? allColumns.slice(0, 8);
  const toggle = (c: string) => setPicked(shown.includes(c) ? shown.filter((x) => x !== c) : [...shown, c]);

  return (
    <div className="events-page">
      <div className="row">
        <h1>
          Raw events <code>{dataset}</code>
        </h1>
        <Link to={queryLink(dataset, spec)}>Back to the query</Link>
        <span className="spacer" />
        <label className="row">
          <input type="checkbox" checked={tail} onChange={(e) => setTail(e.target.checked)} /> Live tail
        </label>
        {tail && <span className={paused ? 'state-paused' : 'ok'} role="status">{paused ? 'Paused while scrolled — scroll to the top to resume' : 'Live'}</span>}
      </div>
      <details className="column-picker">
        <summary>Columns ({shown.length} of {allColumns.length})</summary>
        <div className="row">
          {allColumns.map((c) => (
            <label key={c}>
              <input type="checkbox" checked={shown.includes(c)} onChange={() => toggle(c)} /> {c}
            </label>
          ))}
        </div>
      </details>
      <ErrorNote error={events.error} what="Could not read events" />
      <ErrorNote error={tailError} what="Live tail failed" />
      {events.isPending && <p className="loading">Loading events…</p>}
      <div className="events-layout">
        <div className="scroll-x events-list" ref={list} onScroll={(e) => setPaused(tail && e.currentTarget.scrollTop > 8)}>
          <table className="grid events">
            <thead>
              <tr>
                <th>Time</th>
                {shown.map((c) => (
                  <th key={c}>{c}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((e) => (
                <tr key={idOf(e)} aria-selected={detail === e} className={detail === e ? 'selected' : undefined}>
                  <td>
                    <button type="button" className="linkish" onClick={() => setDetail(e)}>
                      <Time at={e.time} />
                    </button>
                  </td>
                  {shown.map((c) => (
                    <td key={c} className={typeof e.data[c] === 'number' ? 'num' : undefined}>
                      {typeof e.data[c] === 'number' ? formatNumber(e.data[c]) : String(e.data[c] ?? '')}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
          {events.data && rows.length === 0 && <p className="muted">No events match in this window.</p>}
        </div>
        {detail && (
          <aside className="panel event-detail" aria-label="Event detail">
            <div className="row">
              <h2>Event</h2>
              <button type="button" onClick={() => setDetail(undefined)}>
                Close
              </button>
            </div>
            <p>
              <Time at={detail.time} /> · sample rate {detail.samplerate}
              {typeof detail.data['trace.trace_id'] === 'string' && (
                <>
                  {' '}· <Link to={`/trace/${detail.data['trace.trace_id']}`}>open trace</Link>
                </>
              )}
            </p>
            <table className="grid">
              <tbody>
                <FieldRows fields={detail.data} />
              </tbody>
            </table>
          </aside>
        )}
      </div>
    </div>
  );
}
