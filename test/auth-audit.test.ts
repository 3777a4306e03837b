// The audit log over real HTTP: who changed what, in tend.audit of the environment, with
// secrets removed, filtered and paged through GET /api/v1/audit, and no way to delete it.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tend } from '../src/server/index.js';
import { Browser, OWNER, startWithOwner } from './support/people.js';

let tend: Tend;
let keys: { admin_key: string };
type Entry = Record<string, string | number>;

async function audit(query: string, key = keys.admin_key): Promise<{ events: Entry[]; next_cursor: string | null }> {
  const res = await fetch(`${tend.url}/api/v1/audit${query}`, { headers: { 'x-honeycomb-team': key } });
  expect(res.status).toBe(200);
  return res.json();
}

beforeAll(async () => {
  tend = await startWithOwner();
  keys = JSON.parse(fs.readFileSync(path.join(tend.config.dataDir, 'keys.json'), 'utf8'));
});
afterAll(() => tend.close());

describe('audit log', () => {
  it('records sign-in, key changes by a person, changes by a key, refusals and sign-out', async () => {
    const owner = new Browser(tend.url);
    await owner.login(OWNER.email, OWNER.password);
    const me = (await owner.request('GET', '/api/v1/auth/me')).body.user;
    const made = await owner.request('POST', '/api/v1/keys', { kind: 'ingest', name: 'ci' }, { 'user-agent': 'audit-test/1.0' });
    expect((await owner.request('DELETE', `/api/v1/keys/${made.body.id}`)).status).toBe(200);
    const byKey = await fetch(`${tend.url}/api/v1/checks`, {
      method: 'POST',
      headers: { 'x-honeycomb-team': keys.admin_key, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'web', kind: 'tcp', host: '127.0.0.1', port: 9, interval: '1h' }),
    });
    expect(byKey.status).toBe(201);
    await owner.request('POST', '/api/v1/users', { email: 'val@example.com', password: 'lamp orbit violet ferry 9', roles: { production: 'viewer' } });
    const viewer = new Browser(tend.url);
    await viewer.login('val@example.com', 'lamp orbit violet ferry 9');
    expect((await viewer.request('DELETE', '/api/v1/checks/web')).status).toBe(403);
    await owner.request('POST', '/api/v1/auth/logout');

    const { events } = await audit('?limit=100');
    const actions = events.map((e) => `${e.action} ${e.outcome}`).reverse();
    expect(actions).toEqual([
      'auth.login success', 'key.create success', 'key.revoke success', 'check.create success',
      'user.create success', 'auth.login success', 'check.delete denied', 'auth.logout success',
    ]);
    const created = events.find((e) => e.action === 'key.create')!;
    expect(created).toMatchObject({
      'actor.kind': 'user', 'actor.id': me.id, 'actor.email': 'owner@example.com',
      'target.kind': 'key', 'target.id': made.body.id, outcome: 'success', 'http.status_code': 201,
      'client.address': '127.0.0.1', user_agent: 'audit-test/1.0', 'http.method': 'POST', 'http.route': '/api/v1/keys',
    });
    expect(JSON.parse(String(created['change.after']))).toMatchObject({ id: made.body.id, kind: 'ingest', name: 'ci', createdBy: me.id });
    expect(JSON.stringify(events)).not.toContain(made.body.key);
    expect(JSON.stringify(events)).not.toContain('lamp orbit');
    const check = events.find((e) => e.action === 'check.create')!;
    expect(check).toMatchObject({ 'actor.kind': 'key', 'target.kind': 'check', 'target.id': 'web', 'http.status_code': 201 });
    expect(JSON.parse(String(check['change.after']))).toMatchObject({ name: 'web', kind: 'tcp', environment: 'production' });
    expect(events.find((e) => e.action === 'check.delete')).toMatchObject({ 'actor.email': 'val@example.com', outcome: 'denied', 'http.status_code': 403 });
    const userCreate = JSON.parse(String(events.find((e) => e.action === 'user.create')!['change.after']));
    expect(userCreate).toMatchObject({ email: 'val@example.com', roles: { production: 'viewer' } });
    expect(Object.keys(userCreate)).not.toContain('password');
  });

  it('filters by actor and action, pages with a cursor, and stays inside its environment', async () => {
    const byOwner = await audit('?actor=owner@example.com&limit=100');
    expect(byOwner.events.length).toBeGreaterThan(3);
    expect(byOwner.events.every((e) => e['actor.email'] === 'owner@example.com')).toBe(true);
    expect((await audit('?action=key.*')).events.map((e) => e.action)).toEqual(['key.revoke', 'key.create']);

    const all = (await audit('?limit=1000')).events;
    const paged: Entry[] = [];
    let cursor: string | null = '';
    while (cursor !== null) {
      const page: { events: Entry[]; next_cursor: string | null } = await audit(`?limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.events.length).toBeLessThanOrEqual(3);
      paged.push(...page.events);
      cursor = page.next_cursor;
    }
    expect(paged.map((e) => e['audit.id'])).toEqual(all.map((e) => e['audit.id']));

    const staging = (await tend.auth.createKey('staging', 'admin')).key;
    expect((await audit('?limit=100', staging)).events).toEqual([]);
    const bad = await fetch(`${tend.url}/api/v1/audit?cursor=nonsense`, { headers: { 'x-honeycomb-team': keys.admin_key } });
    expect((await bad.json()).error).toBe('cursor: not a cursor this server gave out');
    const del = await fetch(`${tend.url}/api/v1/audit`, { method: 'DELETE', headers: { 'x-honeycomb-team': keys.admin_key } });
    expect(del.status).toBe(404);
  });

  it('records a failed sign-in for an unknown email in the default environment', async () => {
    await new Browser(tend.url).login('nobody@example.com', 'not the right one at all');
    const failed = (await audit('?action=auth.login_failed')).events;
    expect(failed[0]).toMatchObject({ 'actor.kind': 'anonymous', 'actor.email': 'nobody@example.com', outcome: 'failure', 'http.status_code': 401 });
  });
});

describe('audit log retention', () => {
  it('is set by owners only, and keeps the audit log longer (or shorter) than other events across the sweep', async () => {
    const dataDir = (await import('./support/tend.js')).tempDataDir('tend-audit-retention');
    let t = await startWithOwner({ data: dataDir, retentionDays: 60 });
    const keyOf = () => JSON.parse(fs.readFileSync(path.join(dataDir, 'keys.json'), 'utf8')).admin_key as string;
    const env = (await t.auth.environment('production'))!;
    const daysAgo = (d: number) => (Date.now() - d * 86_400_000) * 1000;
    const old = (d: number, fields: Record<string, string>) => ({ time: daysAgo(d), samplerate: 1, fields });
    await t.ingest.pipeline.submit(env, 'tend.audit', [old(100, { action: 'check.create', 'audit.id': 'a100' }), old(20, { action: 'check.create', 'audit.id': 'a20' })]);
    await t.ingest.pipeline.submit(env, 'app', [old(100, { status: 'old' })]);

    const owner = new Browser(t.url);
    await owner.login(OWNER.email, OWNER.password);
    expect((await owner.request('GET', '/api/v1/audit/settings')).body).toEqual({ retention_days: null, default_retention_days: 60 });
    const byKey = await fetch(`${t.url}/api/v1/audit/settings`, { method: 'PUT', headers: { 'x-honeycomb-team': keyOf(), 'content-type': 'application/json' }, body: '{"retention_days": 1}' });
    expect(byKey.status).toBe(403);
    await owner.request('POST', '/api/v1/users', { email: 'ann@example.com', password: 'lamp orbit violet ferry 9', roles: { production: 'admin' } });
    const admin = new Browser(t.url);
    await admin.login('ann@example.com', 'lamp orbit violet ferry 9');
    expect((await admin.request('PUT', '/api/v1/audit/settings', { retention_days: 1 })).status).toBe(403);
    expect((await owner.request('PUT', '/api/v1/audit/settings', { retention_days: 0 })).body.error).toMatch(/^retention_days: /);
    const set = await owner.request('PUT', '/api/v1/audit/settings', { retention_days: 400 });
    expect(set.body).toEqual({ retention_days: 400, default_retention_days: 60 });
    const own = await fetch(`${t.url}/api/v1/audit?action=audit_settings.update`, { headers: { 'x-honeycomb-team': keyOf() } });
    const recorded = (await own.json()).events[0];
    expect(recorded).toMatchObject({ 'actor.email': 'owner@example.com', outcome: 'success' });
    expect(JSON.parse(recorded['change.before'])).toEqual({ retention_days: null, default_retention_days: 60 });

    const found = async (dataset: string, d: number) => {
      const res = await fetch(`${t.url}/api/v1/events/${dataset}/search`, {
        method: 'POST',
        headers: { 'x-honeycomb-team': keyOf(), 'content-type': 'application/json' },
        body: JSON.stringify({ start_time: Math.floor(daysAgo(d + 1) / 1e6), end_time: Math.floor(daysAgo(d - 1) / 1e6) }),
      });
      return res.status === 404 ? 0 : (await res.json()).events.length;
    };
    expect([await found('tend.audit', 100), await found('app', 100)]).toEqual([1, 1]);
    // The sweep runs at every start: the events' 60 days drop app's old day, not the audit log's.
    await t.close();
    t = await startWithOwner({ data: dataDir, retentionDays: 60 });
    expect([await found('tend.audit', 100), await found('tend.audit', 20), await found('app', 100)]).toEqual([1, 1, 0]);
    // Shorter than the rest: 10 days drops both old audit days.
    const o2 = new Browser(t.url);
    await o2.login(OWNER.email, OWNER.password);
    await o2.request('PUT', '/api/v1/audit/settings', { retention_days: 10 });
    await t.close();
    t = await startWithOwner({ data: dataDir, retentionDays: 60 });
    expect([await found('tend.audit', 100), await found('tend.audit', 20)]).toEqual([0, 0]);
    await t.close();
  }, 120_000);
});
