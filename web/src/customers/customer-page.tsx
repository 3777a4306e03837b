// One customer through its own eyes: its requests, errors and latency against everyone's over
// the window, the endpoints it used, its slowest and failing requests, and the incidents that
// touched it.
import { ErrorNote } from '../app/error-note';
import { formatNumber, Time } from '../app/format';
import { Link } from '../app/router';
import type { PageProps } from '../app/routes';
import { useCustomerPage, type CustomerPage as Page } from './customers-api';
import { LineChart } from './line-chart';
import { useWindowParams, WindowPicker } from './window-picker';
import './customers.css';

const pct = (v: number) => `${formatNumber(v * 100)}%`;
const ms = (v: number | null) => (v === null ? '—' : `${formatNumber(v)} ms`);

function Requests({ title, rows, p }: { title: string; rows: Page['slowest']; p: Page }) {
  return (
    <>
      <h2>{title}</h2>
      {rows.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <table className="grid">
          <thead>
            <tr>
              <th>Time</th>
              <th>Endpoint</th>
              <th>Latency</th>
              <th>Trace</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e, i) => {
              const trace = e.data['trace.trace_id'] ?? e.data.trace_id;
              return (
                <tr key={i}>
                  <td><Time at={e.time} /></td>
                  <td>{String(e.data[p.fields.endpoint_field] ?? '—')}</td>
                  <td className="num">{ms(typeof e.data[p.fields.duration_field] === 'number' ? (e.data[p.fields.duration_field] as number) : null)}</td>
                  <td>{trace ? <Link to={`/trace/${encodeURIComponent(String(trace))}`}>{String(trace).slice(0, 12)}</Link> : '—'}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}

export default function CustomerPage({ params }: PageProps) {
  const { dataset, window } = useWindowParams();
  const page = useCustomerPage(params.id, dataset, window);
  const p = page.data;
  const times = p?.series.all.map((x) => x.time) ?? [];
  const compare = (title: string, pick: (x: Page['series']['all'][number]) => number | null) =>
    p && <LineChart title={title} times={times} lines={[{ label: params.id, values: p.series.customer.map(pick), className: 'mine' }, { label: 'everyone', values: p.series.all.map(pick), className: 'everyone' }]} />;
  return (
    <>
      <h1>Customer {params.id}</h1>
      <WindowPicker />
      {!dataset && <p className="muted">Choose the dataset whose requests carry the customer.</p>}
      <ErrorNote error={page.error} what="Could not load the customer" />
      {p && (
        <>
          <div className="figures">
            <div><span className="muted">Requests</span><strong>{formatNumber(p.events)}</strong><span className="muted">{pct(p.share)} of all</span></div>
            <div><span className="muted">Errors</span><strong>{formatNumber(p.errors)}</strong><span className="muted">{pct(p.error_rate)} (everyone {pct(p.all.error_rate)})</span></div>
            <div><span className="muted">P50 / P95 / P99</span><strong>{ms(p.p50)} / {ms(p.p95)} / {ms(p.p99)}</strong><span className="muted">everyone {ms(p.all.p50)} / {ms(p.all.p95)} / {ms(p.all.p99)}</span></div>
          </div>
          <div className="charts">
            {compare('Requests per second', (x) => x.rate)}
            {compare('Error rate', (x) => x.error_rate)}
            {compare('P99 latency (ms)', (x) => x.p99)}
          </div>
          <h2>Endpoints</h2>
          {p.endpoints.length === 0 ? (
            <p className="muted">No requests in this window.</p>
          ) : (
            <table className="grid endpoints">
              <thead>
                <tr>
                  <th>Endpoint</th>
                  <th>Requests</th>
                  <th>Errors</th>
                  <th>Error rate</th>
                  <th>P95</th>
                </tr>
              </thead>
              <tbody>
                {p.endpoints.map((e) => (
                  <tr key={e.endpoint ?? ''}>
                    <td>{e.endpoint ?? '(none)'}</td>
                    <td className="num">{formatNumber(e.events)}</td>
                    <td className="num">{formatNumber(e.errors)}</td>
                    <td className="num">{pct(e.error_rate)}</td>
                    <td className="num">{ms(e.p95)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <Requests title="Slowest requests" rows={p.slowest} p={p} />
          <Requests title="Failing requests" rows={p.failing} p={p} />
          <h2>Incidents that touched it</h2>
          {p.incidents.length === 0 ? (
            <p className="muted">None in this window.</p>
          ) : (
            <ul className="incidents">
              {p.incidents.map((i) => (
                <li key={i.id}>
                  <Link to={`/incidents/${i.id}`}>{i.title}</Link> {i.severity} · {i.service} · {i.state} · opened <Time at={i.opened_at} /> · {formatNumber(i.events)} requests, {formatNumber(i.errors)} errors while open
                </li>
              ))}
            </ul>
          )}
        </>
      )}
    </>
  );
}
