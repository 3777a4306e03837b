// One check: its state and actions, response times over the last day (chart), and its history
// of results and state changes.
import { useMemo } from 'react';
import { ErrorNote } from '../app/error-note';
import { formatNumber, Time } from '../app/format';
import { Link } from '../app/router';
import type { PageProps } from '../app/routes';
import { Chart, type Marker } from '../query/chart';
import { seriesTable } from '../query/series';
import { CheckActions } from './check-actions';
import { useCheckEvents, useChecks, useResponseTimes, useUptime90 } from './checks-api';
import { UptimeBar } from './uptime-bar';

const KEYS = ['AVG(duration_ms)', 'P95(duration_ms)'];
/** One list for every render: a chart is made anew when its table or markers change. */
const NO_MARKERS: Marker[] = [];

export default function CheckPage({ params }: PageProps) {
  const checks = useChecks();
  const check = checks.data?.checks.find((c) => c.name === params.name);
  const uptime = useUptime90(params.name);
  const times = useResponseTimes(params.name);
  const results = useCheckEvents('tend.checks', params.name);
  const states = useCheckEvents('tend.check_states', params.name);
  const table = useMemo(() => (times.data ? seriesTable(times.data, KEYS) : undefined), [times.data]);
  return (
    <>
      <div className="row">
        <h1>Check {params.name}</h1>
        <Link to="/checks">All checks</Link>
      </div>
      <ErrorNote error={checks.error} what="Could not read the check" />
      {checks.data && !check && <p className="error">There is no check named {params.name} in this environment.</p>}
      {check && (
        <p className="row">
          <span className={`state state-${check.state}`}>{check.state}</span> since <Time at={check.since} /> · {check.kind} · managed by {check.managed_by}
          <CheckActions check={check} />
        </p>
      )}
      {uptime.data && <UptimeBar days={uptime.data} />}
      <ErrorNote error={times.error} what="Could not read response times" />
      {table && KEYS.map((k) => <Chart key={k} title={`${k}, last 24 hours`} table={table} calcKey={k} markers={NO_MARKERS} />)}
      <h2>State changes</h2>
      <ErrorNote error={states.error} what="Could not read state changes" />
      <table className="grid">
        <thead>
          <tr>
            <th>Time</th>
            <th>From</th>
            <th>To</th>
            <th>Reason</th>
          </tr>
        </thead>
        <tbody>
          {states.data?.events.map((e, i) => (
            <tr key={i}>
              <td><Time at={e.time} /></td>
              <td>{String(e.data.previous_state ?? '')}</td>
              <td className={`state-${String(e.data.state)}`}>{String(e.data.state ?? '')}</td>
              <td>{String(e.data.reason ?? '')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Results</h2>
      <ErrorNote error={results.error} what="Could not read results" />
      <table className="grid">
        <thead>
          <tr>
            <th>Time</th>
            <th>Result</th>
            <th className="num">Duration (ms)</th>
            <th>Error</th>
            <th>Trigger</th>
          </tr>
        </thead>
        <tbody>
          {results.data?.events.map((e, i) => (
            <tr key={i}>
              <td><Time at={e.time} /></td>
              <td className={e.data.ok ? 'ok' : 'bad'}>{e.data.ok ? 'ok' : 'failed'}</td>
              <td className="num">{formatNumber(e.data.duration_ms)}</td>
              <td>{String(e.data.error ?? '')}</td>
              <td>{String(e.data.trigger ?? '')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
