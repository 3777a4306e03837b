// Over real HTTP: failed sign-ins slowed then refused with 429 and Retry-After (the right
// password too), an address locked over many emails, sessions ending after inactivity, and
// sessions revoked by a password change or disabling the user.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tend } from '../src/server/index.js';
import { Browser, OWNER, startWithOwner } from './support/people.js';

describe('failed sign-ins', () => {
  let tend: Tend;
  beforeAll(async () => {
    tend = await startWithOwner();
  });
  afterAll(() => tend.close());

  it('slows an account after 5 failures: 429 with Retry-After, even for the right password', async () => {
    const b = new Browser(tend.url);
    for (let i = 0; i < 5; i++) expect((await b.login(OWNER.email, `wrong password number ${i}`)).status).toBe(401);
    const slowed = await b.login(OWNER.email, OWNER.password);
    expect(slowed.status).toBe(429);
    expect(slowed.headers.get('retry-after')).toBe('1');
    expect(slowed.body.error).toBe('too many failed sign-ins: wait before trying again');
    // An unknown email is slowed exactly the same way, so the answers do not tell which exist.
    for (let i = 0; i < 5; i++) expect((await b.login('ghost@example.com', `wrong password number ${i}`)).status).toBe(401);
    expect((await b.login('ghost@example.com', 'anything at all here')).status).toBe(429);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await b.login(OWNER.email, OWNER.password)).status).toBe(200);
  });

  it('locks an address that fails 30 times over any emails, for every account', async () => {
    const b = new Browser(tend.url);
    // Five failures were counted for this address above already (ghost@), and five for the owner.
    for (let i = 0; i < 20; i++) expect((await b.login(`probe${i}@example.com`, 'not a real password')).status).toBe(401);
    const locked = await b.login(OWNER.email, OWNER.password);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(890);
    // Recorded in the audit log: each failure, and the refusals while slowed or locked.
    const adminKey = JSON.parse(fs.readFileSync(path.join(tend.config.dataDir, 'keys.json'), 'utf8')).admin_key;
    const res = await fetch(`${tend.url}/api/v1/audit?action=auth.login_failed&limit=1000`, { headers: { 'x-honeycomb-team': adminKey } });
    const events = (await res.json()).events as Record<string, unknown>[];
    const outcomes = events.map((e) => `${e.outcome}:${e['http.status_code']}`);
    expect(outcomes.filter((o) => o === 'failure:401')).toHaveLength(30);
    expect(outcomes.filter((o) => o === 'denied:429')).toHaveLength(3);
    expect(events[0]).toMatchObject({ 'actor.email': 'owner@example.com', outcome: 'denied', 'client.address': '127.0.0.1' });
    expect(events.find((e) => e['actor.email'] === 'probe3@example.com')).toMatchObject({ 'actor.kind': 'anonymous', 'target.kind': 'user' });
  }, 60_000);
});

describe('session lifetime', () => {
  let tend: Tend;
  beforeAll(async () => {
    tend = await startWithOwner({ sessionIdle: '2s' });
  });
  afterAll(() => tend.close());

  it('ends a session after the idle limit', async () => {
    const b = new Browser(tend.url);
    await b.login(OWNER.email, OWNER.password);
    expect((await b.request('GET', '/api/v1/auth/me')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2100));
    const late = await b.request('GET', '/api/v1/auth/me');
    expect(late.status).toBe(401);
    expect(late.body.error).toBe('session expired or ended: sign in again');
  });

});

describe('revocation', () => {
  let tend: Tend;
  beforeAll(async () => {
    tend = await startWithOwner();
  });
  afterAll(() => tend.close());

  it('ends every session of a user whose password changes or who is disabled', async () => {
    const owner = new Browser(tend.url);
    await owner.login(OWNER.email, OWNER.password);
    const made = await owner.request('POST', '/api/v1/users', { email: 'rita@example.com', password: 'lamp orbit violet ferry 9', roles: { production: 'member' } });
    const laptop = new Browser(tend.url);
    const phone = new Browser(tend.url);
    await laptop.login('rita@example.com', 'lamp orbit violet ferry 9');
    await phone.login('rita@example.com', 'lamp orbit violet ferry 9');
    expect((await owner.request('PATCH', `/api/v1/users/${made.body.id}`, { password: 'quiet harbor maple 77 tin' })).status).toBe(200);
    expect((await laptop.request('GET', '/api/v1/auth/me')).status).toBe(401);
    expect((await phone.request('GET', '/api/v1/auth/me')).status).toBe(401);
    expect((await laptop.login('rita@example.com', 'lamp orbit violet ferry 9')).status).toBe(401);
    expect((await laptop.login('rita@example.com', 'quiet harbor maple 77 tin')).status).toBe(200);
    expect((await owner.request('PATCH', `/api/v1/users/${made.body.id}`, { disabled: true })).status).toBe(200);
    expect((await laptop.request('GET', '/api/v1/auth/me')).status).toBe(401);
    expect((await laptop.login('rita@example.com', 'quiet harbor maple 77 tin')).status).toBe(401);
  });
});
