// People end to end over real HTTP: the first owner, sign-in, the cookie's attributes, "who am
// I", CSRF, roles per environment, the users API and sign-out.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tend } from '../src/server/index.js';
import { Browser, OWNER, startWithOwner } from './support/people.js';
import { startTestTend, type TestTend } from './support/tend.js';

describe('first owner', () => {
  it('is owner@localhost with a random password, written to keys.json, when none is given', async () => {
    const t: TestTend = await startTestTend();
    try {
      const keys = JSON.parse(fs.readFileSync(path.join(t.dataDir, 'keys.json'), 'utf8'));
      expect(keys.owner_email).toBe('owner@localhost');
      expect(keys.owner_password).toMatch(/^[\w-]{24}$/);
      expect(keys.admin_key).toBe(t.adminKey);
      expect(t.tend.owner).toEqual({ email: 'owner@localhost', password: keys.owner_password });
      expect(fs.statSync(path.join(t.dataDir, 'keys.json')).mode & 0o777).toBe(0o600);
      const b = new Browser(t.url);
      const me = await b.login('OWNER@localhost', keys.owner_password);
      expect(me.status).toBe(200);
      expect(me.body.user).toMatchObject({ email: 'owner@localhost', roles: { production: 'owner' } });
    } finally {
      await t.close();
    }
  });

  it('refuses a weak TEND_ADMIN_PASSWORD, saying why', async () => {
    await expect(startWithOwner({}, { TEND_ADMIN_PASSWORD: 'password1234' })).rejects.toThrow(/TEND_ADMIN_PASSWORD is too weak: it is too similar to a commonly used password/);
  });
});

describe('sessions', () => {
  let tend: Tend;
  let adminKey: string;
  beforeAll(async () => {
    tend = await startWithOwner();
    adminKey = JSON.parse(fs.readFileSync(path.join(tend.config.dataDir, 'keys.json'), 'utf8')).admin_key;
    expect(tend.owner).toEqual({ email: 'owner@example.com', password: undefined });
  });
  afterAll(() => tend.close());

  it('signs in with a cookie that is HttpOnly and SameSite=Lax, and says who is signed in', async () => {
    const b = new Browser(tend.url);
    const login = await b.login(OWNER.email, OWNER.password);
    expect(login.status).toBe(200);
    const cookie = login.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^tend_session=tks_[\w-]{43}; Path=\/; HttpOnly; SameSite=Lax; Max-Age=604800$/);
    expect(cookie).not.toMatch(/Secure|Domain/);
    expect(Object.keys(login.body).sort()).toEqual(['csrf_token', 'user']);
    expect(login.body.user).toEqual({ id: expect.any(String), email: 'owner@example.com', name: 'Owner', roles: { production: 'owner' } });
    const me = await b.request('GET', '/api/v1/auth/me');
    expect(me.status).toBe(200);
    expect(me.body.user).toEqual(login.body.user);
    expect(me.body.csrf_token).toBe(login.body.csrf_token);

    const out = await b.request('POST', '/api/v1/auth/logout');
    expect(out.status).toBe(200);
    expect(out.headers.get('set-cookie')).toMatch(/^tend_session=; .*Max-Age=0/);
    const stale = new Browser(tend.url);
    stale.cookie = `tend_session=${/tend_session=([^;]*)/.exec(cookie)![1]}`;
    expect((await stale.request('GET', '/api/v1/auth/me')).status).toBe(401);
  });

  it('answers a wrong password and an unknown email alike', async () => {
    const b = new Browser(tend.url);
    const wrong = await b.login(OWNER.email, 'not the password at all');
    const unknown = await b.login('nobody@example.com', 'not the password at all');
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.headers.get('set-cookie')).toBeNull();
    expect((await b.request('POST', '/api/v1/auth/login', { email: 'a@b.c' })).body.error).toMatch(/password/);
  });

  it('refuses a change sent with the cookie but without the CSRF token; keys need none', async () => {
    const b = new Browser(tend.url);
    await b.login(OWNER.email, OWNER.password);
    const body = { kind: 'read', name: 'csrf' };
    const token = b.csrf;
    b.csrf = undefined;
    const refused = await b.request('POST', '/api/v1/keys', body);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatch(/X-CSRF-Token/);
    const forged = await b.request('POST', '/api/v1/keys', body, { 'x-csrf-token': 'A'.repeat(43) });
    expect(forged.status).toBe(403);
    b.csrf = token;
    const made = await b.request('POST', '/api/v1/keys', body);
    expect(made.status).toBe(201);
    expect(made.body.key).toMatch(/^tkr_/);
    const listed = (await b.request('GET', '/api/v1/keys')).body.keys.find((k: { id: string }) => k.id === made.body.id);
    expect(listed.createdBy).toBe((await b.request('GET', '/api/v1/auth/me')).body.user.id);
    const byKey = await fetch(`${tend.url}/api/v1/keys`, { method: 'POST', headers: { 'x-honeycomb-team': adminKey, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect(byKey.status).toBe(201);
    // Every key is a person's: the bootstrap keys are the first owner's, and so is a key made with one.
    const ownerId = (await b.request('GET', '/api/v1/auth/me')).body.user.id;
    const keys = (await b.request('GET', '/api/v1/keys')).body.keys as { id: string; name: string; createdBy: string | null }[];
    expect(keys.filter((k) => k.name.startsWith('bootstrap')).map((k) => k.createdBy)).toEqual([ownerId, ownerId]);
    const made2 = (await byKey.json()) as { id: string };
    expect(keys.find((k) => k.id === made2.id)!.createdBy).toBe(ownerId);
  });

  it('manages users as an owner, with roles per environment and the password rules', async () => {
    const owner = new Browser(tend.url);
    await owner.login(OWNER.email, OWNER.password);
    await tend.auth.ensureEnvironment('staging');
    const weak = await owner.request('POST', '/api/v1/users', { email: 'v@example.com', password: 'Password1234', roles: { production: 'viewer' } });
    expect(weak.status).toBe(400);
    expect(weak.body.error).toMatch(/^password: is too weak: /);
    const short = await owner.request('POST', '/api/v1/users', { email: 'v@example.com', password: 'abc', roles: {} });
    expect(short.body.error).toBe('password: must be at least 12 characters');
    const badRole = await owner.request('POST', '/api/v1/users', { email: 'v@example.com', roles: { production: 'king' } });
    expect(badRole.body.error).toBe('roles.production: must be one of owner, admin, member, viewer, got "king"');

    const made = await owner.request('POST', '/api/v1/users', {
      email: 'Viv@Example.com', name: 'Viv', password: 'lamp orbit violet ferry 9', roles: { production: 'viewer', staging: 'admin' },
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ email: 'viv@example.com', name: 'Viv', roles: { production: 'viewer', staging: 'admin' }, has_password: true });
    expect(JSON.stringify(made.body)).not.toMatch(/scrypt|lamp orbit/);
    const dup = await owner.request('POST', '/api/v1/users', { email: 'VIV@example.com', roles: {} });
    expect(dup.status).toBe(409);

    const viv = new Browser(tend.url);
    expect((await viv.login('viv@example.com', 'lamp orbit violet ferry 9')).status).toBe(200);
    // Default environment: the first (by name) the user has a role in.
    expect((await viv.request('GET', '/api/v1/auth/me')).body).toMatchObject({ environment: 'production', role: 'viewer' });
    expect((await viv.request('GET', '/api/v1/checks')).status).toBe(200);
    const denied = await viv.request('POST', '/api/v1/keys', { kind: 'read' });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toBe('this route needs the keys.manage permission; your role in production is viewer');
    viv.environment = 'staging';
    const inStaging = await viv.request('POST', '/api/v1/keys', { kind: 'read' });
    expect(inStaging.status).toBe(201);
    expect(inStaging.body.environment).toBe('staging');
    viv.environment = 'nowhere';
    expect((await viv.request('GET', '/api/v1/checks')).body.error).toBe('you have no role in environment "nowhere"');
    viv.environment = undefined;
    expect((await viv.request('GET', '/api/v1/users')).status).toBe(403);

    // A role change ends the user's sessions.
    const patched = await owner.request('PATCH', `/api/v1/users/${made.body.id}`, { roles: { production: 'member' } });
    expect(patched.status).toBe(200);
    expect(patched.body.roles).toEqual({ production: 'member' });
    expect((await viv.request('GET', '/api/v1/auth/me')).status).toBe(401);

    const list = await owner.request('GET', '/api/v1/users');
    expect(list.body.users.map((u: { email: string }) => u.email)).toEqual(['owner@example.com', 'viv@example.com']);
    const me = (await owner.request('GET', '/api/v1/auth/me')).body.user;
    expect((await owner.request('DELETE', `/api/v1/users/${me.id}`)).body.error).toBe('id: you cannot delete yourself');
    expect((await owner.request('PATCH', `/api/v1/users/${me.id}`, { roles: { production: 'admin' } })).status).toBe(409);
    expect((await owner.request('DELETE', `/api/v1/users/${made.body.id}`)).status).toBe(200);
    expect((await owner.request('GET', `/api/v1/users/${made.body.id}`)).status).toBe(404);
    // No key may manage users, even an admin key.
    const byKey = await fetch(`${tend.url}/api/v1/users`, { headers: { 'x-honeycomb-team': adminKey } });
    expect(byKey.status).toBe(403);
  });
});
