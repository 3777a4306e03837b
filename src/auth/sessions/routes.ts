// Sign-in with email and password, sign-out, and "who am I". Login and me both answer
// {"user": {id, email, name, roles}, "csrf_token"}; the browser keeps the cookie and sends the
// token back as X-CSRF-Token on every change.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseJsonBody, validate } from '../../http/index.js';
import { principalOf, sessionTokenOf } from '../access.js';
import type { People } from '../people.js';
import type { UserRecord } from '../users/user-store.js';
import { clearedSessionCookie, sessionCookie } from './cookie.js';
import { csrfTokenOf } from './session-store.js';

const Login = z.strictObject({
  email: z.string().min(1).max(320),
  password: z.string().min(1).max(1000),
});

export function sessionAnswer(user: UserRecord, token: string) {
  return { user: { id: user.id, email: user.email, name: user.name, roles: user.roles }, csrf_token: csrfTokenOf(token) };
}

/** Starts a session for a user who proved who they are (password or single sign-on). */
export async function startSession(people: People, request: FastifyRequest, reply: FastifyReply, user: UserRecord, token?: string): Promise<string> {
  const t = token ?? (await people.sessions.create(user.id)).token;
  reply.header('set-cookie', sessionCookie(t, request.protocol === 'https', Math.floor(people.sessions.limits.maxMs / 1000)));
  request.audit = {
    ...request.audit,
    actor: { kind: 'user', id: user.id, email: user.email },
    env: user.envs[0] ?? (await people.defaultEnvironment()),
    target: { kind: 'user', id: user.id },
  };
  return t;
}

export function registerSessionRoutes(app: FastifyInstance, people: People): void {
  app.post('/api/v1/auth/login', async (request, reply) => {
    const body = validate(Login, parseJsonBody(request.body), 'body');
    const known = await people.users.byEmail(body.email);
    request.audit = {
      action: 'auth.login_failed',
      actor: { kind: known ? 'user' : 'anonymous', id: known?.id ?? '', email: body.email.trim().toLowerCase() },
      env: known?.envs[0] ?? (await people.defaultEnvironment()),
      target: { kind: 'user', id: known?.id ?? '' },
    };
    // A refusal leaves the entry above as it is: the hook records it with the 401 or 429.
    const signedIn = await people.login(body.email, body.password, request.ip);
    request.audit.action = 'auth.login';
    await startSession(people, request, reply, signedIn.user, signedIn.token);
    return sessionAnswer(signedIn.user, signedIn.token);
  });

  app.post('/api/v1/auth/logout', async (request, reply) => {
    const token = sessionTokenOf(request);
    if (token) await people.sessions.revoke(token);
    reply.header('set-cookie', clearedSessionCookie(request.protocol === 'https'));
    const p = principalOf(request);
    request.audit = { action: 'auth.logout', target: { kind: 'user', id: p.actor.id } };
    return { signed_out: true };
  });

  app.get('/api/v1/auth/me', async (request) => {
    const p = principalOf(request);
    return { ...sessionAnswer(p.user!, sessionTokenOf(request)!), environment: p.env.slug, role: p.role ?? null };
  });
}
