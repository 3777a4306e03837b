// A real OpenID provider (oidc-provider) for single sign-on tests: one client `tend` with PKCE
// required, accounts made up from the login typed (`ada` -> ada@corp.example, groups from
// OIDC_GROUPS), and the tend.yaml block that points Tend at it.
import net from 'node:net';
import type { Server } from 'node:http';
import Provider from 'oidc-provider';

export const OIDC_GROUPS: Record<string, string[]> = { ada: ['sre', 'everyone'], bob: ['everyone'], eve: [] };
export const OIDC_SECRET_ENV = { TEST_OIDC_SECRET: 'a-long-shared-client-secret-for-tests' };

export async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

/** tend.yaml's auth block for an issuer: sre admins production, everyone views it. */
export const oidcYaml = (issuer: string) => `
auth:
  oidc:
    issuer: ${issuer}
    client_id: tend
    client_secret_env: TEST_OIDC_SECRET
    scopes: [openid, email, profile, groups]
    groups_claim: groups
    roles:
      - { group: sre, roles: { production: admin, staging: member } }
      - { group: everyone, roles: { production: viewer } }
    create_users: true
`;

/** The provider on `port`, sending people back to this Tend. */
export function startOidcProvider(port: number, tendUrl: string): Server {
  const provider = new Provider(`http://127.0.0.1:${port}`, {
    clients: [{
      client_id: 'tend',
      client_secret: OIDC_SECRET_ENV.TEST_OIDC_SECRET,
      redirect_uris: [`${tendUrl}/api/v1/auth/oidc/callback`],
      grant_types: ['authorization_code'],
      response_types: ['code'],
    }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id, email: `${id}@corp.example`, email_verified: true, name: id.toUpperCase(), groups: OIDC_GROUPS[id] ?? [] }) }),
    pkce: { required: () => true },
    cookies: { keys: ['test-only-cookie-signing-key'] },
  });
  return provider.listen(port, '127.0.0.1');
}
