// The header every signed-in page has: where to go, the environment switcher, who is signed in
// with which role, and the Sign out button.
import type { ReactNode } from 'react';
import { Link, useLocation } from './router';
import { useSession } from './session';

const NAV = [
  { to: '/', label: 'Datasets', match: (p: string) => p === '/' || /^\/(query|events|traces?)\//.test(p) },
  { to: '/checks', label: 'Checks', match: (p: string) => p.startsWith('/checks') },
  { to: '/services', label: 'Services', match: (p: string) => p.startsWith('/services') },
  { to: '/oncall', label: 'On call', match: (p: string) => p.startsWith('/oncall') },
  { to: '/incidents', label: 'Incidents', match: (p: string) => p.startsWith('/incidents') },
  { to: '/customers', label: 'Customers', match: (p: string) => p.startsWith('/customers') },
];

export function Layout({ children }: { children: ReactNode }) {
  const session = useSession();
  const { pathname } = useLocation();
  const envs = Object.keys(session.me.user.roles);
  return (
    <>
      <header className="top">
        <Link to="/" className="brand">
          Tend
        </Link>
        <nav aria-label="Main">
          {NAV.map((n) => (
            <Link key={n.to} to={n.to} aria-current={n.match(pathname) ? 'page' : undefined}>
              {n.label}
            </Link>
          ))}
        </nav>
        <span className="spacer" />
        <label className="env">
          <span>Environment</span>
          <select value={session.environment} onChange={(e) => session.setEnvironment(e.target.value)}>
            {envs.map((e) => (
              <option key={e} value={e}>
                {e}
              </option>
            ))}
          </select>
        </label>
        <span className="who" title={session.me.user.email}>
          {session.me.user.name || session.me.user.email} <span className="role">{session.role ?? 'no role'}</span>
        </span>
        <button type="button" onClick={() => void session.signOut()}>
          Sign out
        </button>
      </header>
      <main>{children}</main>
    </>
  );
}
