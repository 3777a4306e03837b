// A schedule's overrides (a person in a layer's place from one time to another): listed, added
// and deleted by roles that hold alerts.write. Times are typed in the browser's time zone.
import { useState, type FormEvent } from 'react';
import { ErrorNote } from '../app/error-note';
import { Time } from '../app/format';
import { useCan } from '../app/session';
import { useOverrideChange, useOverrides, type ScheduleView } from './oncall-api';

function AddOverride({ schedule }: { schedule: ScheduleView }) {
  const change = useOverrideChange(schedule.name);
  const [layer, setLayer] = useState(schedule.layers[0]?.name ?? '');
  const [email, setEmail] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [error, setError] = useState<unknown>();
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setError(undefined);
    try {
      // datetime-local is the browser's wall-clock time; the API takes an instant.
      await change('POST', { layer, email, from: new Date(from).toISOString(), to: new Date(to).toISOString() });
      setEmail('');
    } catch (err) {
      setError(err);
    }
  };
  return (
    <form className="row add-override" onSubmit={submit} aria-label="Add an override">
      <label>
        Layer{' '}
        <select value={layer} onChange={(e) => setLayer(e.target.value)}>
          {schedule.layers.map((l) => (
            <option key={l.name}>{l.name}</option>
          ))}
        </select>
      </label>
      <label>
        Who (email) <input type="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      </label>
      <label>
        From <input type="datetime-local" required value={from} onChange={(e) => setFrom(e.target.value)} />
      </label>
      <label>
        To <input type="datetime-local" required value={to} onChange={(e) => setTo(e.target.value)} />
      </label>
      <button type="submit">Add override</button>
      <ErrorNote error={error} what="Could not add the override" />
    </form>
  );
}

export function Overrides({ schedule }: { schedule: ScheduleView }) {
  const overrides = useOverrides(schedule.name);
  const change = useOverrideChange(schedule.name);
  const can = useCan('alerts.write');
  const [error, setError] = useState<unknown>();
  const remove = (id: string) => change('DELETE', undefined, id).catch(setError);
  const list = overrides.data?.overrides ?? [];
  return (
    <section aria-labelledby="overrides">
      <h2 id="overrides">Overrides</h2>
      <ErrorNote error={overrides.error ?? error} what="Overrides" />
      {overrides.data && list.length === 0 && <p className="muted">No overrides.</p>}
      {list.length > 0 && (
        <table className="grid overrides">
          <thead>
            <tr>
              <th>Layer</th>
              <th>Who</th>
              <th>From</th>
              <th>To</th>
              <th>By</th>
              {can && (
                <th>
                  <span className="visually-hidden">Actions</span>
                </th>
              )}
            </tr>
          </thead>
          <tbody>
            {list.map((o) => (
              <tr key={o.id}>
                <td>{o.layer}</td>
                <td>{o.email}</td>
                <td>
                  <Time at={o.from} />
                </td>
                <td>
                  <Time at={o.to} />
                </td>
                <td>{o.created_by ?? ''}</td>
                {can && (
                  <td>
                    <button type="button" onClick={() => void remove(o.id)} aria-label={`Delete the override of ${o.email} on ${o.layer}`}>
                      Delete
                    </button>
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {can && <AddOverride schedule={schedule} />}
    </section>
  );
}
