// Who is signed in, in which environment, and with which role there. The role decides which
// controls a page shows (the API refuses anyway: src/auth/permissions.ts, the same table).
import { createContext, useContext } from 'react';
import { roleHolds, type Permission, type Role } from '../../../src/auth/permissions.js';

export interface Me {
  user: { id: string; email: string; name: string; roles: Record<string, Role> };
  csrf_token: string;
  environment: string;
  role: Role | null;
}

export interface Session {
  me: Me;
  environment: string;
  role: Role | undefined;
  setEnvironment(slug: string): void;
  signOut(): Promise<void>;
}

export const SessionContext = createContext<Session | undefined>(undefined);

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error('useSession outside a signed-in page');
  return s;
}

/** Whether the signed-in person's role in the current environment holds a permission. */
export function useCan(permission: Permission): boolean {
  const { role } = useSession();
  return role !== undefined && roleHolds(role, permission);
}

const ENV_KEY = 'tend.environment';
export const savedEnvironment = () => localStorage.getItem(ENV_KEY) ?? undefined;
export const saveEnvironment = (slug: string) => localStorage.setItem(ENV_KEY, slug);
