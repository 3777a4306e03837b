// Home: the environment's datasets, each with events per minute over the last hour, the time of
// its newest event and its column count; a search box narrows the list by name.
import { useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { get, post } from '../app/api';
import type { QueryResult } from '../app/api-types';
import { ErrorNote } from '../app/error-note';
import { ago, Time } from '../app/format';
import { Link } from '../app/router';
import { useSession } from '../app/session';
import { queryLink } from '../query/spec-url';
import { Sparkline } from './sparkline';

interface DatasetInfo {
  name: string;
  slug: string;
  created_at: string;
  last_written_at: string | null;
  regular_columns_count: number;
}

function DatasetRow({ d }: { d: DatasetInfo }) {
  const { environment } = useSession();
  const spark = useQuery({
    queryKey: ['sparkline', environment, d.name],
    queryFn: () => post<QueryResult>(`/api/v1/query/${encodeURIComponent(d.name)}`, { calculations: [{ op: 'COUNT' }], time_range: 3600, granularity: 60 }),
    refetchInterval: 60_000,
  });
  const values = spark.data?.data.series.map((p) => Number(p.data.COUNT ?? 0)) ?? [];
  const total = values.reduce((a, b) => a + b, 0);
  return (
    <tr>
      <td>
        <Link to={queryLink(d.name, { calculations: [{ op: 'COUNT' }], time_range: 7200 })}>{d.name}</Link>
      </td>
      <td>{spark.error ? <span className="bad">{(spark.error as Error).message}</span> : <Sparkline values={values} label={`${d.name}: ${total} events in the last hour`} />}</td>
      <td className="num">{total.toLocaleString('en-US')}</td>
      <td>
        <Time at={d.last_written_at} /> <span className="muted">({ago(d.last_written_at)})</span>
      </td>
      <td className="num">{d.regular_columns_count}</td>
    </tr>
  );
}

export default function HomePage() {
  const { environment } = useSession();
  const [search, setSearch] = useState('');
  const datasets = useQuery({ queryKey: ['datasets', environment], queryFn: () => get<DatasetInfo[]>('/1/datasets') });
  const shown = (datasets.data ?? []).filter((d) => d.name.toLowerCase().includes(search.trim().toLowerCase()));
  return (
    <>
      <div className="row">
        <h1>Datasets in {environment}</h1>
        <span className="spacer" />
        <label className="row">
          <span>Search datasets</span>
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="name" />
        </label>
      </div>
      <ErrorNote error={datasets.error} what="Could not list datasets" />
      {datasets.isPending && <p className="loading">Loading datasets…</p>}
      {datasets.data && datasets.data.length === 0 && <p className="muted">No datasets yet: send events to /1/batch/&lt;dataset&gt; or OTLP to /v1/traces.</p>}
      {shown.length > 0 && (
        <div className="scroll-x">
          <table className="grid datasets">
            <thead>
              <tr>
                <th>Dataset</th>
                <th>Events per minute, last hour</th>
                <th className="num">Events, last hour</th>
                <th>Last event</th>
                <th className="num">Columns</th>
              </tr>
            </thead>
            <tbody>
              {shown.map((d) => (
                <DatasetRow key={d.slug} d={d} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
