// Single sign-on with OpenID Connect: authorization code flow with PKCE (S256), state and nonce.
// GET /api/v1/auth/oidc/login sends the browser to the provider; the provider sends it back to
// GET /api/v1/auth/oidc/callback, which checks the answer (openid-client), finds or makes the
// user, sets their roles from their groups when a groups claim is configured, and starts a
// session like a password sign-in. The flow is bound to the browser that started it by a
// short-lived cookie holding the state, so nobody can sign a victim into their own account.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import * as client from 'openid-client';
import { badRequest, forbidden, HttpError, notFound } from '../../http/index.js';
import type { People } from '../people.js';
import { cookieValue } from '../sessions/cookie.js';
import { startSession } from '../sessions/routes.js';
import { rolesFromGroups, type OidcSettings } from './settings.js';

const FLOW_COOKIE = 'tend_oidc';
const FLOW_MS = 10 * 60_000;
const MAX_FLOWS = 10_000;
const CALLBACK = '/api/v1/auth/oidc/callback';

interface Flow {
  verifier: string;
  nonce: string;
  returnTo: string;
  redirectUri: string;
  expires: number;
}

/** Only paths on this server: never an open redirect to another site. */
function safeReturn(value: unknown): string {
  return typeof value === 'string' && /^\/(?![/\\])/.test(value) ? value : '/';
}

const LOCAL = new Set(['localhost', '127.0.0.1', '[::1]']);

/** `settingsNow`: tend.yaml's auth.oidc as it is now (a reload replaces it), undefined when absent. */
export function registerOidcRoutes(app: FastifyInstance, people: People, settingsNow: () => OidcSettings | undefined): void {
  const flows = new Map<string, Flow>();
  let discovered: Promise<client.Configuration> | undefined;
  // The provider found for these settings: new settings (a reload) are discovered again.
  let discoveredFor: OidcSettings | undefined;
  const configuration = async () => {
    const settings = settingsNow();
    if (!settings) throw notFound('single sign-on is not configured: see auth.oidc in docs/security.md');
    const issuer = new URL(settings.issuer);
    // Plain HTTP only for a provider on this machine (tests, a local IdP); never across a network.
    const insecure = issuer.protocol === 'http:' && LOCAL.has(issuer.hostname);
    if (discoveredFor !== settings) discovered = undefined;
    discoveredFor = settings;
    discovered ??= client
      .discovery(issuer, settings.client_id, undefined, settings.client_secret ? client.ClientSecretBasic(settings.client_secret) : client.None(), {
        execute: insecure ? [client.allowInsecureRequests] : [],
      })
      .catch((err: Error) => {
        discovered = undefined; // try again next time
        throw new HttpError(502, `the single sign-on provider ${settings.issuer} could not be reached: ${err.message}`);
      });
    return { config: await discovered, settings };
  };
  const secure = (request: FastifyRequest) => (request.protocol === 'https' ? '; Secure' : '');

  app.get<{ Querystring: { return_to?: string } }>('/api/v1/auth/oidc/login', async (request, reply) => {
    const { config, settings } = await configuration();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const nonce = client.randomNonce();
    const redirectUri = settings.redirect_url ?? `${request.protocol}://${request.host}${CALLBACK}`;
    const now = Date.now();
    for (const [k, f] of flows) if (f.expires < now || flows.size >= MAX_FLOWS) flows.delete(k);
    flows.set(state, { verifier, nonce, returnTo: safeReturn(request.query.return_to), redirectUri, expires: now + FLOW_MS });
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: settings.scopes.join(' '),
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    reply.header('set-cookie', `${FLOW_COOKIE}=${state}; Path=/api/v1/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=${FLOW_MS / 1000}${secure(request)}`);
    return reply.redirect(url.href, 302);
  });

  app.get<{ Querystring: Record<string, string> }>(CALLBACK, async (request, reply) => {
    const { config, settings } = await configuration();
    request.audit = { action: 'auth.login_failed', env: await people.defaultEnvironment(), actor: { kind: 'anonymous', id: '' } };
    const state = request.query.state;
    const flow = state ? flows.get(state) : undefined;
    if (!state || !flow || flow.expires < Date.now() || cookieValue(request.headers.cookie, FLOW_COOKIE) !== state) {
      throw badRequest('state: this sign-in expired or was started in another browser; start again');
    }
    flows.delete(state);
    if (request.query.error) throw forbidden(`the provider refused the sign-in: ${request.query.error_description ?? request.query.error}`);
    const current = new URL(request.url, flow.redirectUri);
    let claims: Record<string, unknown>;
    try {
      const tokens = await client.authorizationCodeGrant(config, current, { pkceCodeVerifier: flow.verifier, expectedState: state, expectedNonce: flow.nonce, idTokenExpected: true });
      claims = { ...tokens.claims() };
      // Providers often keep email and groups out of the ID token; the userinfo endpoint has them.
      if (config.serverMetadata().userinfo_endpoint) {
        Object.assign(claims, await client.fetchUserInfo(config, tokens.access_token, String(claims.sub)));
      }
    } catch (err) {
      if (err instanceof HttpError) throw err;
      throw new HttpError(401, `single sign-on failed: ${(err as Error).message}`);
    }
    const user = await signedInUser(people, settings, claims);
    await startSession(people, request, reply, user);
    request.audit.action = 'auth.login';
    reply.header('set-cookie', [reply.getHeader('set-cookie') as string, `${FLOW_COOKIE}=; Path=/api/v1/auth/oidc; HttpOnly; SameSite=Lax; Max-Age=0${secure(request)}`]);
    return reply.redirect(flow.returnTo, 302);
  });
}

/** The Tend user for a verified set of claims: by subject, else by verified email; made if allowed. */
async function signedInUser(people: People, settings: OidcSettings, claims: Record<string, unknown>) {
  const subject = `${settings.issuer}#${String(claims.sub)}`;
  const email = typeof claims.email === 'string' ? claims.email : undefined;
  const groupsClaim = settings.groups_claim ? claims[settings.groups_claim] : undefined;
  const groups = Array.isArray(groupsClaim) ? groupsClaim.map(String) : typeof groupsClaim === 'string' ? [groupsClaim] : [];
  const roles = settings.groups_claim ? await existingEnvironments(people, rolesFromGroups(settings, groups)) : undefined;
  let user = await people.users.bySubject(subject);
  if (!user && email && claims.email_verified !== false) {
    user = await people.users.byEmail(email);
    if (user) await people.users.update(user.id, { subject });
  }
  if (!user) {
    if (!settings.create_users) throw forbidden(`no Tend account for ${email ?? subject}: ask an owner to add you`);
    if (!email) throw forbidden('the provider gave no email address: add the email scope');
    const name = typeof claims.name === 'string' ? claims.name : undefined;
    const made = await people.create({ email, name, subject, roles: roles ?? (await existingEnvironments(people, settings.default_roles)) });
    user = await people.get(made.id);
  } else if (roles && JSON.stringify(roles) !== JSON.stringify(user.roles)) {
    // Groups decide roles on every sign-in, so removing someone from a group takes effect.
    await people.update(user.id, { roles }).catch((err) => {
      if (!(err instanceof HttpError && err.status === 409)) throw err; // never demote the last owner
    });
    user = await people.get(user.id);
  }
  if (user.disabled) throw forbidden('this account is disabled');
  return user;
}

async function existingEnvironments(people: People, roles: Record<string, string>): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [env, role] of Object.entries(roles)) if (await people.auth.environment(env)) out[env] = role;
  return out;
}
