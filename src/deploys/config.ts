// tend.yaml's `deploys:` section, read at start; a problem is reported with its place in the file.
//
//   deploys:
//     window: 15m                 # compare this long after a deploy with as long before it
//     alpha: 0.05                 # false discovery rate of a report's findings
//     thresholds:                 # a worse finding past these fires an alert (source deploy)
//       error_rate: 0.01          #   error rate up by 1 percentage point or more
//       latency: 0.25             #   P50, P95 or P99 up by 25% or more
//       throughput: 0.5           #   throughput down by 50% or more
//     services:                   # per service, over the above
//       checkout: { window: 30m, thresholds: { error_rate: 0.005 } }
//     github: { secret_env: GITHUB_WEBHOOK_SECRET }   # deployment_status webhooks (or secret:)
//     gitlab: { token_env: GITLAB_WEBHOOK_TOKEN }     # deployment events (or token:)
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { parseDuration } from '../alerts/index.js';
import { fieldPath } from '../http/index.js';
import { readConfigText } from '../config-file.js';

export class DeploysConfigError extends Error {}

const Duration = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const ms = parseDuration(v);
  if (ms === undefined || ms < 60_000 || ms > 86_400_000) {
    ctx.addIssue({ code: 'custom', message: 'expected a duration between 1m and 24h, such as 15m' });
    return z.NEVER;
  }
  return ms;
});

const Share = z.number().min(0).max(1);
const Thresholds = z.strictObject({ error_rate: Share.optional(), latency: z.number().min(0).optional(), throughput: Share.optional() });
export type Thresholds = Required<z.infer<typeof Thresholds>>;

const Secret = (name: string) => z.strictObject({ [name]: z.string().min(1).optional(), [`${name}_env`]: z.string().min(1).optional() });

const Section = z.strictObject({
  window: Duration.optional(),
  alpha: z.number().gt(0).max(0.5).optional(),
  thresholds: Thresholds.optional(),
  services: z.record(z.string().min(1), z.strictObject({ window: Duration.optional(), thresholds: Thresholds.optional() })).default({}),
  github: Secret('secret').optional(),
  gitlab: Secret('token').optional(),
});

export interface DeploySettings {
  environment: string;
  windowMs: number;
  alpha: number;
  thresholds: Thresholds;
  services: Record<string, { windowMs?: number; thresholds?: Partial<Thresholds> }>;
  /** Shared secret of GitHub's webhook (X-Hub-Signature-256); webhooks refused when unset. */
  githubSecret?: string;
  /** Secret token of GitLab's webhook (X-Gitlab-Token); webhooks refused when unset. */
  gitlabToken?: string;
}

export const DEFAULT_THRESHOLDS: Thresholds = { error_rate: 0.01, latency: 0.25, throughput: 0.5 };

export function parseDeploysFile(text: string, label = 'tend.yaml', env: NodeJS.ProcessEnv = process.env): DeploySettings {
  let doc: { environment?: unknown; deploys?: unknown };
  try {
    doc = (parseYaml(text) ?? {}) as typeof doc;
  } catch (err) {
    throw new DeploysConfigError(`${label}: not valid YAML: ${(err as Error).message}`);
  }
  const r = Section.safeParse(doc.deploys ?? {});
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new DeploysConfigError(`${label}: deploys.${fieldPath(issue.path, '')}: ${issue.message}`);
  }
  const s = r.data;
  const secret = (block: Record<string, string | undefined> | undefined, name: string) => {
    if (!block) return undefined;
    const envName = block[`${name}_env`];
    const value = block[name] ?? (envName ? env[envName] : undefined);
    if (envName && !value) throw new DeploysConfigError(`${label}: deploys.${name === 'secret' ? 'github' : 'gitlab'}.${name}_env: ${envName} is not set`);
    return value;
  };
  return {
    environment: typeof doc.environment === 'string' ? doc.environment : 'production',
    windowMs: s.window ?? 15 * 60_000,
    alpha: s.alpha ?? 0.05,
    thresholds: { ...DEFAULT_THRESHOLDS, ...s.thresholds },
    services: Object.fromEntries(Object.entries(s.services).map(([name, o]) => [name, { windowMs: o.window, thresholds: o.thresholds }])),
    githubSecret: secret(s.github, 'secret'),
    gitlabToken: secret(s.gitlab, 'token'),
  };
}

/** Reads the file; the defaults when it does not exist and was not named. */
export function readDeploysFile(file: string, named: boolean, env: NodeJS.ProcessEnv = process.env): DeploySettings {
  return parseDeploysFile(readConfigText(file, !named) ?? '', file, env);
}

/** A service's window and thresholds: its own where it has them, else the section's. */
export function settingsFor(s: DeploySettings, service: string): { windowMs: number; thresholds: Thresholds } {
  const own = s.services[service];
  return { windowMs: own?.windowMs ?? s.windowMs, thresholds: { ...s.thresholds, ...own?.thresholds } };
}
