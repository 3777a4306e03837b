// The shell: finds out who is signed in, sends a signed-out person to sign in (and back to
// where they were going after), and renders the page the route table names inside the layout.
import { Suspense, useCallback, useEffect, useMemo, useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, get, post, setCredentials, whenSignedOut } from './api';
import { Layout } from './layout';
import { matchPath, navigate, useLocation } from './router';
import { ROUTES } from './routes';
import { saveEnvironment, savedEnvironment, SessionContext, type Me, type Session } from './session';
import { ErrorNote } from './error-note';

export function App() {
  const location = useLocation();
  const client = useQueryClient();
  const [environment, setEnv] = useState<string | undefined>(savedEnvironment);
  const me = useQuery({
    queryKey: ['me'],
    queryFn: () => get<Me>('/api/v1/auth/me'),
    retry: (n, err) => !(err instanceof ApiError && err.status === 401) && n < 2,
    staleTime: Infinity,
  });

  const found = ROUTES.map((r) => ({ route: r, params: matchPath(r.path, location.pathname) })).find((m) => m.params);
  const signedOut = me.error instanceof ApiError && me.error.status === 401;
  // The page's code loads while the app asks who is signed in, not after.
  useEffect(() => void found?.route.load(), [found?.route]);

  useEffect(() => {
    whenSignedOut(() => void client.invalidateQueries({ queryKey: ['me'] }));
  }, [client]);

  useEffect(() => {
    if (signedOut && !found?.route.public) navigate(`/sign-in?next=${encodeURIComponent(location.href)}`, { replace: true });
  }, [signedOut, found, location.href]);

  const data = me.data;
  const envs = data ? Object.keys(data.user.roles) : [];
  const current = environment && envs.includes(environment) ? environment : data?.environment;
  setCredentials(data?.csrf_token, current);

  const setEnvironment = useCallback(
    (slug: string) => {
      saveEnvironment(slug);
      setEnv(slug);
      setCredentials(data?.csrf_token, slug);
      // Everything shown so far belonged to the other environment.
      client.removeQueries({ predicate: (q) => q.queryKey[0] !== 'me' });
    },
    [client, data?.csrf_token],
  );
  const signOut = useCallback(async () => {
    await post('/api/v1/auth/logout').catch(() => undefined);
    client.clear();
    navigate('/sign-in', { replace: true });
  }, [client]);

  const session: Session | undefined = useMemo(
    () => (data && current ? { me: data, environment: current, role: data.user.roles[current], setEnvironment, signOut } : undefined),
    [data, current, setEnvironment, signOut],
  );

  if (!found) {
    return (
      <main className="centered">
        <h1>Page not found</h1>
        <p>
          Nothing lives at <code>{location.pathname}</code>. <a href="/">Go home</a>.
        </p>
      </main>
    );
  }
  const Page = found.route.page;
  const page = (
    <Suspense fallback={<p className="loading">Loading…</p>}>
      <Page params={found.params!} key={found.route.path} />
    </Suspense>
  );
  if (found.route.public) return page;
  if (me.error && !signedOut) return <main className="centered"><ErrorNote error={me.error} what="Could not find out who is signed in" /></main>;
  if (!session) return <p className="loading">Loading…</p>;
  return (
    <SessionContext.Provider value={session}>
      <Layout>{page}</Layout>
    </SessionContext.Provider>
  );
}
