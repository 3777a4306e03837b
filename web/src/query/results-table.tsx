// The results as an HTML table: a column per breakdown and per calculation, headed as the API
// names them (e.g. P99(duration_ms)); any column sorts; CSV download of what is shown. Each row
// links to its raw events and slowest traces.
import { useMemo, useState } from 'react';
import type { Filter, QueryResult, QuerySpec, ResultValue } from '../app/api-types';
import { formatNumber } from '../app/format';
import { Link } from '../app/router';
import { queryLink } from './spec-url';

function cell(v: ResultValue | undefined): string {
  if (v !== null && typeof v === 'object') return `${v.buckets.reduce((n, b) => n + b.count, 0)} events`;
  return formatNumber(v);
}

const csvField = (v: unknown) => {
  const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

export function toCsv(headers: string[], rows: Record<string, ResultValue>[]): string {
  return [headers.map(csvField).join(','), ...rows.map((r) => headers.map((h) => csvField(r[h])).join(','))].join('\r\n') + '\r\n';
}

/** Filters that pick out one result row's group. */
export function groupFilters(breakdowns: string[], data: Record<string, ResultValue>): Filter[] {
  return breakdowns.map((b) => (data[b] === null || data[b] === undefined ? { column: b, op: 'does-not-exist' } : { column: b, op: '=', value: data[b] as string | number | boolean }));
}

export function ResultsTable({ dataset, spec, result, calcKeys }: { dataset: string; spec: QuerySpec; result: QueryResult; calcKeys: string[] }) {
  const breakdowns = result.query.breakdowns ?? [];
  const headers = [...breakdowns, ...calcKeys];
  const [sort, setSort] = useState<{ key: string; desc: boolean } | undefined>();
  const rows = useMemo(() => {
    const list = result.data.results.map((r) => r.data);
    if (!sort) return list;
    const num = (v: ResultValue | undefined) => (typeof v === 'number' ? v : typeof v === 'object' && v ? v.buckets.reduce((n, b) => n + b.count, 0) : NaN);
    return [...list].sort((a, b) => {
      const x = a[sort.key];
      const y = b[sort.key];
      const c = typeof x === 'number' || typeof y === 'number' || (typeof x === 'object' && x) ? (num(x) || 0) - (num(y) || 0) : String(x ?? '').localeCompare(String(y ?? ''));
      return sort.desc ? -c : c;
    });
  }, [result, sort]);

  const download = () => {
    const url = URL.createObjectURL(new Blob([toCsv(headers, rows)], { type: 'text/csv' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = `${dataset}-results.csv`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };

  const rowSpec = (data: Record<string, ResultValue>): QuerySpec => ({ ...spec, filters: [...(spec.filters ?? []), ...groupFilters(breakdowns, data)], filter_combination: 'AND' });
  return (
    <section aria-label="Results table">
      <div className="row">
        <h2>Results</h2>
        <span className="muted">{result.data.results.length} row(s)</span>
        <button type="button" onClick={download}>
          Download CSV
        </button>
      </div>
      <div className="scroll-x">
        <table className="grid results">
          <thead>
            <tr>
              {headers.map((h, i) => (
                <th key={h} className={i >= breakdowns.length ? 'num' : undefined} aria-sort={sort?.key === h ? (sort.desc ? 'descending' : 'ascending') : 'none'}>
                  <button type="button" onClick={() => setSort({ key: h, desc: sort?.key === h ? !sort.desc : i >= breakdowns.length })}>
                    {h}
                  </button>
                </th>
              ))}
              <th>
                <span className="visually-hidden">Links</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r, i) => (
              <tr key={i}>
                {headers.map((h, j) => (
                  <td key={h} className={j >= breakdowns.length ? 'num' : undefined}>
                    {cell(r[h])}
                  </td>
                ))}
                <td className="links">
                  <Link to={queryLink(dataset, rowSpec(r), 'events')}>events</Link> <Link to={queryLink(dataset, rowSpec(r), 'traces')}>traces</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
