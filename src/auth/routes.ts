// GET /1/auth answers as Honeycomb's does, so clients that check their key work unchanged.
// /api/v1/keys lets an admin key manage the keys of its own environment.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf } from './access.js';
import { notFound, parseJsonBody, validate } from '../http/index.js';
import type { AuthService } from './auth-service.js';
import { KEY_KINDS } from './keys.js';

const CreateKey = z.object({
  kind: z.enum(KEY_KINDS as ['ingest', 'admin']),
  name: z.string().min(1).max(200).optional(),
});

export function registerAuthRoutes(app: FastifyInstance, auth: AuthService): void {
  app.get('/1/auth', { config: { access: 'ingest' } }, async (request) => {
    const p = principalOf(request);
    const admin = p.kind === 'admin';
    return {
      id: p.keyId,
      type: admin ? 'configuration' : 'ingest',
      api_key_access: {
        events: true,
        markers: true,
        triggers: admin,
        boards: admin,
        queries: admin,
        columns: admin,
        createDatasets: true,
        slos: admin,
        recipients: admin,
        privateBoards: admin,
      },
      environment: { name: p.env.name, slug: p.env.slug },
      team: { name: 'Tend', slug: 'tend' },
    };
  });

  app.get('/api/v1/keys', async (request) => ({ keys: await auth.listKeys(principalOf(request).env.id) }));

  app.post('/api/v1/keys', async (request, reply) => {
    const body = validate(CreateKey, parseJsonBody(request.body), 'body');
    const p = principalOf(request);
    const created = await auth.createKey(p.env.name, body.kind, { name: body.name });
    reply.code(201);
    return { key: created.key, ...created.record };
  });

  app.delete<{ Params: { id: string } }>('/api/v1/keys/:id', async (request) => {
    const ok = await auth.revokeKey(request.params.id, principalOf(request).env.id);
    if (!ok) throw notFound(`no active key with id "${request.params.id}" in this environment`);
    return { revoked: request.params.id };
  });
}
