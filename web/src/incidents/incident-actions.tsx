// Moving an incident forward (acknowledge, mitigate, resolve) and changing its severity: shown to
// roles that hold alerts.write (the API refuses the others anyway), errors beside the buttons.
import { useState } from 'react';
import { ErrorNote } from '../app/error-note';
import { useCan } from '../app/session';
import { SEVERITIES, useIncidentChange, type IncidentDetail } from './incidents-api';

const NEXT: Record<string, { state: string; label: string }[]> = {
  triggered: [{ state: 'acknowledged', label: 'Acknowledge' }, { state: 'mitigated', label: 'Mitigate' }, { state: 'resolved', label: 'Resolve' }],
  acknowledged: [{ state: 'mitigated', label: 'Mitigate' }, { state: 'resolved', label: 'Resolve' }],
  mitigated: [{ state: 'resolved', label: 'Resolve' }],
  resolved: [],
};

export function IncidentActions({ incident }: { incident: IncidentDetail }) {
  const can = useCan('alerts.write');
  const change = useIncidentChange(incident.id);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  if (!can) return null;
  const patch = async (body: Record<string, string>) => {
    setBusy(true);
    setError(undefined);
    try {
      await change('PATCH', '', body);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="row actions">
      {NEXT[incident.state].map((n) => (
        <button key={n.state} type="button" disabled={busy} onClick={() => void patch({ state: n.state })}>
          {n.label}
        </button>
      ))}
      <label>
        Severity{' '}
        <select value={incident.severity} disabled={busy} onChange={(e) => void patch({ severity: e.target.value })}>
          {SEVERITIES.map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
      </label>
      <ErrorNote error={error} what="Could not change the incident" />
    </div>
  );
}
