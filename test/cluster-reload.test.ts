// Two `tend serve` processes on one PostgreSQL, each with its own copy of tend.yaml: a reload
// asked of one node re-applies, on the other, the parts every node keeps in its own memory and
// that used to be read only at start: declared dataset fields, capacity limits, deploys
// settings, scheduled backups and single sign-on. Each is looked at through the API that shows
// it. And an SLO's latest evaluation, made by one node, is what every node answers; an alert
// pushed to one node is the same alert on the other, notified once. The nodes run from source (tsx), so no build is needed.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startReceiver, type Receiver } from './support/alerts.js';
import { startPostgres, type PgCluster } from './support/postgres.js';
import { spawnTend, tempDataDir, type ChildTend } from './support/tend.js';
import { until } from './support/until.js';

const KEYS = { TEND_ADMIN_KEY: 'admin-key-of-the-reload-cluster', TEND_INGEST_KEY: 'ingest-key-of-the-reload-cluster', TEND_ADMIN_PASSWORD: 'correct horse battery staple 42' };
const auth = { authorization: `Bearer ${KEYS.TEND_ADMIN_KEY}`, 'content-type': 'application/json' };

/** A service with a limit on its /pay endpoint, and `more` of tend.yaml. */
const file = (payLimit: number, more = '') => `environment: production
alerting:
  receivers: [{ name: hook, webhook: { url: "${receiver.url}/" } }]
  route: { receiver: hook, group_by: [alertname], group_wait: 0s, group_interval: 1s }
teams: [{ name: payments }]
services:
  - name: checkout
    owner: payments
    datasets: [checkout]
    capacity: { endpoints: { /pay: ${payLimit} } }
slos:
  - { name: pay-latency, dataset: checkout, sli: 'LT($duration_ms, 300)', target: 99, period_days: 30 }
${more}`;

/** The file both nodes start from: nothing declared but the service. */
const FIRST = () => file(200);

/** The file deployed to both before the reload: every part above changed or added. */
const SECOND = () => file(300, `datasets:
  checkout: { endpoint_field: route }
deploys:
  window: 30m
backups:
  schedule: "0 3 * * *"
  dest: /var/backups/tend-reload-test
  keep: 3
auth:
  oidc: { issuer: "http://127.0.0.1:1/", client_id: tend }
`);

let pg: PgCluster;
let receiver: Receiver;
type Node = ChildTend & { configFile: string };
const nodes: Node[] = [];

async function startNode(id: string): Promise<Node> {
  const configFile = path.join(tempDataDir(`cluster-reload-config-${id}`), 'tend.yaml');
  fs.writeFileSync(configFile, FIRST());
  const child = await spawnTend(tempDataDir(`cluster-reload-${id}`), 0, { ...KEYS, TEND_NODE_ID: id, TEND_SLO_INTERVAL: '10' }, ['--grpc-port', 'off', '--meta', pg.url('reload'), '--config', configFile], { fromSource: true });
  return Object.assign(child, { configFile });
}

const get = async <T>(node: Node, url: string): Promise<{ status: number; body: T }> => {
  const res = await fetch(`${node.url}${url}`, { headers: auth });
  return { status: res.status, body: (await res.json()) as T };
};

type Capacity = { limits: { name: string; limit: number; peak: number }[] };
type Backups = { schedule: { schedule: string; dest: string; keep: number } | null };

beforeAll(async () => {
  pg = await startPostgres();
  receiver = await startReceiver();
  // One at a time: the first start makes the keys, the second joins.
  nodes.push(await startNode('reload-a'));
  nodes.push(await startNode('reload-b'));
}, 90_000);

afterAll(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  await receiver?.close();
  await pg?.stop();
});

describe('a reload through one node', () => {
  it('re-applies dataset fields, capacity, deploys, backups and auth.oidc on the other', async () => {
    const [a, b] = nodes;
    // Requests to /pay in the last full hour, named in `route` (the endpoint column after the reload),
    // into b: events in the data folder are each node's own.
    const hourAgo = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 1_800_000).toISOString();
    const events = Array.from({ length: 5 }, () => ({ time: hourAgo, data: { route: '/pay', endpoint: '/other' } }));
    const sent = await fetch(`${b.url}/1/batch/checkout`, { method: 'POST', headers: auth, body: JSON.stringify(events) });
    expect(sent.status).toBe(200);

    // Before: the default endpoint column (`endpoint`) never says /pay; no deploys, backups nor SSO settings.
    const before = await get<Capacity>(b, '/api/v1/services/checkout/capacity?weeks=1');
    expect(before.body.limits).toMatchObject([{ name: '/pay', limit: 200, peak: 0 }]);
    expect((await get<Backups>(b, '/api/v1/backups')).body.schedule).toBeNull();
    expect((await get(b, '/api/v1/auth/oidc/login')).status).toBe(404);
    expect((await get<{ oidc: boolean }>(b, '/api/v1/ui/settings')).body.oidc).toBe(false);

    for (const n of nodes) fs.writeFileSync(n.configFile, SECOND());
    const res = await fetch(`${a.url}/api/v1/config/reload`, { method: 'POST', headers: auth });
    const answer = (await res.json()) as { applied: string[] };
    expect(res.status, JSON.stringify(answer)).toBe(200);
    expect(answer.applied).toEqual(['retention', 'auth.oidc', 'alerting', 'triggers', 'slos', 'ownership', 'datasets', 'capacity', 'deploys', 'checks', 'backups']);

    // b reads its own copy when a tells it: the limit moves to 300 and /pay is counted from `route`.
    const after = await until('the new limits on the other node', async () => {
      const v = await get<Capacity>(b, '/api/v1/services/checkout/capacity?weeks=1');
      return v.body.limits[0]?.limit === 300 ? v.body : undefined;
    }, 10_000);
    expect(after.limits).toHaveLength(1);
    expect(after.limits[0].peak).toBeGreaterThan(0);

    const deploy = await fetch(`${b.url}/api/v1/deploys`, { method: 'POST', headers: auth, body: JSON.stringify({ service: 'checkout', build: 'b-42' }) });
    expect(deploy.status).toBe(201);
    expect(((await deploy.json()) as { window_seconds: number }).window_seconds).toBe(1800);

    // Into a folder of b's own: each node's folder holds the events it received.
    expect((await get<Backups>(b, '/api/v1/backups')).body.schedule).toMatchObject({ schedule: '0 3 * * *', dest: '/var/backups/tend-reload-test/reload-b', keep: 3 });

    // Single sign-on is configured now: its provider (nothing listens there) is asked, and fails.
    const login = await get<{ error: string }>(b, '/api/v1/auth/oidc/login');
    expect(login.status).toBe(502);
    expect(login.body.error).toContain('http://127.0.0.1:1/');
    expect((await get<{ oidc: boolean }>(b, '/api/v1/ui/settings')).body.oidc).toBe(true);
  });
});

describe('an SLO evaluated by one node', () => {
  it('shows the same latest evaluation on every node', async () => {
    type Detailed = { id: string; compliance?: number; budget_remaining?: number };
    const statusOn = async (n: Node) => {
      const slo = (await get<{ id: string; evaluated_at: string | null; compliance: number | null; error: string | null }>(n, '/api/v1/slos/pay-latency')).body;
      const honeycomb = (await get<Detailed>(n, `/1/slos/checkout/${slo.id}?detailed=true`)).body;
      return { slo, honeycomb };
    };
    // One node holds slos.evaluation; rounds every 10 s. Both answer from the stored evaluation.
    const [onA, onB] = await until('an evaluation shown alike on both nodes', async () => {
      const both = await Promise.all(nodes.map(statusOn));
      return both.every((x) => x.slo.evaluated_at !== null) && JSON.stringify(both[0]) === JSON.stringify(both[1]) ? both : undefined;
    }, 30_000);
    expect(onA.slo.error).toBeNull();
    expect(onB.honeycomb.compliance).toEqual(expect.any(Number));
    expect(onB.honeycomb.budget_remaining).toEqual(expect.any(Number));
  }, 40_000);
});

describe('an alert pushed to one node and then to the other', () => {
  it('is one alert, notified once as it fires and once as it resolves', async () => {
    const [a, b] = nodes;
    const ingest = { authorization: `Bearer ${KEYS.TEND_INGEST_KEY}`, 'content-type': 'application/json' };
    const alert = [{ labels: { alertname: 'PushedTwice', instance: 'db-1' }, annotations: { summary: 'disk full' } }];
    const push = (n: Node) => fetch(`${n.url}/api/v2/alerts`, { method: 'POST', headers: ingest, body: JSON.stringify(alert) });
    const told = () => receiver.got.filter((r) => JSON.parse(r.body).alerts[0]?.labels.alertname === 'PushedTwice');
    expect((await push(a)).status).toBe(200);
    await until('the firing notification', async () => (told().length ? true : undefined));
    // b holds it, as a saw it: listed there within a second.
    type Listed = { fingerprint: string; status: { state: string } }[];
    const onB = await until('the alert on the other node', async () => {
      const list = (await get<Listed>(b, '/api/v2/alerts?filter=alertname%3D%22PushedTwice%22')).body;
      return list.length ? list : undefined;
    }, 1000);
    const onA = (await get<Listed>(a, '/api/v2/alerts?filter=alertname%3D%22PushedTwice%22')).body;
    expect(onB).toEqual(onA);
    // Prometheus' next push reaches b (through a load balancer): a refresh, nothing new to tell.
    expect((await push(b)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 2500));
    expect(told().map((r) => JSON.parse(r.body).status)).toEqual(['firing']);
    // Its resolution pushed to b, which did not tell it fired: told once, by b.
    const resolved = [{ ...alert[0], endsAt: new Date(Date.now() - 1000).toISOString() }];
    expect((await fetch(`${b.url}/api/v2/alerts`, { method: 'POST', headers: ingest, body: JSON.stringify(resolved) })).status).toBe(200);
    await until('the resolution told', async () => (told().length === 2 ? true : undefined));
    await new Promise((r) => setTimeout(r, 2500));
    expect(told().map((r) => JSON.parse(r.body).status)).toEqual(['firing', 'resolved']);
  }, 30_000);
});
