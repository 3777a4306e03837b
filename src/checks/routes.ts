// /api/v1/checks: create, read, update, delete, run once, pause and resume checks of the
// key's environment; POST /api/v1/checks/apply takes a tend.yaml; POST /api/v1/ping-key makes
// the environment's ping key for /ping/<ping-key>/<name> URLs (shown once, stored hashed).
import type { FastifyInstance } from 'fastify';
import { principalOf } from '../auth/index.js';
import { parseJsonBody, badRequest } from '../http/index.js';
import type { CheckRecord } from './check-store.js';
import { ChecksFileError, parseChecksFile } from './config-file.js';
import { formatResult } from './format.js';
import type { ChecksService } from './service.js';

type NameRoute = { Params: { name: string } };

export function checkJson(checks: ChecksService, rec: CheckRecord) {
  const view = checks.view(rec);
  const def = rec.definition;
  return {
    name: rec.name,
    kind: rec.kind,
    environment: rec.env.slug,
    managed_by: rec.source,
    state: view.state,
    since: view.since,
    paused_through_api: view.pausedByApi,
    last_result: view.last && {
      at: view.last.at_iso,
      ok: view.last.ok,
      duration_ms: view.last.durationMs,
      error: view.last.error,
      http_status_code: view.last.httpStatus,
      tls_cert_days_left: view.last.certDaysLeft,
    },
    heartbeat: def.kind === 'heartbeat' ? { uuid: def.uuid, ping_path: `/ping/${def.uuid}`, last_ping_at: view.heartbeat?.lastPingAt, running_since: view.heartbeat?.runningSince, late_at: view.heartbeat?.lateAt } : undefined,
    definition: def,
    created_at: rec.createdAt,
    updated_at: rec.updatedAt,
  };
}

export function registerCheckRoutes(app: FastifyInstance, checks: ChecksService): void {
  app.get('/api/v1/checks', async (request) => ({
    checks: checks.list(principalOf(request).env.id).map((r) => checkJson(checks, r)),
  }));

  app.post('/api/v1/checks', async (request, reply) => {
    const rec = await checks.create(principalOf(request).env, parseJsonBody(request.body));
    reply.code(201);
    return checkJson(checks, rec);
  });

  app.get<NameRoute>('/api/v1/checks/:name', async (request) => checkJson(checks, checks.get(principalOf(request).env.id, request.params.name)));

  app.put<NameRoute>('/api/v1/checks/:name', async (request) =>
    checkJson(checks, await checks.replace(principalOf(request).env, request.params.name, parseJsonBody(request.body))),
  );

  app.delete<NameRoute>('/api/v1/checks/:name', async (request) => {
    await checks.remove(principalOf(request).env, request.params.name);
    return { deleted: request.params.name };
  });

  app.post<NameRoute>('/api/v1/checks/:name/run', async (request) => {
    const result = await checks.run(principalOf(request).env, request.params.name);
    return { name: request.params.name, ...formatResult(result) };
  });

  app.post<NameRoute>('/api/v1/checks/:name/pause', async (request) => checkJson(checks, await checks.setPaused(principalOf(request).env, request.params.name, true)));
  app.post<NameRoute>('/api/v1/checks/:name/resume', async (request) => checkJson(checks, await checks.setPaused(principalOf(request).env, request.params.name, false)));

  app.post('/api/v1/checks/apply', async (request) => {
    if (!Buffer.isBuffer(request.body) || request.body.length === 0) throw badRequest('request body is empty: send the text of a tend.yaml');
    let file;
    try {
      file = parseChecksFile(request.body.toString('utf8'));
    } catch (err) {
      if (err instanceof ChecksFileError) throw badRequest(err.message);
      throw err;
    }
    return checks.apply(principalOf(request).env, file);
  });

  app.post('/api/v1/ping-key', async (request, reply) => {
    const env = principalOf(request).env;
    const key = await checks.rotatePingKey(env);
    reply.code(201);
    return { ping_key: key, environment: env.slug, note: 'Shown once; stored hashed. Ping URLs: /ping/<ping_key>/<check-name>. Any earlier ping key stops working.' };
  });

  app.get('/api/v1/status-pages', async (request) => ({ status_pages: await checks.pages(principalOf(request).env.id) }));
}
