// /api/v1/users: owners manage people and their roles (through a session; no key may).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { badRequest, parseJsonBody, validate } from '../../http/index.js';
import { principalOf } from '../access.js';
import type { People } from '../people.js';
import { publicUser } from './user-store.js';

const Roles = z.record(z.string().min(1).max(100), z.string());

const CreateUser = z.strictObject({
  email: z.string().min(3).max(320),
  name: z.string().min(1).max(200).optional(),
  password: z.string().max(1000).optional(),
  roles: Roles.default({}),
});

const UpdateUser = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  password: z.string().max(1000).optional(),
  roles: Roles.optional(),
  disabled: z.boolean().optional(),
});

type IdRoute = { Params: { id: string } };

export function registerUserRoutes(app: FastifyInstance, people: People): void {
  app.get('/api/v1/users', async () => ({ users: await people.list() }));

  app.post('/api/v1/users', async (request, reply) => {
    const body = validate(CreateUser, parseJsonBody(request.body), 'body');
    const user = await people.create(body);
    request.audit = { action: 'user.create', target: { kind: 'user', id: user.id }, after: user };
    reply.code(201);
    return user;
  });

  app.get<IdRoute>('/api/v1/users/:id', async (request) => publicUser(await people.get(request.params.id)));

  app.patch<IdRoute>('/api/v1/users/:id', async (request) => {
    const body = validate(UpdateUser, parseJsonBody(request.body), 'body');
    if (Object.keys(body).length === 0) throw badRequest('body: name, password, roles or disabled is required');
    if (body.disabled && request.params.id === principalOf(request).actor.id) throw badRequest('disabled: you cannot disable yourself');
    const { before, after } = await people.update(request.params.id, body);
    const roleChange = body.roles !== undefined && JSON.stringify(before.roles) !== JSON.stringify(after.roles);
    request.audit = { action: roleChange ? 'user.role_change' : 'user.update', target: { kind: 'user', id: after.id }, before, after };
    return after;
  });

  app.delete<IdRoute>('/api/v1/users/:id', async (request) => {
    if (request.params.id === principalOf(request).actor.id) throw badRequest('id: you cannot delete yourself');
    const before = await people.remove(request.params.id);
    request.audit = { action: 'user.delete', target: { kind: 'user', id: before.id }, before };
    return { deleted: before.id };
  });
}
