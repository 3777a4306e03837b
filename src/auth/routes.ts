// GET /1/auth answers as Honeycomb's does, so clients that check their key work unchanged.
// /api/v1/keys manages the keys of the caller's own environment (an admin key, or an admin or
// owner signed in); a key made by a person is attributed to them.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf } from './access.js';
import { notFound, parseJsonBody, validate } from '../http/index.js';
import type { AuthService } from './auth-service.js';
import { KEY_KINDS, type KeyKind } from './keys.js';

const CreateKey = z.object({
  kind: z.enum(KEY_KINDS as [KeyKind, ...KeyKind[]]),
  name: z.string().min(1).max(200).optional(),
});

export function registerAuthRoutes(app: FastifyInstance, auth: AuthService): void {
  app.get('/1/auth', async (request) => {
    const p = principalOf(request);
    const admin = p.keyKind === 'admin' || p.role === 'owner' || p.role === 'admin';
    const reads = admin || p.keyKind === 'read' || p.role !== undefined;
    const writes = admin || p.keyKind === 'ingest';
    return {
      id: p.keyId ?? p.actor.id,
      type: admin ? 'configuration' : writes ? 'ingest' : 'read',
      api_key_access: {
        events: writes,
        markers: writes,
        triggers: admin,
        boards: admin,
        queries: reads,
        columns: reads,
        createDatasets: writes,
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
    // A key made by a key belongs to the person behind the key that made it.
    const createdBy = p.actor.kind === 'user' ? p.actor.id : (await auth.listKeys(p.env.id)).find((k) => k.id === p.keyId)?.createdBy ?? undefined;
    const created = await auth.createKey(p.env.name, body.kind, { name: body.name, createdBy });
    request.audit = { action: 'key.create', target: { kind: 'key', id: created.record.id }, after: created.record };
    reply.code(201);
    return { key: created.key, ...created.record };
  });

  app.delete<{ Params: { id: string } }>('/api/v1/keys/:id', async (request) => {
    const ok = await auth.revokeKey(request.params.id, principalOf(request).env.id);
    request.audit = { action: 'key.revoke', target: { kind: 'key', id: request.params.id } };
    if (!ok) throw notFound(`no active key with id "${request.params.id}" in this environment`);
    return { revoked: request.params.id };
  });
}
