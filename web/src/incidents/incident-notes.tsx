// The timeline (alerts, check changes, deploys, escalations, acknowledgements, notes, each with
// its time and author) and the form that adds a note to it.
import { useState, type FormEvent } from 'react';
import { ErrorNote } from '../app/error-note';
import { Time } from '../app/format';
import { useCan } from '../app/session';
import { useIncidentChange, type IncidentDetail } from './incidents-api';

export function Timeline({ incident }: { incident: IncidentDetail }) {
  return (
    <ol className="timeline" aria-label="Timeline">
      {incident.timeline.map((e, i) => (
        <li key={i} className={`entry entry-${e.kind.replace(/\W/g, '-')}`}>
          <Time at={e.at} /> <span className="kind">{e.kind}</span> <span className="author">{e.author}</span>
          <div className="text">{e.text}</div>
        </li>
      ))}
    </ol>
  );
}

export function AddNote({ incident }: { incident: IncidentDetail }) {
  const can = useCan('alerts.write');
  const change = useIncidentChange(incident.id);
  const [text, setText] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  if (!can) return null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await change('POST', '/notes', { text });
      setText('');
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  return (
    <form className="stack note-form" onSubmit={submit}>
      <label>
        Note
        <textarea rows={3} required maxLength={20_000} value={text} onChange={(e) => setText(e.target.value)} />
      </label>
      <ErrorNote error={error} what="Could not add the note" />
      <button type="submit" disabled={busy || !text.trim()}>
        Add note
      </button>
    </form>
  );
}
