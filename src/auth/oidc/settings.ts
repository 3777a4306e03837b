// Single sign-on settings, from `auth.oidc` in tend.yaml:
//
//   auth:
//     oidc:
//       issuer: https://accounts.google.com
//       client_id: 1234.apps.googleusercontent.com
//       client_secret_env: TEND_OIDC_CLIENT_SECRET   # or client_secret: ... (keep the file private)
//       scopes: [openid, email, profile]
//       groups_claim: groups                         # a claim listing the user's groups
//       roles:                                       # group -> role per environment
//         - { group: sre, roles: { production: admin, staging: owner } }
//         - { group: everyone, roles: { production: viewer } }
//       create_users: true                           # make unknown users at their first sign-in
//
// Problems are reported with their place in the file, like the rest of tend.yaml.
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ROLES } from '../permissions.js';
import { readConfigText } from '../../config-file.js';

const RoleMap = z.record(z.string().min(1).max(100), z.enum(ROLES));

const OidcShape = z.strictObject({
  issuer: z.url(),
  client_id: z.string().min(1),
  client_secret: z.string().min(1).optional(),
  client_secret_env: z.string().min(1).optional(),
  scopes: z.array(z.string().min(1)).default(['openid', 'email', 'profile']),
  /** Where the provider sends the browser back; default: this server's own callback URL. */
  redirect_url: z.url().optional(),
  groups_claim: z.string().min(1).optional(),
  roles: z.array(z.strictObject({ group: z.string().min(1), roles: RoleMap })).default([]),
  /** Roles for a user none of whose groups is listed (e.g. viewer everywhere). */
  default_roles: RoleMap.default({}),
  create_users: z.boolean().default(false),
  /** Button text on the sign-in page. */
  name: z.string().min(1).max(100).default('single sign-on'),
});

export type OidcSettings = Omit<z.infer<typeof OidcShape>, 'client_secret_env'> & { client_secret?: string };

/** The `auth.oidc` section of tend.yaml, or undefined when there is none (or no file). */
export function readOidcSettings(file: string, named: boolean, env: NodeJS.ProcessEnv = process.env): OidcSettings | undefined {
  const text = readConfigText(file, !named);
  if (text === undefined) return undefined;
  const doc = (parseYaml(text) ?? {}) as { auth?: { oidc?: unknown } };
  const raw = doc.auth?.oidc;
  if (raw === undefined) return undefined;
  const parsed = OidcShape.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file}: auth.oidc.${issue.path.join('.')}: ${issue.message}`);
  }
  const { client_secret_env: secretEnv, ...settings } = parsed.data;
  const secret = settings.client_secret ?? (secretEnv ? env[secretEnv] : undefined);
  if (secretEnv && !secret) throw new Error(`${file}: auth.oidc.client_secret_env: ${secretEnv} is not set`);
  return { ...settings, client_secret: secret };
}

/** The roles a user gets from their groups: for each environment, the highest any group gives. */
export function rolesFromGroups(settings: OidcSettings, groups: string[]): Record<string, string> {
  const rank = (r: string) => ROLES.length - ROLES.indexOf(r as (typeof ROLES)[number]);
  const out: Record<string, string> = {};
  for (const m of settings.roles) {
    if (!groups.includes(m.group)) continue;
    for (const [env, role] of Object.entries(m.roles)) if (!out[env] || rank(role) > rank(out[env])) out[env] = role;
  }
  return Object.keys(out).length ? out : { ...settings.default_roles };
}
