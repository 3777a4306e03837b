// The postmortem: Markdown (summary, impact, timeline, causes, action items with owners and due
// dates), started from a template when the incident resolves; editable by roles that may.
import { useState } from 'react';
import { ErrorNote } from '../app/error-note';
import { useCan } from '../app/session';
import { useIncidentChange, type IncidentDetail } from './incidents-api';

export function PostmortemEditor({ incident }: { incident: IncidentDetail }) {
  const can = useCan('alerts.write');
  const change = useIncidentChange(incident.id);
  // What the person typed; undefined while they have not touched it (the server's text shows).
  const [draft, setDraft] = useState<string>();
  const [error, setError] = useState<unknown>();
  const [saved, setSaved] = useState(false);
  if (incident.postmortem === null && !can) return null;
  const text = draft ?? incident.postmortem ?? '';
  const save = async () => {
    setError(undefined);
    setSaved(false);
    try {
      await change('PATCH', '', { postmortem: text });
      setDraft(undefined);
      setSaved(true);
    } catch (err) {
      setError(err);
    }
  };
  return (
    <section aria-labelledby="postmortem">
      <h2 id="postmortem">Postmortem</h2>
      {incident.postmortem === null && <p className="muted">A template is filled in when the incident resolves; you may start it now.</p>}
      <textarea className="postmortem" aria-labelledby="postmortem" rows={16} readOnly={!can} value={text} onChange={(e) => { setDraft(e.target.value); setSaved(false); }} />
      {can && (
        <div className="row">
          <button type="button" onClick={() => void save()} disabled={draft === undefined}>
            Save postmortem
          </button>
          <span role="status">{saved ? 'Saved.' : draft !== undefined ? 'Not saved yet.' : ''}</span>
        </div>
      )}
      <ErrorNote error={error} what="Could not save the postmortem" />
    </section>
  );
}
