// Who acknowledged an alert or made a silence: the signed-in user's email, or the API key.
import type { FastifyRequest } from 'fastify';
import { principalOf } from '../auth/index.js';

export function authorOf(request: FastifyRequest): string {
  const { actor } = principalOf(request);
  return actor.kind === 'user' ? (actor.email ?? `user:${actor.id}`) : `${actor.kind}:${actor.id}`;
}
