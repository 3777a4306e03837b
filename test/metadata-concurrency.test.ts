// Issue 18 item 5: concurrent calls that write metadata never answer 5xx, and what they leave
// is coherent. DuckDB aborts one of two transactions that write the same row at once, so
// before metadata writes were serialized ten concurrent ping-key rotations gave eight 500s,
// ten creations of one check name nine 500s and ten updates of one check six 500s.
// Issue 9 item 3: a conflict the caller made (a name or heartbeat UUID already taken) is 409.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTend, type TestTend } from './support/tend.js';

let t: TestTend;
const N = 10;

async function api(method: string, route: string, body?: unknown, key = t.adminKey) {
  const res = await fetch(`${t.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const statuses = (answers: { status: number }[]) => answers.map((a) => a.status).sort();
const times = <T>(n: number, f: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => f(i)));

beforeAll(async () => {
  t = await startTestTend();
});
afterAll(async () => {
  await t?.close();
});

describe('concurrent metadata writes', () => {
  it('ping keys: every rotation answers 201 and exactly the last key handed out works', async () => {
    await api('POST', '/api/v1/checks', { name: 'nightly', kind: 'heartbeat', period: '1d', grace: '1h' });
    const order: string[] = [];
    const answers = await times(N, async () => {
      const a = await api('POST', '/api/v1/ping-key');
      if (a.status === 201) order.push(a.body.ping_key);
      return a;
    });
    expect(statuses(answers)).toEqual(Array(N).fill(201));
    expect(new Set(order).size).toBe(N);
    const works = await times(N, async (i) => (await fetch(`${t.url}/ping/${order[i]}/nightly`)).status);
    expect(works.filter((s) => s === 200)).toHaveLength(1);
    expect(works[N - 1]).toBe(200);
  });

  it('checks: ten creations of one name give one 201 and nine 409s, and one check', async () => {
    const answers = await times(N, (i) => api('POST', '/api/v1/checks', { name: 'same-name', kind: 'heartbeat', period: `${i + 1}h`, grace: '1h' }));
    expect(statuses(answers)).toEqual([201, ...Array(N - 1).fill(409)]);
    for (const a of answers.filter((x) => x.status === 409)) expect(a.body.error).toMatch(/^name: a check named "same-name" already exists/);
    const list = await api('GET', '/api/v1/checks');
    expect(list.body.checks.filter((c: { name: string }) => c.name === 'same-name')).toHaveLength(1);
  });

  it('checks: ten updates of one check all answer 200 and the last one is what is stored and served', async () => {
    const answers = await times(N, (i) => api('PUT', '/api/v1/checks/same-name', { kind: 'heartbeat', period: `${i + 2}h`, grace: `${i + 1}m` }));
    expect(statuses(answers)).toEqual(Array(N).fill(200));
    const served = (await api('GET', '/api/v1/checks/same-name')).body.definition;
    const stored = await t.tend.meta.query<{ definition: string }>(`SELECT definition FROM checks WHERE name = 'same-name'`);
    expect(stored).toHaveLength(1);
    expect(JSON.parse(stored[0].definition)).toMatchObject({ period: served.period, grace: served.grace });
    expect(answers.map((a) => a.body.definition.period)).toContain(served.period);
  });

  it('checks: concurrent creations of different names with one heartbeat UUID give one 201, the rest 409', async () => {
    const uuid = '0d6c3f7e-4b55-4e0c-9f43-8f1b7a2a9e10';
    const answers = await times(N, (i) => api('POST', '/api/v1/checks', { name: `uuid-${i}`, kind: 'heartbeat', uuid, period: '1d', grace: '1h' }));
    expect(statuses(answers)).toEqual([201, ...Array(N - 1).fill(409)]);
    const holders = (await api('GET', '/api/v1/checks')).body.checks.filter((c: { heartbeat?: { uuid: string } }) => c.heartbeat?.uuid === uuid);
    expect(holders).toHaveLength(1);
  });

  it('checks: PUT with a UUID another heartbeat holds is 409, naming the field once', async () => {
    const other = await api('POST', '/api/v1/checks', { name: 'other-beat', kind: 'heartbeat', period: '1d', grace: '1h' });
    const taken = other.body.heartbeat.uuid;
    await api('POST', '/api/v1/checks', { name: 'put-target', kind: 'heartbeat', period: '1d', grace: '1h' });
    const res = await api('PUT', '/api/v1/checks/put-target', { kind: 'heartbeat', uuid: taken, period: '1d', grace: '1h' });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe(`uuid: ${taken} is already used by another heartbeat`);
    const file = `environment: production\nchecks:\n  - name: file-beat\n    kind: heartbeat\n    uuid: ${taken}\n    period: 1d\n    grace: 1h\n`;
    const applied = await fetch(`${t.url}/api/v1/checks/apply`, { method: 'POST', headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/yaml' }, body: file });
    expect(applied.status).toBe(409);
    expect((await applied.json()).error).toBe(`checks[0].uuid: ${taken} is already used by another heartbeat`);
  });

  it('API keys: ten revocations of one key give one 200 and nine 404s', async () => {
    const made = await api('POST', '/api/v1/keys', { kind: 'ingest', name: 'short-lived' });
    expect(made.status).toBe(201);
    const answers = await times(N, () => api('DELETE', `/api/v1/keys/${made.body.id}`));
    expect(statuses(answers)).toEqual([200, ...Array(N - 1).fill(404)]);
  });

  it('API keys: ten creations at once give ten working keys', async () => {
    const answers = await times(N, (i) => api('POST', '/api/v1/keys', { kind: 'ingest', name: `k${i}` }));
    expect(statuses(answers)).toEqual(Array(N).fill(201));
    const auth = await times(N, async (i) => (await fetch(`${t.url}/1/auth`, { headers: { 'x-honeycomb-team': answers[i].body.key } })).status);
    expect(auth).toEqual(Array(N).fill(200));
  });

  it('markers: concurrent updates of different fields keep every field, and a delete among them leaves no 5xx', async () => {
    await fetch(`${t.url}/1/batch/deploys`, { method: 'POST', headers: { 'x-honeycomb-team': t.ingestKey }, body: JSON.stringify([{ data: { a: 1 } }]) });
    const made = await api('POST', '/1/markers/deploys', { start_time: 1_700_000_000, message: 'm0' }, t.ingestKey);
    expect(made.status).toBe(201);
    const id = made.body.id;
    const fields = [{ message: 'deployed' }, { type: 'deploy' }, { url: 'https://ci/1' }, { end_time: 1_700_000_100 }];
    const answers = await times(fields.length * 3, (i) => api('PUT', `/1/markers/deploys/${id}`, fields[i % fields.length], t.ingestKey));
    expect(statuses(answers)).toEqual(Array(fields.length * 3).fill(200));
    const [marker] = (await api('GET', '/1/markers/deploys', undefined, t.ingestKey)).body;
    expect(marker).toMatchObject({ id, start_time: 1_700_000_000, end_time: 1_700_000_100, message: 'deployed', type: 'deploy', url: 'https://ci/1' });

    const mixed = await times(N, (i) => (i === 3 ? api('DELETE', `/1/markers/deploys/${id}`, undefined, t.ingestKey) : api('PUT', `/1/markers/deploys/${id}`, { message: `m${i}` }, t.ingestKey)));
    expect(mixed.every((a) => a.status === 200 || a.status === 404)).toBe(true);
    expect(mixed[3].status).toBe(200);
    expect((await api('GET', '/1/markers/deploys', undefined, t.ingestKey)).body).toEqual([]);
  });

  it('status pages and notices: ten applies of one tend.yaml at once all answer 200, ten resolutions of one notice give one 200', async () => {
    const file = `environment: production
checks:
  - name: from-file
    kind: heartbeat
    period: 1d
    grace: 1h
status_pages:
  - slug: concurrent
    title: Concurrent
    checks: [from-file]
`;
    const apply = () =>
      fetch(`${t.url}/api/v1/checks/apply`, { method: 'POST', headers: { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/yaml' }, body: file }).then((r) => r.status);
    expect(await times(N, apply)).toEqual(Array(N).fill(200));
    const list = (await api('GET', '/api/v1/checks')).body.checks.filter((c: { name: string }) => c.name === 'from-file');
    expect(list).toHaveLength(1);
    expect((await api('GET', '/api/v1/status-pages')).body.status_pages.filter((p: { slug: string }) => p.slug === 'concurrent')).toHaveLength(1);

    const notice = await api('POST', '/api/v1/status-pages/concurrent/notices', { title: 'Investigating' });
    expect(notice.status).toBe(201);
    const answers = await times(N, () => api('POST', `/api/v1/status-pages/concurrent/notices/${notice.body.id}/resolve`));
    expect(statuses(answers)).toEqual([200, ...Array(N - 1).fill(404)]);
  });

  it('datasets: first writes to one new dataset from many requests at once create it once', async () => {
    const answers = await times(N, (i) =>
      fetch(`${t.url}/1/batch/Fresh-Dataset`, { method: 'POST', headers: { 'x-honeycomb-team': t.ingestKey }, body: JSON.stringify([{ data: { i } }]) }).then((r) => r.status),
    );
    expect(answers).toEqual(Array(N).fill(200));
    const rows = await t.tend.meta.query(`SELECT id FROM datasets WHERE slug = 'fresh-dataset'`);
    expect(rows).toHaveLength(1);
  });
});
