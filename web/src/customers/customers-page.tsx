// The customers hurt most in a window: errors plus slow requests (past the SLO's latency
// objective, else the window's P99), weighted by sample rate; each links to its page.
import { ErrorNote } from '../app/error-note';
import { formatNumber } from '../app/format';
import { Link } from '../app/router';
import { SORTS, useCustomerList } from './customers-api';
import { useWindowParams, WindowPicker } from './window-picker';
import './customers.css';

const pct = (v: number) => `${formatNumber(v * 100)}%`;

export default function CustomersPage() {
  const { dataset, window, search, set } = useWindowParams();
  const sort = search.get('sort') ?? 'most_affected';
  const list = useCustomerList(dataset, window, sort);
  const r = list.data;
  return (
    <>
      <h1>Most affected customers</h1>
      <WindowPicker />
      <label>
        Rank by{' '}
        <select value={sort} onChange={(e) => set('sort', e.target.value)}>
          {SORTS.map((s) => (
            <option key={s} value={s}>
              {s.replace('_', ' ')}
            </option>
          ))}
        </select>
      </label>
      {!dataset && <p className="muted">Choose the dataset whose requests carry the customer.</p>}
      <ErrorNote error={list.error} what="Could not rank customers" />
      {list.isFetching && !r && <p className="muted">Counting…</p>}
      {r && (
        <>
          <p className="muted">
            Customers by <code>{r.customer_field}</code>; slow means over {r.slow_threshold_ms === null ? '—' : `${formatNumber(r.slow_threshold_ms)} ms`} ({r.slow_threshold_source === 'slo' ? "the SLO's latency objective" : r.slow_threshold_source === 'p99' ? "the window's P99" : 'no latency field'}).
          </p>
          {r.customers.length === 0 && <p className="muted">No customers in this window.</p>}
          {r.customers.length > 0 && (
            <div className="scroll-x">
              <table className="grid customers">
                <thead>
                  <tr>
                    <th>Customer</th>
                    <th>Requests</th>
                    <th>Errors</th>
                    <th>Error rate</th>
                    <th>Slow</th>
                    <th>Score</th>
                  </tr>
                </thead>
                <tbody>
                  {r.customers.map((c) => (
                    <tr key={c.id} data-customer={c.id}>
                      <td>
                        <Link to={`/customers/${encodeURIComponent(c.id)}?${new URLSearchParams({ dataset, window })}`}>{c.id}</Link>
                      </td>
                      <td className="num">{formatNumber(c.events)}</td>
                      <td className="num">{formatNumber(c.errors)}</td>
                      <td className="num">{pct(c.error_rate)}</td>
                      <td className="num">{formatNumber(c.slow)}</td>
                      <td className="num">{formatNumber(c.score)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </>
      )}
    </>
  );
}
