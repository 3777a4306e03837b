// Every service of the catalog: its owner, who is on call now, open incidents, faults against the
// handoff rule, the handoff status and the runbook's state.
import { ErrorNote } from '../app/error-note';
import { Link } from '../app/router';
import { HandoffStatus } from './handoff-status';
import { useServices, type ServiceView } from './services-api';
import './services.css';

function ServiceRow({ s }: { s: ServiceView }) {
  const open = s.open_incidents.length;
  return (
    <tr data-service={s.name}>
      <td>
        <Link to={`/services/${encodeURIComponent(s.name)}`}>{s.name}</Link>
        {s.imported && <span className="muted"> imported</span>}
      </td>
      <td>{s.owner}</td>
      <td className="num">{s.tier}</td>
      <td className="on-call">{s.on_call.length ? s.on_call.map((o) => o.email).join(', ') : <span className="muted">{s.schedule ? 'nobody' : 'no schedule'}</span>}</td>
      <td className="num open-incidents">{open ? <Link to={`/incidents?service=${encodeURIComponent(s.name)}`}>{open}</Link> : 0}</td>
      <td className="num faults">
        {s.handoff.faults} / {s.handoff.max_faults}
      </td>
      <td className="handoff-cell">
        <HandoffStatus handoff={s.handoff} />
      </td>
      <td className={`runbook runbook-${s.runbook.complete ? 'complete' : 'incomplete'}`}>{s.runbook.complete ? 'complete' : s.runbook.state === 'missing' ? 'missing' : 'incomplete'}</td>
    </tr>
  );
}

export default function ServicesPage() {
  const services = useServices();
  const rule = services.data?.services[0]?.handoff;
  return (
    <>
      <h1>Services</h1>
      <ErrorNote error={services.error} what="Could not list services" />
      {services.data && services.data.services.length === 0 && <p className="muted">No services yet: declare them under services: in tend.yaml, or import Backstage catalog files (tend catalog import --apply).</p>}
      {rule && (
        <p className="muted">
          Handoff rule: handed over with fewer than {rule.max_faults} faults in {rule.weeks} weeks and what the rule requires; handed back past {rule.max_faults}.
        </p>
      )}
      {services.data && services.data.services.length > 0 && (
        <div className="scroll-x">
          <table className="grid services">
            <thead>
              <tr>
                <th>Service</th>
                <th>Owner</th>
                <th className="num">Tier</th>
                <th>On call now</th>
                <th className="num">Open incidents</th>
                <th className="num">Faults</th>
                <th>Handoff</th>
                <th>Runbook</th>
              </tr>
            </thead>
            <tbody>
              {services.data.services.map((s) => (
                <ServiceRow key={s.name} s={s} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
