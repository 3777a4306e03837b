// Run now, pause and resume: shown only to roles that hold checks.write (the API refuses the
// others anyway); a refusal or failure is shown beside the buttons.
import { useState } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { post } from '../app/api';
import { ErrorNote } from '../app/error-note';
import { useCan } from '../app/session';
import type { CheckView } from './checks-api';

export function CheckActions({ check }: { check: CheckView }) {
  const can = useCan('checks.write');
  const client = useQueryClient();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  if (!can) return null;
  const act = async (verb: 'run' | 'pause' | 'resume') => {
    setBusy(true);
    setError(undefined);
    try {
      await post(`/api/v1/checks/${encodeURIComponent(check.name)}/${verb}`);
      await client.invalidateQueries({ predicate: (q) => ['checks', 'check-events', 'response-times'].includes(String(q.queryKey[0])) });
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  };
  const paused = check.state === 'paused';
  return (
    <span className="row actions">
      <button type="button" disabled={busy} onClick={() => void act('run')} aria-label={`Run now: ${check.name}`}>
        Run now
      </button>
      <button type="button" disabled={busy} onClick={() => void act(paused ? 'resume' : 'pause')} aria-label={`${paused ? 'Resume' : 'Pause'}: ${check.name}`}>
        {paused ? 'Resume' : 'Pause'}
      </button>
      <ErrorNote error={error} what={`Could not change ${check.name}`} />
    </span>
  );
}
