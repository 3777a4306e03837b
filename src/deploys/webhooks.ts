// Deploys from CI as CI already announces them, taken as-is:
// - GitHub's `deployment_status` webhook, signed with the hook's secret (X-Hub-Signature-256:
//   sha256=HMAC-SHA256 of the raw body). A deploy is recorded when the state is `success`.
// - GitLab's deployment event (X-Gitlab-Event: Deployment Hook), carrying the hook's secret
//   token in X-Gitlab-Token. A deploy is recorded when the status is `success`.
// The service is the repository's (project's) name unless the deployment's payload names one
// (GitHub: `payload.service`); the build is `payload.build`, else the commit.
import crypto from 'node:crypto';
import { z } from 'zod';
import { badRequest, notFound, unauthorized } from '../http/index.js';
import type { NewDeploy } from './deploy-store.js';

const safeEqual = (a: string, b: string) => {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && crypto.timingSafeEqual(x, y);
};

export function checkGithubSignature(secret: string | undefined, raw: Buffer, header: string | string[] | undefined): void {
  if (!secret) throw notFound('GitHub webhooks are not set up here: add deploys.github.secret_env to tend.yaml');
  if (typeof header !== 'string' || !header.startsWith('sha256=')) throw unauthorized('X-Hub-Signature-256: missing; set a secret on the webhook');
  const expected = 'sha256=' + crypto.createHmac('sha256', secret).update(raw).digest('hex');
  if (!safeEqual(expected, header)) throw unauthorized('X-Hub-Signature-256: does not match the body signed with the configured secret');
}

export function checkGitlabToken(token: string | undefined, header: string | string[] | undefined): void {
  if (!token) throw notFound('GitLab webhooks are not set up here: add deploys.gitlab.token_env to tend.yaml');
  if (typeof header !== 'string' || !safeEqual(header, token)) throw unauthorized('X-Gitlab-Token: missing or not the configured token');
}

const GithubPayload = z.object({
  deployment_status: z.object({
    state: z.string(),
    target_url: z.string().nullish(),
    environment_url: z.string().nullish(),
    description: z.string().nullish(),
    created_at: z.string().nullish(),
  }),
  deployment: z.object({
    sha: z.string().min(1),
    ref: z.string().nullish(),
    description: z.string().nullish(),
    payload: z.union([z.record(z.string(), z.unknown()), z.string()]).nullish(),
  }),
  repository: z.object({ name: z.string().min(1), html_url: z.string().nullish() }),
});

function validated<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const r = schema.safeParse(body);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw badRequest(`${issue.path.join('.') || 'body'}: ${issue.message} (not a ${what} payload?)`);
  }
  return r.data;
}

const text = (v: unknown) => (typeof v === 'string' && v.length ? v : undefined);

function timeOf(v: string | null | undefined, field: string): number {
  if (!v) return Date.now();
  // GitLab writes "2021-04-28 21:50:00 +0200".
  const t = Date.parse(v.replace(/^(\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) ?([+-]\d\d):?(\d\d)$/, '$1T$2$3:$4').replace(/ UTC$/, 'Z'));
  if (!Number.isFinite(t)) throw badRequest(`${field}: not a time: "${v}"`);
  return t;
}

/** The deploy a GitHub `deployment_status` event announces; undefined unless it succeeded. */
export function githubDeploy(body: unknown): NewDeploy | undefined {
  const p = validated(GithubPayload, body, 'GitHub deployment_status');
  if (p.deployment_status.state !== 'success') return undefined;
  let extra: Record<string, unknown> = {};
  const raw = p.deployment.payload;
  if (typeof raw === 'string') {
    try {
      extra = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      // a payload that is not JSON carries nothing for Tend
    }
  } else if (raw) extra = raw;
  return {
    service: text(extra.service) ?? p.repository.name,
    build: text(extra.build) ?? p.deployment.sha,
    commit: p.deployment.sha,
    message: p.deployment.description ?? p.deployment_status.description ?? p.deployment.ref ?? undefined,
    url: p.deployment_status.target_url ?? p.deployment_status.environment_url ?? (p.repository.html_url ? `${p.repository.html_url}/commit/${p.deployment.sha}` : undefined),
    time: timeOf(p.deployment_status.created_at, 'deployment_status.created_at'),
    source: 'github',
  };
}

const GitlabPayload = z.object({
  object_kind: z.literal('deployment'),
  status: z.string(),
  status_changed_at: z.string().nullish(),
  short_sha: z.string().min(1),
  commit_url: z.string().nullish(),
  commit_title: z.string().nullish(),
  deployable_url: z.string().nullish(),
  project: z.object({ name: z.string().min(1) }),
});

/** The deploy a GitLab deployment event announces; undefined unless it succeeded. */
export function gitlabDeploy(body: unknown): NewDeploy | undefined {
  const p = validated(GitlabPayload, body, 'GitLab deployment event');
  if (p.status !== 'success') return undefined;
  const commit = p.commit_url?.match(/\/commit\/([0-9a-f]{7,64})$/i)?.[1] ?? p.short_sha;
  return {
    service: p.project.name, build: p.short_sha, commit,
    message: p.commit_title ?? undefined, url: p.deployable_url ?? p.commit_url ?? undefined,
    time: timeOf(p.status_changed_at, 'status_changed_at'), source: 'gitlab',
  };
}
