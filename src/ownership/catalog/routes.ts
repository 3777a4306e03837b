// The catalog's API: services (with on-call now, open incidents, faults, runbook and handoff
// status), teams, recording a handover, and adding imported Backstage entries.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authorOf } from '../../alerts/index.js';
import { principalOf } from '../../auth/index.js';
import { badRequest, conflict, notFound, parseJsonBody, validate } from '../../http/index.js';
import type { Ownership } from '../ownership.js';
import { serviceJson, teamJson } from '../views.js';
import { BackstageError, parseBackstage } from './backstage.js';

const ImportBody = z.strictObject({ files: z.array(z.strictObject({ name: z.string().default('catalog-info.yaml'), text: z.string().max(1_000_000) })).min(1).max(200) });

export function registerCatalogRoutes(app: FastifyInstance, o: Ownership): void {
  const find = (envId: string, name: string) => {
    const s = o.catalog.service(envId, name);
    if (!s) throw notFound(`no service named "${name}"`);
    return s;
  };

  app.get('/api/v1/services', async (request) => {
    const { env } = principalOf(request);
    return { services: await Promise.all(o.catalog.services(env.id).map((s) => serviceJson(o, env, s, false))) };
  });

  app.get<{ Params: { name: string } }>('/api/v1/services/:name', async (request) => {
    const { env } = principalOf(request);
    return serviceJson(o, env, find(env.id, request.params.name), true);
  });

  app.post<{ Params: { name: string } }>('/api/v1/services/:name/handoff', async (request) => {
    const { env } = principalOf(request);
    const s = find(env.id, request.params.name);
    try {
      await o.handOver(env, s, authorOf(request));
    } catch (err) {
      throw conflict((err as Error).message);
    }
    return serviceJson(o, env, s, true);
  });

  app.get('/api/v1/teams', async (request) => ({ teams: o.catalog.teams(principalOf(request).env.id).map(teamJson) }));

  app.post('/api/v1/catalog/import', async (request) => {
    const { env } = principalOf(request);
    const body = validate(ImportBody, parseJsonBody(request.body), 'import');
    let parsed;
    try {
      parsed = parseBackstage(body.files);
    } catch (err) {
      if (err instanceof BackstageError) throw badRequest(`files: ${err.message}`);
      throw err;
    }
    const { added, skipped } = await o.catalog.import(env.id, parsed.teams, parsed.services);
    return { added, skipped, notes: parsed.notes };
  });
}
