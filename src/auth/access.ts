// Security by default: every route needs a key unless it declares `config: { access: 'public' }`.
// `ingest` routes take ingest or admin keys; everything else takes admin keys only.
// The key comes in X-Honeycomb-Team (Honeycomb clients) or Authorization: Bearer (OTLP, curl).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuthService, Principal } from './auth-service.js';
import { forbidden, unauthorized } from '../http/index.js';

export type Access = 'public' | 'ingest' | 'admin';

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
  interface FastifyRequest {
    principal?: Principal;
  }
}

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

export function registerAccessHook(app: FastifyInstance, auth: AuthService): void {
  app.addHook('onRequest', async (request) => {
    const access: Access = request.routeOptions.config?.access ?? 'admin';
    if (access === 'public' || !request.routeOptions.url) return; // unknown routes fall through to 404
    const key = keyFromHeaders(request.headers);
    if (!key) throw unauthorized('missing API key: send it in the X-Honeycomb-Team header or as Authorization: Bearer <key>');
    const principal = await auth.verify(key);
    if (!principal) throw unauthorized('unknown or revoked API key');
    if (access === 'admin' && principal.kind !== 'admin') throw forbidden('this route needs an admin key; the key sent is an ingest key');
    request.principal = principal;
  });
}

/** The principal of a request that passed the access hook. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized('missing API key');
  return request.principal;
}
