// One service: owner and builders, who is on call now, open incidents and firing alerts, its
// checks and SLOs, the runbook's sections against the handoff rule, the handoff status with each
// missing condition, and "Hand over" for roles that may once it is ready.
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { post } from '../app/api';
import { ErrorNote } from '../app/error-note';
import { formatNumber, Time } from '../app/format';
import { Link } from '../app/router';
import type { PageProps } from '../app/routes';
import { useCan } from '../app/session';
import { HandoffStatus } from './handoff-status';
import { useService, type ServiceView } from './services-api';
import './services.css';

const percent = (v: number | null) => (v === null ? '—' : `${formatNumber(v * 100)} %`);
const isUrl = (s: string) => /^https?:\/\//.test(s);

function HandOver({ s }: { s: ServiceView }) {
  const can = useCan('alerts.configure');
  const client = useQueryClient();
  const [error, setError] = useState<unknown>();
  if (!can || s.handoff.status !== 'ready') return null;
  const act = async () => {
    setError(undefined);
    try {
      await post(`/api/v1/services/${encodeURIComponent(s.name)}/handoff`);
      await client.invalidateQueries({ queryKey: ['services'] });
    } catch (err) {
      setError(err);
    }
  };
  return (
    <>
      <button type="button" onClick={() => void act()}>
        Hand over
      </button>
      <ErrorNote error={error} what={`Could not hand ${s.name} over`} />
    </>
  );
}

function Handoff({ s }: { s: ServiceView }) {
  const h = s.handoff;
  return (
    <section aria-labelledby="handoff">
      <h2 id="handoff">Handoff</h2>
      <p className="row">
        <HandoffStatus handoff={h} /> · {h.faults} fault(s) of at most {h.max_faults} in {h.weeks} weeks
        {h.handed_over_at && (
          <>
            {' '}· handed over <Time at={h.handed_over_at} />
          </>
        )}
        {s.scorecard && <span className="role">scorecard {s.scorecard}</span>}
        <HandOver s={s} />
      </p>
      {h.missing.length > 0 && (
        <ul className="missing" aria-label="Missing for the handoff">
          {h.missing.map((m) => (
            <li key={m}>{m}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Runbook({ s }: { s: ServiceView }) {
  const r = s.runbook;
  return (
    <section aria-labelledby="runbook">
      <h2 id="runbook">Runbook</h2>
      <p>
        {r.location ? isUrl(r.location) ? <a href={r.location}>{r.location}</a> : <code>{r.location}</code> : <span className="muted">none declared</span>} ·{' '}
        <span className={r.complete ? 'ok' : 'bad'}>{r.complete ? 'complete' : r.state === 'external' ? 'not checked (a link)' : 'incomplete'}</span>
      </p>
      {'sections' in r && r.sections && r.sections.length > 0 && (
        <table className="grid runbook-sections">
          <thead>
            <tr>
              <th>Section</th>
              <th>Present</th>
            </tr>
          </thead>
          <tbody>
            {r.sections.map((x) => (
              <tr key={x.name}>
                <td>{x.name}</td>
                <td className={x.present && !x.empty ? 'ok' : 'bad'}>{!x.present ? 'missing' : x.empty ? 'empty' : 'yes'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {r.problems.length > 0 && (
        <ul aria-label="Runbook problems">
          {r.problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      )}
    </section>
  );
}

function Watching({ s }: { s: ServiceView }) {
  return (
    <div className="two-up">
      <section aria-labelledby="checks">
        <h2 id="checks">Checks</h2>
        {s.check_status.length === 0 && <p className="muted">No checks.</p>}
        <ul>
          {s.check_status.map((c) => (
            <li key={c.name}>
              <Link to={`/checks/${encodeURIComponent(c.name)}`}>{c.name}</Link> <span className={`state state-${c.state}`}>{c.state}</span>
              {c.since && (
                <span className="muted">
                  {' '}since <Time at={c.since} />
                </span>
              )}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="slos">
        <h2 id="slos">SLOs</h2>
        {s.slo_status.length === 0 && <p className="muted">No SLOs.</p>}
        {s.slo_status.length > 0 && (
          <table className="grid">
            <thead>
              <tr>
                <th>SLO</th>
                <th className="num">Compliance</th>
                <th className="num">Budget left</th>
              </tr>
            </thead>
            <tbody>
              {s.slo_status.map((x) => (
                <tr key={x.name}>
                  <td>{x.name}</td>
                  <td className="num">{percent(x.compliance)}</td>
                  <td className="num">{percent(x.budget_remaining)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  );
}

function Trouble({ s }: { s: ServiceView }) {
  return (
    <>
      <section aria-labelledby="open-incidents">
        <h2 id="open-incidents">Open incidents</h2>
        {s.open_incidents.length === 0 && <p className="muted">None.</p>}
        <ul>
          {s.open_incidents.map((i) => (
            <li key={i.id}>
              <Link to={`/incidents/${i.id}`}>
                {i.severity} {i.title}
              </Link>{' '}
              <span className={`incident-state state-${i.state}`}>{i.state}</span> · opened <Time at={i.opened_at} />
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="alerts">
        <h2 id="alerts">Firing alerts</h2>
        {s.alerts.length === 0 && <p className="muted">None.</p>}
        <ul>
          {s.alerts.map((a) => (
            <li key={a.fingerprint}>
              {a.alertname ?? a.fingerprint} <span className="muted">{a.severity ?? ''} from {a.source}, since</span> <Time at={a.starts_at} />
            </li>
          ))}
        </ul>
      </section>
    </>
  );
}

/** A term of the facts list whose values are links (none: the term is left out). */
function LinkFacts({ term, names, to }: { term: string; names: string[]; to(name: string): string }) {
  if (!names.length) return null;
  return (
    <>
      <dt>{term}</dt>
      <dd>
        {names.map((n) => (
          <Link key={n} to={to(n)}>
            {n}{' '}
          </Link>
        ))}
      </dd>
    </>
  );
}

export default function ServicePage({ params }: PageProps) {
  const service = useService(params.name);
  const s = service.data;
  return (
    <>
      <div className="row">
        <h1>Service {params.name}</h1>
        <Link to="/services">All services</Link>
      </div>
      <ErrorNote error={service.error} what={`Could not read service ${params.name}`} />
      {s && (
        <>
          {s.description && <p>{s.description}</p>}
          <dl className="facts">
            <dt>Owner</dt>
            <dd>{s.owner}</dd>
            <dt>Builders</dt>
            <dd>{s.builders}</dd>
            <dt>Tier</dt>
            <dd>{s.tier}</dd>
            <dt>Lifecycle</dt>
            <dd>{s.lifecycle}</dd>
            <dt>On call now</dt>
            <dd className="on-call">
              {s.on_call.length === 0 && <span className="muted">{s.schedule ? 'nobody' : 'no schedule'}</span>}
              {s.on_call.map((o) => (
                <span key={o.layer} className="on-call-person">
                  {o.email} <span className="muted">({o.layer}, until <Time at={o.shift_end} />)</span>{' '}
                </span>
              ))}
              {s.schedule && <Link to={`/oncall?schedule=${encodeURIComponent(s.schedule)}`}>calendar</Link>}
            </dd>
            <dt>Escalation</dt>
            <dd>{s.escalation_policy ?? <span className="muted">the owning team's receiver</span>}</dd>
            <LinkFacts term="Datasets" names={s.datasets} to={(d) => `/query/${encodeURIComponent(d)}`} />
            <LinkFacts term="Depends on" names={s.depends_on} to={(d) => `/services/${encodeURIComponent(d)}`} />
          </dl>
          <Handoff s={s} />
          <Trouble s={s} />
          <Watching s={s} />
          <Runbook s={s} />
        </>
      )}
    </>
  );
}
