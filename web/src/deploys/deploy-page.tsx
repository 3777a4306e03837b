// A deploy's report: the service's traffic, error rate and P95 per minute before and after the
// deploy, the significant findings (worse first) per endpoint, customer and build with their
// numbers and p-values, and what the new errors have in common (BubbleUp). Pending until the
// comparison window has passed.
import { ErrorNote } from '../app/error-note';
import { formatNumber, Time } from '../app/format';
import { Link } from '../app/router';
import type { PageProps } from '../app/routes';
import { LineChart } from '../customers/line-chart';
import '../customers/customers.css';
import { useDeployReport, type DeployReport, type Finding } from './deploy-api';
import './deploys.css';

type DatasetReport = DeployReport['windows']['datasets'][number];

const pct = (v: number | null) => (v === null ? '—' : `${formatNumber(v * 100)}%`);
const ms = (v: number | null) => (v === null ? '—' : `${formatNumber(v)} ms`);

function value(f: Finding, v: number): string {
  if (f.metric === 'error_rate') return pct(v);
  if (f.metric === 'throughput') return `${formatNumber(v)}/s`;
  return ms(v);
}

function change(f: Finding): string {
  const sign = f.change >= 0 ? '+' : '';
  return f.metric === 'error_rate' ? `${sign}${formatNumber(f.change * 100)} points` : `${sign}${formatNumber(f.change * 100)}%`;
}

const AGAINST = { before: 'the window before', week_before: 'a week earlier', other_builds: 'the other build' } as const;

function Charts({ ds, deployAt }: { ds: DatasetReport; deployAt: string }) {
  const times = ds.series.map((p) => p.time);
  const split = (pick: (p: DatasetReport['series'][number]) => number | null) => [
    { label: 'before', values: ds.series.map((p) => (p.time < deployAt ? pick(p) : null)), className: 'everyone' },
    { label: 'after', values: ds.series.map((p, i) => (p.time >= deployAt || times[i + 1] > deployAt ? pick(p) : null)), className: 'mine' },
  ];
  return (
    <div className="charts">
      <LineChart title="Events per minute" times={times} lines={split((p) => p.events)} />
      <LineChart title="Error rate" times={times} lines={split((p) => p.error_rate)} />
      <LineChart title="P95 latency (ms)" times={times} lines={split((p) => p.p95)} />
    </div>
  );
}

function Totals({ ds }: { ds: DatasetReport }) {
  const t = ds.totals;
  return (
    <table className="grid">
      <thead>
        <tr><th>{ds.dataset}</th><th>Events</th><th>Error rate</th><th>P50</th><th>P95</th><th>P99</th></tr>
      </thead>
      <tbody>
        {(['week_before', 'before', 'after'] as const).map((w) => (
          <tr key={w}>
            <td>{w === 'week_before' ? 'a week earlier' : w}</td>
            <td className="num">{formatNumber(t[w].events)}</td>
            <td className="num">{pct(t[w].error_rate)}</td>
            <td className="num">{ms(t[w].p50)}</td>
            <td className="num">{ms(t[w].p95)}</td>
            <td className="num">{ms(t[w].p99)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Findings({ findings }: { findings: Finding[] }) {
  if (!findings.length) return <p className="muted">Nothing changed significantly.</p>;
  return (
    <table className="grid findings">
      <thead>
        <tr><th>Verdict</th><th>Where</th><th>Metric</th><th>Before</th><th>After</th><th>Change</th><th>p (adjusted)</th><th>Against</th></tr>
      </thead>
      <tbody>
        {findings.map((f) => (
          <tr key={`${f.dataset}/${f.kind}/${f.key}/${f.metric}/${f.against}`} className={f.verdict === 'worse' ? 'bad' : 'good'}>
            <td>{f.verdict}</td>
            <td>{f.kind === 'customer' ? <Link to={`/customers/${encodeURIComponent(f.key)}?dataset=${encodeURIComponent(f.dataset)}`}>customer {f.key}</Link> : `${f.kind} ${f.key}`}</td>
            <td>{f.metric}</td>
            <td className="num">{value(f, f.before)}</td>
            <td className="num">{value(f, f.after)}</td>
            <td className="num">{change(f)}</td>
            <td className="num">{f.p_value.toPrecision(2)}</td>
            <td>{f.against === 'other_builds' ? `build ${f.baseline}` : AGAINST[f.against]}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function BubbleUp({ ds }: { ds: DatasetReport }) {
  if (!ds.bubbleup?.length) return null;
  return (
    <section aria-label="New errors">
      <h2>What the new errors in {ds.dataset} have in common</h2>
      <ul className="bubbleup">
        {ds.bubbleup.map((c) => {
          const top = [...c.values].sort((a, b) => b.selection - b.baseline - (a.selection - a.baseline))[0];
          return (
            <li key={c.column}>
              <strong>{c.column}</strong>
              {top && <> = {top.value ?? '(missing)'}: {pct(top.selection)} of the errors, {pct(top.baseline)} of the other events</>}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

export default function DeployPage({ params }: PageProps) {
  const report = useDeployReport(params.id);
  const r = report.data;
  const d = r?.deploy;
  return (
    <>
      <h1>Deploy {d ? `of ${d.service}, build ${d.build}` : params.id}</h1>
      <ErrorNote error={report.error} what="Could not load the deploy" />
      {r && d && (
        <>
          <p>
            <Link to={`/services/${encodeURIComponent(d.service)}`}>{d.service}</Link> at <Time at={d.time} />
            {d.commit && <> · commit {d.commit}</>}
            {d.message && <> · {d.message}</>}
            {d.url && <> · <a href={d.url}>link</a></>}
          </p>
          {r.status === 'pending' ? (
            <p className="muted">The report is made once the window after the deploy has passed (<Time at={r.windows.after.end} />).</p>
          ) : (
            <>
              {r.windows.datasets.map((ds) => (
                <section key={ds.dataset} aria-label={ds.dataset}>
                  <Charts ds={ds} deployAt={d.time} />
                  <Totals ds={ds} />
                </section>
              ))}
              <h2>Findings</h2>
              <p className="muted">
                {r.findings.length} significant of {r.windows.statistics.tests} tests, corrected together ({r.windows.statistics.correction}, α = {r.windows.statistics.alpha}).
              </p>
              <Findings findings={r.findings} />
              {r.windows.datasets.map((ds) => <BubbleUp key={ds.dataset} ds={ds} />)}
            </>
          )}
        </>
      )}
    </>
  );
}
