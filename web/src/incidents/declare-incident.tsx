// Declaring an incident by hand (POST /api/v1/incidents): a service, a severity and a title; it
// pages through the service's escalation policy like one opened from an alert.
import { useState, type FormEvent } from 'react';
import { post } from '../app/api';
import { ErrorNote } from '../app/error-note';
import { navigate } from '../app/router';
import { useServices } from '../services/services-api';
import { SEVERITIES, type IncidentDetail } from './incidents-api';

export function DeclareIncident() {
  const services = useServices();
  const [service, setService] = useState('');
  const [severity, setSeverity] = useState<string>('SEV3');
  const [title, setTitle] = useState('');
  const [error, setError] = useState<unknown>();
  const names = services.data?.services.map((s) => s.name) ?? [];
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      const i = await post<IncidentDetail>('/api/v1/incidents', { service: service || names[0], severity, title });
      navigate(`/incidents/${i.id}`);
    } catch (err) {
      setError(err);
    }
  };
  if (!names.length) return null;
  return (
    <form className="panel declare" onSubmit={submit} aria-label="Declare an incident">
      <h2>Declare an incident</h2>
      <div className="row">
        <label>
          Service{' '}
          <select value={service || names[0]} onChange={(e) => setService(e.target.value)}>
            {names.map((n) => (
              <option key={n}>{n}</option>
            ))}
          </select>
        </label>
        <label>
          Severity{' '}
          <select value={severity} onChange={(e) => setSeverity(e.target.value)}>
            {SEVERITIES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <label className="grow">
          Title <input required maxLength={500} value={title} onChange={(e) => setTitle(e.target.value)} />
        </label>
        <button type="submit" className="primary">
          Declare
        </button>
      </div>
      <ErrorNote error={error} what="Could not declare the incident" />
    </form>
  );
}
