// One incident: what, where and how bad, its state with the actions that move it on, the
// timeline with notes, the runbook link, the customers affected, and the postmortem.
import { ErrorNote } from '../app/error-note';
import { formatNumber, Time } from '../app/format';
import { Link } from '../app/router';
import type { PageProps } from '../app/routes';
import { IncidentActions } from './incident-actions';
import { AddNote, Timeline } from './incident-notes';
import { useIncident, type IncidentDetail } from './incidents-api';
import { PostmortemEditor } from './postmortem-editor';
import './incidents.css';

function Customers({ incident }: { incident: IncidentDetail }) {
  const list = incident.customers_affected;
  if (list === null) return <p className="muted">Customers affected: the service's data did not answer in time.</p>;
  if (list.length === 0) return null;
  return (
    <section aria-labelledby="customers">
      <h2 id="customers">Customers affected</h2>
      <table className="grid">
        <thead>
          <tr>
            <th>Customer</th>
            <th className="num">Errors</th>
            <th className="num">Slow requests</th>
          </tr>
        </thead>
        <tbody>
          {list.map((c) => (
            <tr key={c.customer}>
              <td>{c.customer}</td>
              <td className="num">{formatNumber(c.errors)}</td>
              <td className="num">{formatNumber(c.slow)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export default function IncidentPage({ params }: PageProps) {
  const incident = useIncident(params.id);
  const i = incident.data;
  return (
    <>
      <div className="row">
        <h1>{i ? `${i.severity} ${i.title}` : `Incident ${params.id}`}</h1>
        <Link to="/incidents">All incidents</Link>
      </div>
      <ErrorNote error={incident.error} what={`Could not read incident ${params.id}`} />
      {i && (
        <>
          <p className="row incident-summary">
            <span className={`incident-state state-${i.state}`}>{i.state}</span> · service <Link to={`/services/${encodeURIComponent(i.service)}`}>{i.service}</Link> · opened{' '}
            <Time at={i.opened_at} />
            {i.acknowledged_by && (
              <>
                {' '}· acknowledged by {i.acknowledged_by}
              </>
            )}
            {i.resolved_at && (
              <>
                {' '}· resolved <Time at={i.resolved_at} />
              </>
            )}
            {i.runbook && (
              <>
                {' '}· runbook {/^https?:\/\//.test(i.runbook) ? <a href={i.runbook}>{i.runbook}</a> : <code>{i.runbook}</code>}
              </>
            )}
          </p>
          <IncidentActions incident={i} />
          <h2>Timeline</h2>
          <Timeline incident={i} />
          <AddNote incident={i} />
          <Customers incident={i} />
          <PostmortemEditor incident={i} key={i.id} />
        </>
      )}
    </>
  );
}
