// A service's headroom: each declared limit with its peak per hour over the last weeks (the
// maximum as a dashed line), the headroom left and the trend; and a plan: at N times the load
// on a given day, which limit breaks first, and when the trend alone reaches each.
import { useState } from 'react';
import { ErrorNote } from '../app/error-note';
import { formatNumber, Time } from '../app/format';
import { Link, navigate, useLocation } from '../app/router';
import type { PageProps } from '../app/routes';
import { LineChart } from '../customers/line-chart';
import '../customers/customers.css';
import { useCapacity, usePlan } from './capacity-api';

const pct = (v: number) => `${formatNumber(v * 100)}%`;

function Plan({ service, weeks }: { service: string; weeks: string }) {
  const [multiplier, setMultiplier] = useState('5');
  const [at, setAt] = useState('');
  const plan = usePlan(service, weeks, multiplier, at);
  const p = plan.data;
  return (
    <section aria-label="Plan">
      <h2>Plan a campaign</h2>
      <div className="row">
        <label>
          Load{' '}
          <input type="number" min="0.1" step="0.1" value={multiplier} onChange={(e) => setMultiplier(e.target.value)} /> × the expected peak
        </label>
        <label>
          On <input type="datetime-local" value={at} onChange={(e) => setAt(e.target.value)} />
        </label>
      </div>
      <ErrorNote error={plan.error} what="Could not plan" />
      {p && (
        <>
          <p className="plan-verdict">
            {p.first_to_break
              ? `At ${p.multiplier}× ${p.first_to_break.name} breaks first: ${formatNumber(p.first_to_break.projected)} against a maximum of ${formatNumber(p.first_to_break.limit)} (from ${formatNumber(p.first_to_break.breaks_at_multiplier)}×).`
              : `At ${p.multiplier}× no limit breaks.`}
          </p>
          <table className="grid">
            <thead>
              <tr>
                <th>Limit</th>
                <th>Maximum</th>
                <th>Expected peak</th>
                <th>Planned</th>
                <th>Used</th>
                <th>Breaks at</th>
                <th>Trend alone reaches it</th>
              </tr>
            </thead>
            <tbody>
              {p.limits.map((l) => (
                <tr key={`${l.kind}/${l.name}`} className={l.breaks ? 'bad' : undefined}>
                  <td>{l.name}</td>
                  <td className="num">{formatNumber(l.limit)}</td>
                  <td className="num">{formatNumber(l.expected)}</td>
                  <td className="num">{formatNumber(l.projected)}</td>
                  <td className="num">{pct(l.utilisation)}</td>
                  <td className="num">{l.breaks_at_multiplier === null ? '—' : `${formatNumber(l.breaks_at_multiplier)}×`}</td>
                  <td>{l.trend_reaches_limit_at ? <Time at={l.trend_reaches_limit_at} /> : 'never on this trend'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </>
      )}
    </section>
  );
}

export default function CapacityPage({ params }: PageProps) {
  const { search } = useLocation();
  const weeks = search.get('weeks') ?? '4';
  const view = useCapacity(params.service, weeks);
  const v = view.data;
  return (
    <>
      <h1>
        Capacity of <Link to={`/services/${encodeURIComponent(params.service)}`}>{params.service}</Link>
      </h1>
      <label>
        History{' '}
        <select value={weeks} onChange={(e) => navigate(`/capacity/${encodeURIComponent(params.service)}?weeks=${e.target.value}`, { replace: true })}>
          {[1, 2, 4, 8].map((w) => (
            <option key={w} value={w}>
              {w} week{w > 1 ? 's' : ''}
            </option>
          ))}
        </select>
      </label>
      <ErrorNote error={view.error} what="Could not load capacity" />
      {v && v.limits.length === 0 && <p className="muted">This service declares no capacity limits: add <code>capacity:</code> to it in tend.yaml (docs/customers.md).</p>}
      {v && v.limits.length > 0 && (
        <>
          <p className="muted">Peaks per hour of {v.dataset}: requests per second in the busiest minute of each hour, and each resource column's maximum.</p>
          {v.limits.map((l) => (
            <section key={`${l.kind}/${l.name}`} className="limit" data-limit={l.name}>
              <LineChart title={`${l.name} (max ${formatNumber(l.limit)})`} times={l.hours.map((h) => h.time)} lines={[{ label: 'peak per hour', values: l.hours.map((h) => h.peak), className: 'peak' }]} limit={l.limit} />
              <p>
                Peak last week {formatNumber(l.peak)} ({pct(l.used)} of the maximum), headroom {formatNumber(l.headroom)}
                {l.trend ? `; trend ${l.trend.slope_per_day >= 0 ? '+' : ''}${formatNumber(l.trend.slope_per_day)} a day` : ''}
                {l.trend?.reaches_limit_at ? (
                  <>, reaching the maximum <Time at={l.trend.reaches_limit_at} /></>
                ) : (
                  ', not reaching the maximum on this trend'
                )}
                .
              </p>
            </section>
          ))}
          <Plan service={params.service} weeks={weeks} />
        </>
      )}
    </>
  );
}
