// Honeycomb's Markers API end to end over HTTP, and `tend markers` as a real child process.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, startTestTend, type TestTend } from './support/tend.js';

const run = promisify(execFile);
let t: TestTend;
beforeAll(async () => {
  t = await startTestTend();
  await call('POST', '/1/batch/api', [{ data: { n: 1 } }], t.ingestKey);
});
afterAll(async () => t?.close());

async function call(method: string, route: string, body?: unknown, key = t.ingestKey) {
  const res = await fetch(`${t.url}${route}`, {
    method,
    headers: { 'x-honeycomb-team': key, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

describe('/1/markers/:dataset', () => {
  it('creates, lists, updates and deletes like Honeycomb', async () => {
    const created = await call('POST', '/1/markers/API', { start_time: 1763683200, message: 'backend deploy #123', type: 'deploy', url: 'http://ci/123' });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ start_time: 1763683200, message: 'backend deploy #123', type: 'deploy', url: 'http://ci/123' });
    expect(created.body).not.toHaveProperty('end_time');
    expect(created.body.created_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const id = created.body.id;

    const list = await call('GET', '/1/markers/api');
    expect(list.status).toBe(200);
    expect(list.body.map((m: { id: string }) => m.id)).toEqual([id]);

    const updated = await call('PUT', `/1/markers/api/${id}`, { end_time: 1763683500, message: 'backend deploy #123 (done)' });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id, start_time: 1763683200, end_time: 1763683500, message: 'backend deploy #123 (done)', type: 'deploy' });

    const deleted = await call('DELETE', `/1/markers/api/${id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body.id).toBe(id);
    expect((await call('GET', '/1/markers/api')).body).toEqual([]);
    expect((await call('DELETE', `/1/markers/api/${id}`)).status).toBe(404);
  });

  it('keeps environment-wide markers under __all__', async () => {
    const m = await call('POST', '/1/markers/__all__', { type: 'incident', message: 'region outage' });
    expect(m.status).toBe(201);
    expect(Math.abs(m.body.start_time - Date.now() / 1000)).toBeLessThan(60);
    expect((await call('GET', '/1/markers/__all__')).body.map((x: { id: string }) => x.id)).toEqual([m.body.id]);
    expect((await call('GET', '/1/markers/api')).body).toEqual([]);
    // An id from another scope is not found there.
    expect((await call('PUT', `/1/markers/api/${m.body.id}`, { message: 'x' })).status).toBe(404);
  });

  it('answers bad input with a 4xx naming the field', async () => {
    const bad = await call('POST', '/1/markers/api', { start_time: 'yesterday' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^start_time:/);
    const backwards = await call('POST', '/1/markers/api', { start_time: 200, end_time: 100 });
    expect(backwards.status).toBe(400);
    expect(backwards.body.error).toMatch(/^end_time: must not be before start_time/);
    const m = await call('POST', '/1/markers/api', { start_time: 200 });
    const endBeforeStart = await call('PUT', `/1/markers/api/${m.body.id}`, { end_time: 100 });
    expect(endBeforeStart.status).toBe(400);
    expect(endBeforeStart.body.error).toMatch(/^end_time:/);
    const missing = await call('POST', '/1/markers/nope', { type: 'deploy' });
    expect(missing.status).toBe(404);
    expect(missing.body.error).toMatch(/dataset "nope" does not exist/);
    expect((await call('GET', '/1/markers/api', undefined, 'tki_000000000000AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')).status).toBe(401);
  });

  it('keeps markers inside the key environment', async () => {
    const staging = await t.tend.auth.createKey('staging', 'ingest');
    await call('POST', '/1/markers/__all__', { message: 'staging only' }, staging.key);
    const prod = (await call('GET', '/1/markers/__all__')).body.map((x: { message?: string }) => x.message);
    expect(prod).not.toContain('staging only');
    expect((await call('GET', '/1/markers/__all__', undefined, staging.key)).body.map((x: { message?: string }) => x.message)).toEqual(['staging only']);
  });
});

describe('markers in query results', () => {
  it('carries the markers of the dataset and the environment that overlap the query window', async () => {
    const t0 = 1763640000;
    const mk = async (dataset: string, body: object) => (await call('POST', `/1/markers/${dataset}`, body)).body.id as string;
    const inside = await mk('api', { start_time: t0 + 600, type: 'deploy', message: 'inside' });
    const spanning = await mk('__all__', { start_time: t0 - 600, end_time: t0 + 60, type: 'incident', message: 'spans the start' });
    await mk('api', { start_time: t0 + 3600, message: 'at the end, excluded' });
    await mk('api', { start_time: t0 - 7200, end_time: t0 - 1, message: 'ends before' });
    const res = await call('POST', '/api/v1/query/api', { calculations: [{ op: 'COUNT' }], start_time: t0, end_time: t0 + 3600 }, t.adminKey);
    expect(res.status).toBe(200);
    expect(res.body.markers.map((m: { id: string; dataset: string }) => [m.id, m.dataset])).toEqual([
      [spanning, '__all__'],
      [inside, 'api'],
    ]);
    expect(res.body.markers[1]).toMatchObject({ type: 'deploy', message: 'inside', start_time: t0 + 600 });
  });
});

describe('tend markers', () => {
  const tend = (...args: string[]) =>
    run(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/index.ts'), ...args, '--url', t.url, '--key', t.ingestKey], { cwd: repoRoot });

  it('adds a deploy marker and lists it', async () => {
    const added = await tend('markers', 'add', 'api', '--type', 'deploy', '--message', 'build 42', '--link', 'http://ci/42', '--start', '2026-11-20T10:00:00Z', '--end', '2026-11-20T10:05:00Z');
    const id = added.stdout.trim();
    expect(id).toMatch(/^[0-9a-f]{8}$/);
    const stored = (await call('GET', '/1/markers/api')).body.find((m: { id: string }) => m.id === id);
    expect(stored).toMatchObject({ type: 'deploy', message: 'build 42', url: 'http://ci/42', start_time: Date.parse('2026-11-20T10:00:00Z') / 1000, end_time: Date.parse('2026-11-20T10:05:00Z') / 1000 });
    const listed = await tend('markers', 'list', 'api');
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+2026-11-20T10:00:00Z\\s+2026-11-20T10:05:00Z\\s+deploy\\s+build 42\\s+http://ci/42$`, 'm'));
  });

  it('fails with the server error for a dataset that does not exist', async () => {
    await expect(tend('markers', 'add', 'ghost', '--type', 'deploy')).rejects.toMatchObject({ stderr: expect.stringMatching(/404 dataset "ghost" does not exist/) });
  });
});
