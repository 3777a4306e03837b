// Every check with its state, last result, 90 days of uptime and a day of response times;
// run, pause and resume for roles that may; links to the environment's public status pages.
import { ErrorNote } from '../app/error-note';
import { ago, formatNumber, Time } from '../app/format';
import { Link } from '../app/router';
import { Sparkline } from '../home/sparkline';
import { CheckActions } from './check-actions';
import { useChecks, useResponseTimes, useStatusPages, useUptime90, type CheckView } from './checks-api';
import { UptimeBar } from './uptime-bar';

function CheckRow({ check }: { check: CheckView }) {
  const uptime = useUptime90(check.name);
  const times = useResponseTimes(check.name);
  const values = times.data?.data.series.map((p) => Number(p.data['AVG(duration_ms)'] ?? 0)) ?? [];
  const last = check.last_result;
  return (
    <tr data-check={check.name}>
      <td>
        <Link to={`/checks/${encodeURIComponent(check.name)}`}>{check.name}</Link> <span className="muted">{check.kind}</span>
      </td>
      <td className={`state state-${check.state}`}>{check.state}</td>
      <td className="last-result">
        {last ? (
          <>
            <span className={last.ok ? 'ok' : 'bad'}>{last.ok ? 'ok' : last.error ?? 'failed'}</span> · {formatNumber(last.duration_ms)} ms · <span title={last.at}>{ago(last.at)}</span>
          </>
        ) : check.heartbeat ? (
          <>last ping <Time at={check.heartbeat.last_ping_at} /></>
        ) : (
          <span className="muted">not run yet</span>
        )}
      </td>
      <td>{uptime.data ? <UptimeBar days={uptime.data} /> : uptime.error ? <span className="bad">{(uptime.error as Error).message}</span> : '…'}</td>
      <td>{values.length > 0 ? <Sparkline values={values} label={`${check.name}: average response time over the last day`} /> : <span className="muted">—</span>}</td>
      <td>
        <CheckActions check={check} />
      </td>
    </tr>
  );
}

export default function ChecksPage() {
  const checks = useChecks();
  const pages = useStatusPages();
  return (
    <>
      <h1>Checks</h1>
      <ErrorNote error={checks.error} what="Could not list checks" />
      {checks.data && checks.data.checks.length === 0 && <p className="muted">No checks yet: add them to tend.yaml or POST /api/v1/checks.</p>}
      {checks.data && checks.data.checks.length > 0 && (
        <div className="scroll-x">
          <table className="grid checks">
            <thead>
              <tr>
                <th>Check</th>
                <th>State</th>
                <th>Last result</th>
                <th>Uptime, 90 days</th>
                <th>Response time, 24 h</th>
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {checks.data.checks.map((c) => (
                <CheckRow key={c.name} check={c} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h2>Status pages</h2>
      <ErrorNote error={pages.error} what="Could not list status pages" />
      {pages.data && pages.data.status_pages.length === 0 && <p className="muted">No status pages.</p>}
      <ul>
        {pages.data?.status_pages.map((p) => (
          <li key={p.slug}>
            <a href={`/status/${encodeURIComponent(p.slug)}`}>{p.title || p.slug}</a> <span className="muted">/status/{p.slug}</span>
          </li>
        ))}
      </ul>
    </>
  );
}
