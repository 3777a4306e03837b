// Sign in with email and password (or single sign-on when configured), then go where the
// person was going: ?next= holds it.
import { useState, type FormEvent } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, get, post } from '../app/api';
import { ErrorNote } from '../app/error-note';
import { navigate, useLocation } from '../app/router';

/** Only paths on this site: ?next=https://elsewhere must not send anyone away. */
const safeNext = (next: string | null) => (next && next.startsWith('/') && !next.startsWith('//') ? next : '/');

export default function SignInPage() {
  const { search } = useLocation();
  const next = safeNext(search.get('next'));
  const client = useQueryClient();
  const settings = useQuery({ queryKey: ['ui-settings'], queryFn: () => get<{ oidc: boolean }>('/api/v1/ui/settings') });
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await post('/api/v1/auth/login', { email, password });
      await client.resetQueries({ queryKey: ['me'] });
      navigate(next, { replace: true });
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? new Error('the email or password is not right') : err);
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="centered">
      <h1>Sign in to Tend</h1>
      <form className="stack" onSubmit={submit}>
        <label>
          Email
          <input type="email" name="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </label>
        <label>
          Password
          <input type="password" name="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        <ErrorNote error={error} what="Could not sign in" />
        <button type="submit" className="primary" disabled={busy}>
          Sign in
        </button>
      </form>
      {settings.data?.oidc && (
        <p>
          <a className="button" href={`/api/v1/auth/oidc/login?return_to=${encodeURIComponent(next)}`}>
            Sign in with single sign-on
          </a>
        </p>
      )}
    </main>
  );
}
