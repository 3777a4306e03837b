// Incidents: open ones first by default, filtered by state and service (the URL keeps both), and
// "Declare incident" for roles that may.
import { ErrorNote } from '../app/error-note';
import { Time } from '../app/format';
import { Link, navigate, useLocation } from '../app/router';
import { useCan } from '../app/session';
import { DeclareIncident } from './declare-incident';
import { STATE_FILTERS, useIncidents } from './incidents-api';
import './incidents.css';

export default function IncidentsPage() {
  const { search } = useLocation();
  const state = search.get('state') ?? 'open';
  const service = search.get('service') ?? '';
  const incidents = useIncidents(state, service);
  const canDeclare = useCan('alerts.write');
  const setFilter = (key: string, value: string) => {
    const next = new URLSearchParams(search);
    if (value) next.set(key, value);
    else next.delete(key);
    navigate(`/incidents?${next}`, { replace: true });
  };
  return (
    <>
      <h1>Incidents</h1>
      <div className="row">
        <label>
          State{' '}
          <select value={state} onChange={(e) => setFilter('state', e.target.value)}>
            {STATE_FILTERS.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Service <input value={service} onChange={(e) => setFilter('service', e.target.value)} placeholder="any" />
        </label>
      </div>
      <ErrorNote error={incidents.error} what="Could not list incidents" />
      {incidents.data && incidents.data.incidents.length === 0 && <p className="muted">No {state === 'all' ? '' : `${state} `}incidents{service ? ` of ${service}` : ''}.</p>}
      {incidents.data && incidents.data.incidents.length > 0 && (
        <div className="scroll-x">
          <table className="grid incidents">
            <thead>
              <tr>
                <th>Incident</th>
                <th>Severity</th>
                <th>State</th>
                <th>Service</th>
                <th>Opened</th>
                <th>Resolved</th>
              </tr>
            </thead>
            <tbody>
              {incidents.data.incidents.map((i) => (
                <tr key={i.id} data-incident={i.id}>
                  <td>
                    <Link to={`/incidents/${i.id}`}>{i.title}</Link>
                  </td>
                  <td className={`severity severity-${i.severity}`}>{i.severity}</td>
                  <td className={`incident-state state-${i.state}`}>{i.state}</td>
                  <td>
                    <Link to={`/services/${encodeURIComponent(i.service)}`}>{i.service}</Link>
                  </td>
                  <td>
                    <Time at={i.opened_at} />
                  </td>
                  <td>{i.resolved_at ? <Time at={i.resolved_at} /> : <span className="muted">—</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {canDeclare && <DeclareIncident />}
    </>
  );
}
