// Single sign-on end to end: a real OpenID provider (oidc-provider) in this process, Tend
// configured for it in tend.yaml, and an HTTP client with a cookie jar that follows every
// redirect and submits the provider's sign-in and consent forms, as a browser would.
import fs from 'node:fs';
import path from 'node:path';
import type { Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tend } from '../src/server/index.js';
import { freePort, OIDC_SECRET_ENV, oidcYaml, startOidcProvider } from './support/oidc-provider.js';
import { OWNER, startWithOwner } from './support/people.js';
import { tempDataDir } from './support/tend.js';

/** A browser's worth of HTTP: one cookie jar per host, redirects followed, forms submitted. */
class Agent {
  private jars = new Map<string, Map<string, string>>();
  visited: string[] = [];

  async go(url: string, init: { method?: string; body?: URLSearchParams } = {}): Promise<{ url: string; status: number; text: string; headers: Headers }> {
    let current = new URL(url);
    let method = init.method ?? 'GET';
    let body: URLSearchParams | undefined = init.body;
    for (let hop = 0; hop < 20; hop++) {
      this.visited.push(`${method} ${current.href}`);
      const jar = this.jars.get(current.host) ?? new Map<string, string>();
      this.jars.set(current.host, jar);
      const res = await fetch(current, {
        method,
        redirect: 'manual',
        headers: { ...(jar.size ? { cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } : {}), ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}) },
        body,
      });
      for (const c of res.headers.getSetCookie()) {
        const [pair, ...attrs] = c.split(';');
        const eq = pair.indexOf('=');
        const name = pair.slice(0, eq).trim();
        const value = pair.slice(eq + 1).trim();
        if (!value || attrs.some((a) => /max-age=0\b/i.test(a.trim()) || /expires=thu, 01 jan 1970/i.test(a.trim()))) jar.delete(name);
        else jar.set(name, value);
      }
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.arrayBuffer();
        current = new URL(location, current);
        method = 'GET';
        body = undefined;
        continue;
      }
      return { url: current.href, status: res.status, text: await res.text(), headers: res.headers };
    }
    throw new Error(`too many redirects: ${this.visited.join(' -> ')}`);
  }

  /** Submits the page's first form, with its hidden fields and `fields`. */
  async submit(page: { url: string; text: string }, fields: Record<string, string> = {}) {
    const form = /<form[^>]*action="([^"]+)"[^>]*method="post"[^>]*>([\s\S]*?)<\/form>/i.exec(page.text);
    if (!form) throw new Error(`no form on ${page.url}:\n${page.text.slice(0, 500)}`);
    const data = new URLSearchParams();
    for (const m of form[2].matchAll(/<input[^>]*type="hidden"[^>]*name="([^"]+)"[^>]*value="([^"]*)"/gi)) data.set(m[1], m[2]);
    for (const [k, v] of Object.entries(fields)) data.set(k, v);
    return this.go(new URL(form[1], page.url).href, { method: 'POST', body: data });
  }

  cookie(host: string, name: string): string | undefined {
    return this.jars.get(host)?.get(name);
  }
}

let tend: Tend;
let idp: Server;

beforeAll(async () => {
  const port = await freePort();
  const issuer = `http://127.0.0.1:${port}`;
  const dir = tempDataDir('tend-oidc');
  const yaml = path.join(dir, 'tend.yaml');
  fs.writeFileSync(yaml, oidcYaml(issuer));
  tend = await startWithOwner({ data: path.join(dir, 'data'), config: yaml }, OIDC_SECRET_ENV);
  await tend.auth.ensureEnvironment('staging');
  idp = startOidcProvider(port, tend.url);
}, 60_000);

afterAll(async () => {
  await tend?.close();
  await new Promise((r) => idp?.close(r));
});

async function signInThroughProvider(login: string, returnTo = '/') {
  const agent = new Agent();
  const loginPage = await agent.go(`${tend.url}/api/v1/auth/oidc/login?return_to=${encodeURIComponent(returnTo)}`);
  expect(loginPage.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/interaction\//);
  const consent = await agent.submit(loginPage, { login, password: 'any' });
  const done = await agent.submit(consent);
  return { agent, done };
}

describe('single sign-on with OpenID Connect', () => {
  it('signs a new user in through the provider with PKCE, making them with roles from their groups', async () => {
    const { agent, done } = await signInThroughProvider('ada', '/after/sign-in');
    const authorize = agent.visited.find((v) => v.includes('/auth?'))!;
    expect(authorize).toContain('code_challenge_method=S256');
    expect(authorize).toMatch(/code_challenge=[\w-]{43}/);
    expect(authorize).toMatch(/[?&]state=/);
    expect(agent.visited.some((v) => v.startsWith(`GET ${tend.url}/api/v1/auth/oidc/callback?code=`))).toBe(true);
    // Back on Tend, at the page asked for (which does not exist: the UI is not built yet).
    expect(done.url).toBe(`${tend.url}/after/sign-in`);
    const host = new URL(tend.url).host;
    const session = agent.cookie(host, 'tend_session');
    expect(session).toMatch(/^tks_/);
    expect(agent.cookie(host, 'tend_oidc')).toBeUndefined();
    const me = await agent.go(`${tend.url}/api/v1/auth/me`);
    expect(JSON.parse(me.text).user).toMatchObject({ email: 'ada@corp.example', name: 'ADA', roles: { production: 'admin', staging: 'member' } });
    const user = (await tend.people.users.byEmail('ada@corp.example'))!;
    expect(user.sso).toBe(true);
    expect(user.has_password).toBe(false);
  });

  it('links an existing user by email and sets roles from groups at each sign-in; a user without groups gets none', async () => {
    await tend.people.create({ email: 'bob@corp.example', name: 'Bob', roles: { staging: 'owner' } });
    const { agent } = await signInThroughProvider('bob');
    const me = JSON.parse((await agent.go(`${tend.url}/api/v1/auth/me`)).text);
    expect(me.user).toMatchObject({ email: 'bob@corp.example', name: 'Bob', roles: { production: 'viewer' } });
    const eve = await signInThroughProvider('eve');
    const eveMe = await eve.agent.go(`${tend.url}/api/v1/auth/me`);
    expect(JSON.parse(eveMe.text).user.roles).toEqual({});
    expect((await eve.agent.go(`${tend.url}/api/v1/checks`)).status).toBe(403);
  });

  it('refuses a callback the browser did not start, and an open redirect', async () => {
    const agent = new Agent();
    const forged = await agent.go(`${tend.url}/api/v1/auth/oidc/callback?code=abc&state=made-up`);
    expect(forged.status).toBe(400);
    expect(JSON.parse(forged.text).error).toMatch(/^state: /);
    const { done } = await signInThroughProvider('ada', '//evil.example/steal');
    expect(done.url).toBe(`${tend.url}/`);
  });

  it('records single sign-ins in the audit log, and password sign-in still works', async () => {
    const adminKey = JSON.parse(fs.readFileSync(path.join(tend.config.dataDir, 'keys.json'), 'utf8')).admin_key;
    const res = await fetch(`${tend.url}/api/v1/audit?action=auth.login&limit=100`, { headers: { 'x-honeycomb-team': adminKey } });
    const events = (await res.json()).events as Record<string, unknown>[];
    expect(events.filter((e) => e['http.route'] === '/api/v1/auth/oidc/callback' && e.outcome === 'success').map((e) => e['actor.email'])).toEqual(
      expect.arrayContaining(['ada@corp.example', 'bob@corp.example', 'eve@corp.example']),
    );
    const pw = await fetch(`${tend.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email: OWNER.email, password: OWNER.password }) });
    expect(pw.status).toBe(200);
  });
});
