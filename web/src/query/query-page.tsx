// The query page: the builder, a chart per calculation (HEATMAP as a heatmap), the results
// table, BubbleUp over a selected range, and links to the same query's raw events and traces.
// The URL is the query (?spec=), so back/forward and shared links reopen it and run it.
import { useDeferredValue, useEffect, useMemo, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { post } from '../app/api';
import type { Filter, QueryResult, QuerySpec } from '../app/api-types';
import { ErrorNote } from '../app/error-note';
import { formatNumber } from '../app/format';
import { Link, navigate, useLocation } from '../app/router';
import type { PageProps } from '../app/routes';
import { useSession } from '../app/session';
import { BubbleUpPanel, type Selection } from './bubbleup-panel';
import { Builder } from './builder';
import { Chart, type ChartPoint, type Marker } from './chart';
import { Heatmap } from './heatmap';
import { describe, useRecentQueries, useRemember } from './recent';
import { PointLinks } from './point-links';
import { ResultsTable } from './results-table';
import { seriesTable } from './series';
import { queryLink, specFromSearch } from './spec-url';
import { calculationKey } from './vocabulary';

export default function QueryPage({ params }: PageProps) {
  const dataset = params.dataset;
  const { search, href } = useLocation();
  const session = useSession();
  const { spec, problem } = specFromSearch(search);
  const specText = JSON.stringify(spec);
  const [draft, setDraft] = useState<QuerySpec>(spec);
  const [selection, setSelection] = useState<Selection | undefined>();
  const [point, setPoint] = useState<ChartPoint & { calc: string }>();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    setDraft(JSON.parse(specText) as QuerySpec);
    setSelection(undefined);
    setPoint(undefined);
  }, [specText]);

  const result = useQuery({
    queryKey: ['query', session.environment, dataset, specText],
    queryFn: ({ signal }) => post<QueryResult>(`/api/v1/query/${encodeURIComponent(dataset)}`, spec, signal),
    retry: false,
    // Answers can hold a million points: comparing each new one with the last costs more than it saves.
    structuralSharing: false,
  });
  const remember = useRemember();
  useEffect(() => {
    if (result.data) void remember(dataset, spec);
  }, [result.data]);

  const run = (next: QuerySpec = draft) => {
    const to = queryLink(dataset, next);
    if (to === href) void result.refetch();
    else navigate(to);
  };
  const addFilters = (filters: Filter[]) => run({ ...spec, filters: [...(spec.filters ?? []), ...filters], filter_combination: spec.filter_combination ?? 'AND' });

  const calcs = result.data?.query.calculations ?? [];
  const calcKeys = calcs.map(calculationKey);
  // Charts first: the results table (up to 1,000 rows) renders in the next pass, which React may
  // interrupt, so a new answer's charts are drawn without waiting for its table.
  const tableData = useDeferredValue(result.data);
  const tableKeys = (tableData?.query.calculations ?? []).filter((c) => c.op !== 'HEATMAP').map(calculationKey);
  const table = useMemo(() => (result.data ? seriesTable(result.data, calcKeys) : undefined), [result.data]);
  // A stable list: the chart redraws only when its data or markers change.
  const markers = useMemo(() => (result.data?.markers ?? []) as Marker[], [result.data]);
  const link = window.location.origin + href;
  const recent = (useRecentQueries().data?.recent ?? []).slice(0, 8);

  return (
    <div className="query-page">
      <div className="row">
        <h1>
          Query <code>{dataset}</code>
        </h1>
        <span className="spacer" />
        <Link to={queryLink(dataset, spec, 'events')}>Raw events</Link>
        <Link to={queryLink(dataset, spec, 'traces')}>Slowest traces</Link>
      </div>
      {problem && <p className="error">The link's query could not be read ({problem}); showing the default query.</p>}
      <div className="query-layout">
        <aside>
          <Builder dataset={dataset} spec={draft} onChange={setDraft} onRun={() => run()} running={result.isFetching} />
          {recent.length > 0 && (
            <details className="recent">
              <summary>Recent queries</summary>
              <ul>
                {recent.map((q) => (
                  <li key={`${q.at}-${q.dataset}`}>
                    <Link to={queryLink(q.dataset, q.spec)}>
                      {q.dataset}: {describe(q.spec)}
                    </Link>
                  </li>
                ))}
              </ul>
            </details>
          )}
        </aside>
        <section className="results-area" aria-label="Query results" aria-busy={result.isFetching}>
          <div className="row permalink">
            <label className="row grow">
              <span>Link to this query</span>
              <input className="grow" readOnly value={link} onFocus={(e) => e.target.select()} />
            </label>
            <button
              type="button"
              onClick={() =>
                void navigator.clipboard?.writeText(link).then(
                  () => setCopied(true),
                  () => setCopied(false),
                )
              }
            >
              {copied ? 'Copied' : 'Copy link'}
            </button>
          </div>
          <ErrorNote error={result.error} what="The query failed" />
          {result.isPending && <p className="loading">Running…</p>}
          {result.data && table && (
            <>
              <p className="muted meta">
                {formatNumber(result.data.metadata.duration_ms ?? null)} ms · granularity {result.data.metadata.granularity ?? '—'} s · drag across a chart to compare that range with BubbleUp, click a point for its traces
              </p>
              {calcs.map((c, i) =>
                c.op === 'HEATMAP' ? (
                  <Heatmap key={calcKeys[i]} title={calcKeys[i]} table={table} calcKey={calcKeys[i]} onSelect={(s) => setSelection({ ...s, column: c.column ?? undefined })} />
                ) : (
                  <Chart key={calcKeys[i]} title={calcKeys[i]} table={table} calcKey={calcKeys[i]} markers={markers} onSelect={(r) => setSelection(r)} onPoint={(p) => setPoint({ ...p, calc: calcKeys[i] })} />
                ),
              )}
              {point && (
                <PointLinks dataset={dataset} spec={spec} point={point} calc={point.calc} breakdowns={result.data.query.breakdowns ?? []} granularity={result.data.metadata.granularity ?? 60} onClose={() => setPoint(undefined)} />
              )}
              {selection && <BubbleUpPanel dataset={dataset} spec={spec} selection={selection} onAddFilters={addFilters} onClose={() => setSelection(undefined)} />}
              {tableData && <ResultsTable dataset={dataset} spec={spec} result={tableData} calcKeys={tableKeys} />}
            </>
          )}
        </section>
      </div>
    </div>
  );
}
