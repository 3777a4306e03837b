// The slowest traces matching a query's filters and window: the root-most spans' durations,
// longest first, each opening as a waterfall.
import { useQuery } from '@tanstack/react-query';
import { post } from '../app/api';
import type { QueryResult, QuerySpec } from '../app/api-types';
import { ErrorNote } from '../app/error-note';
import { formatNumber } from '../app/format';
import { Link, useLocation } from '../app/router';
import type { PageProps } from '../app/routes';
import { useSession } from '../app/session';
import { queryLink, specFromSearch } from '../query/spec-url';

const TRACE_ID = 'trace.trace_id';

export function slowestTracesSpec(spec: QuerySpec): QuerySpec {
  return {
    filters: [...(spec.filters ?? []), { column: TRACE_ID, op: 'exists' }],
    filter_combination: 'AND',
    calculated_fields: spec.calculated_fields,
    time_range: spec.time_range,
    start_time: spec.start_time,
    end_time: spec.end_time,
    breakdowns: [TRACE_ID],
    calculations: [{ op: 'MAX', column: 'duration_ms' }, { op: 'COUNT' }],
    orders: [{ op: 'MAX', column: 'duration_ms', order: 'descending' }],
    limit: 20,
  };
}

export default function TracesPage({ params }: PageProps) {
  const dataset = params.dataset;
  const { search } = useLocation();
  const { environment } = useSession();
  const { spec } = specFromSearch(search);
  const traces = useQuery({
    queryKey: ['slowest', environment, dataset, JSON.stringify(spec)],
    queryFn: () => post<QueryResult>(`/api/v1/query/${encodeURIComponent(dataset)}?disable_series=true`, slowestTracesSpec(spec)),
  });
  return (
    <>
      <div className="row">
        <h1>
          Slowest traces <code>{dataset}</code>
        </h1>
        <Link to={queryLink(dataset, spec)}>Back to the query</Link>
      </div>
      <ErrorNote error={traces.error} what="Could not find traces" />
      {traces.isPending && <p className="loading">Looking for traces…</p>}
      {traces.data && traces.data.data.results.length === 0 && <p className="muted">No spans with a trace id match this query.</p>}
      {traces.data && traces.data.data.results.length > 0 && (
        <table className="grid">
          <thead>
            <tr>
              <th>Trace</th>
              <th className="num">Longest span (ms)</th>
              <th className="num">Spans</th>
            </tr>
          </thead>
          <tbody>
            {traces.data.data.results.map((r) => (
              <tr key={String(r.data[TRACE_ID])}>
                <td>
                  <Link to={`/trace/${String(r.data[TRACE_ID])}`}>
                    <code>{String(r.data[TRACE_ID])}</code>
                  </Link>
                </td>
                <td className="num">{formatNumber(r.data['MAX(duration_ms)'])}</td>
                <td className="num">{formatNumber(r.data.COUNT)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
