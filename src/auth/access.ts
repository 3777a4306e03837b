// Security by default: every request is checked against the permission table (permissions.ts)
// before its handler runs. A caller is either an API key (X-Honeycomb-Team, or Authorization:
// Bearer) or a person's session cookie; a key reaches only its own environment, a session acts
// in the environment named by X-Tend-Environment (default: the user's first) with the user's
// role there. Requests a cookie authenticates must carry the session's CSRF token on anything
// but GET, HEAD and OPTIONS.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService } from './auth-service.js';
import type { Environment } from '../store/index.js';
import type { Actor } from './audit-entry.js';
import type { KeyKind } from './keys.js';
import type { People } from './people.js';
import type { UserRecord } from './users/user-store.js';
import { forbidden, unauthorized } from '../http/index.js';
import { keyHolds, roleHolds, ruleFor, type Role, type RouteRule } from './permissions.js';
import { cookieValue, SESSION_COOKIE } from './sessions/cookie.js';
import { csrfMatches } from './sessions/session-store.js';

/** Routes may still say `config: { access }`; it is only the fallback for a route missing from the table. */
export type Access = 'public' | 'ingest' | 'admin';

/** Who is calling, in which environment. */
export interface Caller {
  env: Environment;
  actor: Actor;
  keyKind?: KeyKind;
  keyId?: string;
  role?: Role;
  user?: UserRecord;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal?: Caller;
    /** The rule the request was checked against (the audit hook reads it). */
    accessRule?: RouteRule;
  }
}

export const ENVIRONMENT_HEADER = 'x-tend-environment';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function keyFromHeaders(headers: FastifyRequest['headers']): string | undefined {
  const team = headers['x-honeycomb-team'];
  if (typeof team === 'string' && team.length > 0) return team.trim();
  const auth = headers.authorization;
  if (typeof auth === 'string') {
    const m = /^Bearer\s+(.+)$/i.exec(auth.trim());
    if (m) return m[1].trim();
  }
  return undefined;
}

const LEGACY: Record<Access, RouteRule> = {
  public: { permission: 'public' },
  ingest: { permission: 'events.write' },
  admin: { permission: 'settings.write' },
};

/** The rule for a route: the table's, else (a route added without a table entry) the strict fallback. */
export function ruleOf(request: FastifyRequest): RouteRule {
  return ruleFor(request.method, request.routeOptions.url ?? '') ?? LEGACY[request.routeOptions.config?.access ?? 'admin'];
}

export function sessionTokenOf(request: FastifyRequest): string | undefined {
  return cookieValue(request.headers.cookie, SESSION_COOKIE);
}

const registered = new WeakMap<FastifyInstance, string[]>();

/** Every `METHOD /pattern` registered on an app after its access hook: what the permission table must cover. */
export function registeredRoutes(app: FastifyInstance): string[] {
  return [...(registered.get(app) ?? [])];
}

export function registerAccessHook(app: FastifyInstance, auth: AuthService, people: People): void {
  const routes: string[] = [];
  registered.set(app, routes);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) routes.push(`${method} ${route.url}`);
  });
  app.addHook('onRequest', async (request) => {
    if (!request.routeOptions.url) return; // unknown routes fall through to 404
    const rule = ruleOf(request);
    request.accessRule = rule;
    if (rule.permission === 'public') return;
    const key = keyFromHeaders(request.headers);
    if (key) {
      const p = await auth.verify(key);
      if (!p) throw unauthorized('unknown or revoked API key');
      request.principal = { env: p.env, actor: { kind: 'key', id: p.keyId }, keyKind: p.kind, keyId: p.keyId };
      if (!keyHolds(p.kind, rule)) {
        throw forbidden(`this route needs ${rule.permission === 'session' ? 'a signed-in user' : `the ${rule.permission} permission`}; an ${p.kind} key does not have it`);
      }
      return;
    }
    const token = sessionTokenOf(request);
    if (!token) throw unauthorized('missing API key or session: send a key in X-Honeycomb-Team or Authorization: Bearer <key>, or sign in');
    const found = await people.userOfSession(token);
    if (!found) throw unauthorized('session expired or ended: sign in again');
    const { user } = found;
    const asked = request.headers[ENVIRONMENT_HEADER];
    const wanted = typeof asked === 'string' && asked.trim() ? asked.trim().toLowerCase() : undefined;
    const env = wanted ? user.envs.find((e) => e.slug === wanted) : user.envs[0];
    const actor: Actor = { kind: 'user', id: user.id, email: user.email };
    if (!env && rule.permission !== 'session') {
      if (wanted) throw forbidden(`you have no role in environment "${wanted}"`);
      throw forbidden('you have no role in any environment: ask an owner for one');
    }
    const role = env ? user.roles[env.slug] : undefined;
    request.principal = { env: env ?? (await people.defaultEnvironment()), actor, role, user };
    if (!SAFE_METHODS.has(request.method) && !csrfMatches(token, headerValue(request.headers[CSRF_HEADER]))) {
      throw forbidden('missing or wrong X-CSRF-Token: send the csrf_token from /api/v1/auth/login or /api/v1/auth/me');
    }
    if (role ? !roleHolds(role, rule.permission) : rule.permission !== 'session') {
      throw forbidden(`this route needs the ${rule.permission} permission; your role in ${env!.slug} is ${role}`);
    }
  });
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** The caller of a request that passed the access hook. */
export function principalOf(request: FastifyRequest): Caller {
  if (!request.principal) throw unauthorized('missing API key');
  return request.principal;
}
