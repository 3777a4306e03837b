// The deploys API:
//   POST /api/v1/deploys                 record a deploy (an ingest key is enough, so CI can call it)
//   GET  /api/v1/deploys[?service=]      newest first
//   GET  /api/v1/deploys/:id             one deploy
//   GET  /api/v1/deploys/:id/report      what it did: pending until its window has passed
//   POST /api/v1/deploys/github          GitHub's deployment_status webhook (X-Hub-Signature-256)
//   POST /api/v1/deploys/gitlab          GitLab's deployment event (X-Gitlab-Token)
// The webhooks carry no Tend key: the signature (token) is their credential, and their deploys
// land in tend.yaml's environment.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../auth/index.js';
import { badRequest, notFound, parseJsonBody, validate } from '../http/index.js';
import type { Environment } from '../store/index.js';
import type { DeploySettings } from './config.js';
import { deployJson, type DeployStore, type NewDeploy } from './deploy-store.js';
import type { DeployService } from './deploy-service.js';
import { checkGithubSignature, checkGitlabToken, githubDeploy, gitlabDeploy } from './webhooks.js';

const Text = (max: number) => z.string().min(1).max(max);
export const DeployBody = z.strictObject({
  service: Text(100),
  build: Text(200),
  commit: Text(200).optional(),
  message: z.string().max(10_000).optional(),
  url: z.url().max(2048).optional(),
  /** ISO 8601; default now. */
  time: z.iso.datetime({ offset: true }).optional(),
});

export interface DeployRoutesDeps {
  service: DeployService;
  store: DeployStore;
  /** tend.yaml's `deploys:` section as it is now (a reload replaces it). */
  settings: () => DeploySettings;
  /** tend.yaml's environment, where webhooks record their deploys. */
  fileEnvironment(): Promise<Environment>;
}

export function registerDeployRoutes(app: FastifyInstance, d: DeployRoutesDeps): void {
  app.post('/api/v1/deploys', async (request, reply) => {
    const b = validate(DeployBody, parseJsonBody(request.body), 'body');
    const nd: NewDeploy = { service: b.service, build: b.build, commit: b.commit, message: b.message, url: b.url, time: b.time ? Date.parse(b.time) : Date.now(), source: 'api' };
    const deploy = await d.service.record(principalOf(request).env, nd);
    reply.code(201);
    return deployJson(deploy);
  });

  app.get<{ Querystring: { service?: string; limit?: string } }>('/api/v1/deploys', async (request) => {
    const limit = request.query.limit === undefined ? undefined : Number(request.query.limit);
    if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) throw badRequest('limit: a whole number of at least 1');
    const list = await d.store.list(principalOf(request).env.id, request.query.service, limit);
    return { deploys: list.map(deployJson) };
  });

  app.get<{ Params: { id: string } }>('/api/v1/deploys/:id', async (request) => {
    const deploy = await d.store.get(principalOf(request).env.id, request.params.id);
    if (!deploy) throw notFound(`no deploy "${request.params.id}" in this environment`);
    return deployJson(deploy);
  });

  app.get<{ Params: { id: string } }>('/api/v1/deploys/:id/report', async (request) => d.service.report(principalOf(request).env, request.params.id));

  const webhook = async (nd: NewDeploy | undefined, reply: import('fastify').FastifyReply) => {
    // Other states (pending, failure, ...) are acknowledged so CI does not retry them.
    if (!nd) return reply.code(202).send({ recorded: false });
    const deploy = await d.service.record(await d.fileEnvironment(), nd);
    return reply.code(201).send(deployJson(deploy));
  };

  app.post('/api/v1/deploys/github', async (request, reply) => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    checkGithubSignature(d.settings().githubSecret, raw, request.headers['x-hub-signature-256']);
    const event = request.headers['x-github-event'];
    if (event !== undefined && event !== 'deployment_status') {
      if (event === 'ping') return reply.code(200).send({ recorded: false });
      throw badRequest(`X-GitHub-Event: "${String(event)}" is not taken: send deployment_status events`);
    }
    return webhook(githubDeploy(parseJsonBody(raw)), reply);
  });

  app.post('/api/v1/deploys/gitlab', async (request, reply) => {
    checkGitlabToken(d.settings().gitlabToken, request.headers['x-gitlab-token']);
    return webhook(gitlabDeploy(parseJsonBody(request.body)), reply);
  });
}
