// /api/v1/checks, tend.yaml at start and through apply (the file wins for the checks it
// declares), and healthchecks.io-compatible pings, over real HTTP to Tend in this process.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpTarget, type HttpTarget } from './support/check-targets.js';
import { storedEvents } from './support/stored.js';
import { startTestTend, tempDataDir, type TestTend } from './support/tend.js';

let t: TestTend;
let web: HttpTarget;
let configFile: string;
const UUID = '5f0c6a1e-8d7b-4c2a-9a57-0b6f0f3e2d11';

const yaml = (url: string, extra = '') => `
checks:
  - name: api-health
    kind: http
    url: ${url}/ok
    interval: 1h
    timeout: 5s
    expect: { status: [200], max_latency_ms: 5000, body_contains: ok }
    failures_before_down: 2
  - name: nightly-backup
    kind: heartbeat
    uuid: ${UUID}
    period: 1d
    grace: 1h
  - name: generated-uuid
    kind: heartbeat
    cron: "0 3 * * *"
    tz: Europe/London
${extra}
status_pages:
  - slug: public
    title: Example status
    checks: [api-health, nightly-backup]
`;

async function api(method: string, route: string, body?: unknown, key = t.adminKey) {
  const res = await fetch(`${t.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function ping(route: string, init: RequestInit = {}) {
  const res = await fetch(`${t.url}${route}`, init);
  return { status: res.status, text: await res.text(), type: res.headers.get('content-type') };
}

beforeAll(async () => {
  web = await startHttpTarget();
  const dir = tempDataDir('tend-checks-cfg');
  configFile = path.join(dir, 'tend.yaml');
  fs.writeFileSync(configFile, yaml(web.url));
  t = await startTestTend({ config: configFile });
});
afterAll(async () => {
  await t?.close();
  await web?.close();
});

describe('tend.yaml at start', () => {
  it('loads the file\'s checks as file-managed, generating a uuid where none was given', async () => {
    const r = await api('GET', '/api/v1/checks');
    expect(r.status).toBe(200);
    const byName = Object.fromEntries(r.body.checks.map((c: { name: string }) => [c.name, c]));
    expect(Object.keys(byName).sort()).toEqual(['api-health', 'generated-uuid', 'nightly-backup']);
    expect(byName['api-health']).toMatchObject({ kind: 'http', managed_by: 'file', environment: 'production', state: 'pending', definition: { failures_before_down: 2 } });
    expect(byName['nightly-backup'].heartbeat).toMatchObject({ uuid: UUID, ping_path: `/ping/${UUID}` });
    expect(byName['generated-uuid'].heartbeat.uuid).toMatch(/^[0-9a-f-]{36}$/);
    expect(t.tend.checks.applied?.created.sort()).toEqual(['api-health', 'generated-uuid', 'nightly-backup']);
  });

  it('refuses to start with a broken file or a named file that is missing, naming the problem', async () => {
    const dir = tempDataDir('tend-checks-bad');
    const bad = path.join(dir, 'tend.yaml');
    fs.writeFileSync(bad, 'checks:\n  - { name: a, kind: http, url: "not a url" }\n');
    await expect(startTestTend({ config: bad })).rejects.toThrow(/tend.yaml: checks\[0\]\.url: /);
    await expect(startTestTend({ config: path.join(dir, 'missing.yaml') })).rejects.toThrow(/missing.yaml: ENOENT/);
  });

  it('refuses API changes to file-managed checks with 409', async () => {
    const put = await api('PUT', '/api/v1/checks/api-health', { kind: 'http', url: 'http://example.com/' });
    expect(put.status).toBe(409);
    expect(put.body.error).toMatch(/declared in tend.yaml.*tend checks apply/);
    expect((await api('DELETE', '/api/v1/checks/api-health')).status).toBe(409);
  });
});

describe('/api/v1/checks', () => {
  it('creates, reads, updates and deletes an API-managed check', async () => {
    const created = await api('POST', '/api/v1/checks', { name: 'via-api', kind: 'tcp', host: '127.0.0.1', port: 1, interval: '1h' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'via-api', managed_by: 'api', definition: { interval: '1h', timeout: '10s' } });
    expect((await api('POST', '/api/v1/checks', { name: 'via-api', kind: 'tcp', host: 'h', port: 2 })).status).toBe(409);
    const updated = await api('PUT', '/api/v1/checks/via-api', { kind: 'tcp', host: '127.0.0.1', port: 2, interval: '2h' });
    expect(updated.status).toBe(200);
    expect(updated.body.definition).toMatchObject({ port: 2, interval: '2h' });
    expect((await api('GET', '/api/v1/checks/via-api')).body.definition.port).toBe(2);
    expect((await api('DELETE', '/api/v1/checks/via-api')).status).toBe(200);
    expect((await api('GET', '/api/v1/checks/via-api')).status).toBe(404);
  });

  it('answers bad input with 400 naming the field', async () => {
    const cases: [unknown, RegExp][] = [
      [{ name: 'x', kind: 'http', url: 'not a url' }, /^url: /],
      [{ name: 'x', kind: 'ping' }, /^kind: expected one of/],
      [{ name: 'bad name!', kind: 'tcp', host: 'h', port: 1 }, /^name: /],
      [{ name: 'x', kind: 'tcp', host: 'h', port: 70000 }, /^port: /],
      [{ name: 'x', kind: 'http', url: 'http://a', timeout: 'forever' }, /^timeout: expected a duration/],
      [{ name: 'x', kind: 'http', url: 'http://a', expect: { body_matches: '(' } }, /^expect.body_matches: expected a valid regular expression/],
      [{ name: 'x', kind: 'heartbeat', period: '1h', maintenance: [{ cron: 'nope', duration: '1h' }] }, /^maintenance/],
      [{ name: 'x', kind: 'http', url: 'http://a', surprise: 1 }, /surprise/],
      [{ name: 'x', kind: 'tls', host: 'a', ca_file: '/etc/passwd' }, /^ca_file: .*tend.yaml only/],
    ];
    for (const [body, error] of cases) {
      const r = await api('POST', '/api/v1/checks', body);
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error, JSON.stringify(body)).toMatch(error);
    }
    expect((await api('POST', '/api/v1/checks', 'not json')).status).toBe(400);
  });

  it('runs a check once on request and records the result as an event', async () => {
    const r = await api('POST', '/api/v1/checks/api-health/run');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'api-health', ok: true, http_status_code: 200 });
    await t.tend.ingest.pipeline.idle();
    const rows = (await storedEvents(t.tend, 'tend.checks')).filter((e) => e['check.name'] === 'api-health' && e.trigger === 'manual');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ 'check.kind': 'http', target: `${web.url}/ok`, ok: true, 'http.status_code': 200 });
    expect((await api('POST', '/api/v1/checks/nightly-backup/run')).status).toBe(400);
  });

  it('writes results to an ordinary dataset that the query side reads like any other', async () => {
    const r = await api('GET', '/1/columns/tend.checks');
    expect(r.status).toBe(200);
    const types = Object.fromEntries(r.body.map((c: { key_name: string; type: string }) => [c.key_name, c.type]));
    expect(types).toMatchObject({ 'check.name': 'string', 'check.kind': 'string', target: 'string', ok: 'boolean', 'http.status_code': 'integer' });
    expect(['integer', 'float']).toContain(types.duration_ms);
  });

  it('needs an admin key', async () => {
    expect((await fetch(`${t.url}/api/v1/checks`)).status).toBe(401);
    expect((await api('GET', '/api/v1/checks', undefined, t.ingestKey)).status).toBe(403);
  });
});

describe('POST /api/v1/checks/apply', () => {
  it('makes the file current: updates, removes file checks it no longer declares, leaves API checks alone', async () => {
    await api('POST', '/api/v1/checks', { name: 'kept-api-check', kind: 'tcp', host: '127.0.0.1', port: 1, interval: '1h' });
    const before = (await api('GET', '/api/v1/checks/generated-uuid')).body.heartbeat.uuid;
    const next = yaml(web.url).replace('interval: 1h', 'interval: 2h').replace(/ {2}- name: nightly-backup[\s\S]*?grace: 1h\n/, '').replace('[api-health, nightly-backup]', '[api-health]');
    const r = await api('POST', '/api/v1/checks/apply', next);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ environment: 'production', created: [], updated: ['api-health'], unchanged: ['generated-uuid'], deleted: ['nightly-backup'], status_pages: ['public'] });
    expect((await api('GET', '/api/v1/checks/api-health')).body.definition.interval).toBe('2h');
    expect((await api('GET', '/api/v1/checks/nightly-backup')).status).toBe(404);
    expect((await api('GET', '/api/v1/checks/kept-api-check')).body.managed_by).toBe('api');
    expect((await api('GET', '/api/v1/checks/generated-uuid')).body.heartbeat.uuid).toBe(before);
    // Applying the original file again restores it.
    expect((await api('POST', '/api/v1/checks/apply', yaml(web.url))).body).toMatchObject({ created: ['nightly-backup'], updated: ['api-health'] });
  });

  it('refuses a file for another environment or with problems, changing nothing', async () => {
    const other = await api('POST', '/api/v1/checks/apply', `environment: staging\n${yaml(web.url)}`);
    expect(other.status).toBe(400);
    expect(other.body.error).toMatch(/^environment: the file is for "staging"/);
    const broken = await api('POST', '/api/v1/checks/apply', 'checks:\n  - name: a\n    kind: http\n');
    expect(broken.status).toBe(400);
    expect(broken.body.error).toMatch(/checks\[0\]\.url/);
    const unknownCheck = await api('POST', '/api/v1/checks/apply', 'status_pages:\n  - {slug: p2, title: T, checks: [ghost]}\n');
    expect(unknownCheck.body.error).toMatch(/status_pages\[0\]\.checks: no check named "ghost"/);
    expect((await api('GET', '/api/v1/checks/api-health')).status).toBe(200);
  });

  it('lets a file take over an API check of the same name', async () => {
    await api('POST', '/api/v1/checks', { name: 'adopted', kind: 'tcp', host: '127.0.0.1', port: 1, interval: '1h' });
    const r = await api('POST', '/api/v1/checks/apply', yaml(web.url, '  - {name: adopted, kind: tcp, host: 127.0.0.1, port: 2, interval: 1h}'));
    expect(r.body.updated).toContain('adopted');
    expect((await api('GET', '/api/v1/checks/adopted')).body).toMatchObject({ managed_by: 'file', definition: { port: 2 } });
    await api('POST', '/api/v1/checks/apply', yaml(web.url));
    expect((await api('GET', '/api/v1/checks/adopted')).status).toBe(404);
  });
});

describe('heartbeat pings (healthchecks.io API)', () => {
  const state = async (name: string) => (await api('GET', `/api/v1/checks/${name}`)).body;

  it('accepts GET, HEAD and POST without a key and answers OK in plain text', async () => {
    const get = await ping(`/ping/${UUID}`);
    expect(get).toMatchObject({ status: 200, text: 'OK' });
    expect(get.type).toMatch(/^text\/plain/);
    expect((await ping(`/ping/${UUID}`, { method: 'HEAD' })).status).toBe(200);
    expect((await ping(`/ping/${UUID}`, { method: 'POST', body: 'backup done' })).status).toBe(200);
    expect((await state('nightly-backup')).state).toBe('up');
  });

  it('signals failure with /fail and a non-zero exit status; 0 is success', async () => {
    await ping(`/ping/${UUID}/fail`);
    expect((await state('nightly-backup')).state).toBe('down');
    await ping(`/ping/${UUID}/0`);
    expect((await state('nightly-backup')).state).toBe('up');
    await ping(`/ping/${UUID}/3`);
    expect(await state('nightly-backup')).toMatchObject({ state: 'down', last_result: { ok: false, error: 'exit status 3' } });
    await ping(`/ping/${UUID}`);
  });

  it('pairs start and finish by rid, and keeps the first 10 KB of a body', async () => {
    const rid = '0b5a1f8e-3c2d-4e6f-8a9b-1c2d3e4f5a6b';
    const started = Date.now();
    expect((await ping(`/ping/${UUID}/start?rid=${rid}`)).status).toBe(200);
    const since = (await state('nightly-backup')).heartbeat.running_since;
    expect(since).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(Date.parse(since)).toBeGreaterThanOrEqual(started - 1000);
    expect(Date.parse(since)).toBeLessThanOrEqual(Date.now());
    await ping(`/ping/${UUID}/log`, { method: 'POST', body: 'half way' });
    const big = 'x'.repeat(15_000);
    expect((await ping(`/ping/${UUID}?rid=${rid}`, { method: 'POST', body: big })).status).toBe(200);
    await t.tend.ingest.pipeline.idle();
    const pings = (await storedEvents(t.tend, 'tend.pings')).filter((p) => p['ping.rid'] === rid || p['ping.kind'] === 'log');
    expect(pings.map((p) => p['ping.kind'])).toEqual(['start', 'log', 'success']);
    expect(pings[1]).toMatchObject({ 'ping.body': 'half way', 'ping.method': 'POST', 'check.name': 'nightly-backup' });
    expect(pings[2]['ping.body']).toHaveLength(10 * 1024);
    expect(pings[2]['ping.body_bytes']).toBe(15_000);
    expect(typeof pings[2]['ping.duration_ms']).toBe('number');
    expect((await state('nightly-backup')).heartbeat.running_since).toBeUndefined();
  });

  it('answers unknown checks with 404 and malformed URLs with 400', async () => {
    expect(await ping('/ping/00000000-0000-4000-8000-000000000000')).toMatchObject({ status: 404, text: 'not found' });
    expect((await ping(`/ping/${UUID}/256`)).status).toBe(400);
    expect((await ping(`/ping/${UUID}/restart`)).status).toBe(400);
    expect((await ping(`/ping/${UUID}?rid=not-a-uuid`)).status).toBe(400);
    expect((await ping(`/ping/${UUID}/start/extra`)).status).toBe(400);
    const httpCheck = (await api('GET', '/api/v1/checks/api-health')).body;
    expect(httpCheck.heartbeat).toBeUndefined();
  });

  it('takes /ping/<ping-key>/<name>, creates with ?create=1, and stores the ping key hashed', async () => {
    const created = await api('POST', '/api/v1/ping-key');
    expect(created.status).toBe(201);
    const key: string = created.body.ping_key;
    expect(key.length).toBeGreaterThanOrEqual(20);
    expect(await ping(`/ping/${key}/nightly-backup`)).toMatchObject({ status: 200, text: 'OK' });
    expect((await ping(`/ping/${key}/nightly-backup/start`)).status).toBe(200);
    expect((await ping(`/ping/${key}/nightly-backup/0`)).status).toBe(200);
    expect((await ping(`/ping/${key}/new-job`)).status).toBe(404);
    expect(await ping(`/ping/${key}/new-job?create=1`)).toMatchObject({ status: 201, text: 'Created' });
    expect(await state('new-job')).toMatchObject({ kind: 'heartbeat', managed_by: 'api', state: 'up', definition: { period: '1d', grace: '1h' } });
    expect((await ping(`/ping/${key}/new-job?create=1`)).status).toBe(200);
    expect((await ping(`/ping/wrong-key-wrong-key/nightly-backup`)).status).toBe(404);
    const rows = await t.tend.meta.query('SELECT key_hash FROM ping_keys');
    expect(rows).toHaveLength(1);
    expect(String(rows[0].key_hash)).not.toContain(key);
    // A new key replaces the old one.
    await api('POST', '/api/v1/ping-key');
    expect((await ping(`/ping/${key}/nightly-backup`)).status).toBe(404);
  });
});

describe('restart', () => {
  it('keeps heartbeat uuids and last state, and applies the file again', async () => {
    const uuid = (await api('GET', '/api/v1/checks/generated-uuid')).body.heartbeat.uuid;
    const pinged = Date.now();
    await ping(`/ping/${UUID}`);
    const answered = Date.now();
    await t.close();
    t = await startTestTend({ config: configFile, data: t.dataDir });
    expect(t.tend.checks.applied).toMatchObject({ created: [], deleted: [] });
    expect((await api('GET', '/api/v1/checks/generated-uuid')).body.heartbeat.uuid).toBe(uuid);
    const hb = (await api('GET', '/api/v1/checks/nightly-backup')).body;
    expect(hb.state).toBe('up');
    // The time of the ping before the restart, kept across it.
    expect(Date.parse(hb.heartbeat.last_ping_at)).toBeGreaterThanOrEqual(pinged - 1000);
    expect(Date.parse(hb.heartbeat.last_ping_at)).toBeLessThanOrEqual(answered);
  });
});
