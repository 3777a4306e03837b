// Three `tend serve` processes on one PostgreSQL: the checks run on one node at a time, move to
// another when their owner is killed with kill -9, every result names its node, GET
// /api/v1/cluster says who owns what, and a key revoked through one node stops working on the
// others at once (LISTEN/NOTIFY). The nodes run from source (tsx), so no build is needed.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterNode } from '../src/cluster/index.js';
import { startReceiver, type Receiver } from './support/alerts.js';
import { startPostgres, type PgCluster } from './support/postgres.js';
import { spawnTend, tempDataDir, type ChildTend } from './support/tend.js';

const KEYS = { TEND_ADMIN_KEY: 'admin-key-of-the-cluster', TEND_INGEST_KEY: 'ingest-key-of-the-cluster', TEND_ADMIN_PASSWORD: 'correct horse battery staple 42' };
const auth = { authorization: `Bearer ${KEYS.TEND_ADMIN_KEY}`, 'content-type': 'application/json' };

let pg: PgCluster;
let yaml = '';
/** The webhook receiver: answers 503 until `receiverUp`, keeps the requests it answered 2xx. */
let receiver: Receiver;
let receiverUp = false;
/** Idempotency keys of the test's alerts' notifications, refused ones included (checks notify too). */
const attempted: string[] = [];
const ours = (body: string) => /^Pending/.test(JSON.parse(body).alerts[0].labels.alertname);
let target: http.Server;
/** When the check's target was probed (ms), by any node. */
const hits: number[] = [];
type Node = ChildTend & { id: string; configFile: string };
const nodes = new Map<string, Node>();

/** Each node reads its own copy of tend.yaml, deployed alike (until a test changes one). */
async function startNode(id: string, yaml: string): Promise<Node> {
  const configFile = path.join(tempDataDir(`cluster-config-${id}`), 'tend.yaml');
  fs.writeFileSync(configFile, yaml);
  const env = { ...KEYS, TEND_NODE_ID: id, TEND_ALERT_RETRY_BASE_MS: '200' };
  const child = await spawnTend(tempDataDir(`cluster-${id}`), 0, env, ['--grpc-port', 'off', '--meta', pg.url('cluster'), '--config', configFile], { fromSource: true });
  const node = Object.assign(child, { id, configFile });
  nodes.set(id, node);
  return node;
}

async function clusterView(via: Node): Promise<ClusterNode[]> {
  const res = await fetch(`${via.url}/api/v1/cluster`, { headers: auth });
  expect(res.status).toBe(200);
  return ((await res.json()) as { nodes: ClusterNode[] }).nodes;
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

beforeAll(async () => {
  pg = await startPostgres();
  target = http.createServer((_req, res) => {
    hits.push(Date.now());
    res.end('ok');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const { port } = target.address() as { port: number };
  receiver = await startReceiver();
  receiver.status = (req) => {
    if (ours(req.body)) attempted.push(String(req.headers['idempotency-key']));
    return receiverUp ? 200 : 503;
  };
  yaml = `environment: production
alerting:
  receivers: [{ name: hook, webhook: { url: "${receiver.url}/" } }]
  route: { receiver: hook, group_by: [alertname], group_wait: 0s }
checks:
  - name: probe
    kind: http
    url: http://127.0.0.1:${port}/
    interval: 1s
    timeout: 2s
`;
  await Promise.all(['node-a', 'node-b', 'node-c'].map((id) => startNode(id, yaml)));
}, 90_000);

afterAll(async () => {
  await Promise.all([...nodes.values()].map((n) => n.stop()));
  target?.close();
  await receiver?.close();
  await pg?.stop();
});

describe('three nodes on one PostgreSQL', () => {
  it('run each check on one node, and move the checks within 15 s when their owner stops', async () => {
    const any = nodes.get('node-a')!;
    const view = await until('three live nodes', async () => {
      const v = await clusterView(any);
      return v.filter((n) => n.alive).length === 3 ? v : undefined;
    });
    const owners = view.filter((n) => n.owns.includes('checks.scheduler')).map((n) => n.id);
    expect(owners).toHaveLength(1);
    expect(view.every((n) => n.config_differs === false)).toBe(true);

    // One node probes: about one hit a second, not three.
    const from = hits.length;
    await new Promise((r) => setTimeout(r, 4000));
    expect(hits.length - from).toBeGreaterThanOrEqual(2);
    expect(hits.length - from).toBeLessThanOrEqual(6);

    const owner = nodes.get(owners[0])!;
    nodes.delete(owners[0]);
    await owner.stop('SIGKILL');
    const stoppedAt = Date.now();
    const survivor = [...nodes.values()][0];
    const next = await until('another owner', async () => {
      const v = await clusterView(survivor);
      const o = v.find((n) => n.owns.includes('checks.scheduler') && n.id !== owners[0]);
      return o?.id;
    });
    const resumed = await until('a probe from the new owner', async () => hits.find((t) => t > stoppedAt + 500));
    expect(resumed - stoppedAt).toBeLessThan(15_000);
    // No period without a run beyond that window: the longest gap between probes, before and after.
    const gaps = hits.slice(1).map((t, i) => t - hits[i]);
    expect(Math.max(...gaps)).toBeLessThan(16_000);

    // The new owner's results carry its name.
    const tend = nodes.get(next)!;
    const ranBy = await until('results of the new owner', async () => {
      const res = await fetch(`${tend.url}/api/v1/query/tend.checks`, {
        method: 'POST', headers: auth,
        body: JSON.stringify({ time_range: 600, calculations: [{ op: 'COUNT' }], breakdowns: ['tend.node'] }),
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { data: { results: { data: { 'tend.node': string } }[] } };
      const names = body.data.results.map((r) => r.data['tend.node']);
      return names.length ? names : undefined;
    });
    expect(ranBy).toEqual([next]);
  });

  it('stops a key revoked through one node on every other node at once', async () => {
    const [a, b] = [...nodes.values()];
    const made = await fetch(`${a.url}/api/v1/keys`, { method: 'POST', headers: auth, body: JSON.stringify({ kind: 'read', name: 'short-lived' }) });
    const key = (await made.json()) as { key: string; id: string };
    const read = () => fetch(`${b.url}/api/v1/keys`, { headers: { authorization: `Bearer ${key.key}` } }).then((r) => r.status);
    expect(await read()).not.toBe(401); // now in node b's cache
    expect((await fetch(`${a.url}/api/v1/keys/${key.id}`, { method: 'DELETE', headers: auth })).status).toBe(200);
    const revokedAt = Date.now();
    await until('the revocation on node b', async () => ((await read()) === 401 ? true : undefined), 1000);
    expect(Date.now() - revokedAt).toBeLessThan(1000);
  });

  it('reload tend.yaml on every node within a second, and show the node whose file differs', async () => {
    const [x, y] = [...nodes.values()];
    const readAt = async (n: Node) => (await clusterView(x)).find((v) => v.id === n.id)!;
    fs.writeFileSync(x.configFile, `${yaml}  - name: probe-two\n    kind: http\n    url: http://127.0.0.1:1/\n    interval: 1h\n`);
    const asked = Date.now();
    const res = await fetch(`${x.url}/api/v1/config/reload`, { method: 'POST', headers: auth });
    expect(res.status).toBe(200);
    const { config_hash } = (await res.json()) as { config_hash: string };
    // y read its own file again, told through PostgreSQL; that file is not the cluster's now.
    const seen = await until('the reload on the other node', async () => {
      const v = await readAt(y);
      return Date.parse(v.config_read_at) >= asked ? v : undefined;
    }, 1000);
    expect(Date.parse(seen.config_read_at) - asked).toBeLessThan(1000);
    expect(seen.config_differs).toBe(true);
    expect(await readAt(x)).toMatchObject({ config_hash, config_differs: false });

    // The same file deployed to y, and SIGHUP there: one file again, and its checks on every node.
    fs.copyFileSync(x.configFile, y.configFile);
    y.child.kill('SIGHUP');
    await until('one file on every node', async () => ((await clusterView(x)).every((n) => !n.alive || !n.config_differs) ? true : undefined));
    const names = await fetch(`${x.url}/api/v1/checks`, { headers: auth }).then((r) => r.json() as Promise<{ checks: { name: string }[] }>);
    expect(names.checks.map((c) => c.name).sort()).toEqual(['probe', 'probe-two']);
  });

  it('show a check made or deleted through one node on every node within a second', async () => {
    const [x, y] = [...nodes.values()];
    const namesOn = async (n: Node) => ((await fetch(`${n.url}/api/v1/checks`, { headers: auth }).then((r) => r.json())) as { checks: { name: string }[] }).checks.map((c) => c.name);
    const made = await fetch(`${x.url}/api/v1/checks`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'via-api', kind: 'tcp', host: '127.0.0.1', port: 1, interval: '1h' }) });
    expect(made.status).toBe(201);
    await until('the new check on the other node', async () => ((await namesOn(y)).includes('via-api') ? true : undefined), 1000);
    expect((await fetch(`${x.url}/api/v1/checks/via-api`, { method: 'DELETE', headers: auth })).status).toBe(200);
    await until('the deletion on the other node', async () => ((await namesOn(y)).includes('via-api') ? undefined : true), 1000);
  });

  it('deliver notifications pending when their node is killed, each once, with the key they had', async () => {
    const [x, y] = [...nodes.values()];
    const alerts = Array.from({ length: 5 }, (_, i) => ({ labels: { alertname: `Pending${i}` } }));
    const pushed = await fetch(`${x.url}/api/v2/alerts`, { method: 'POST', headers: { authorization: `Bearer ${KEYS.TEND_INGEST_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(alerts) });
    expect(pushed.status).toBe(200);
    await until('five notifications attempted', async () => (new Set(attempted).size >= 5 ? true : undefined));
    const keys = new Set(attempted);
    await x.stop('SIGKILL');
    nodes.delete(x.id);
    const killedAt = Date.now();
    receiverUp = true;
    const got = () => receiver.got.filter((r) => ours(r.body));
    await until('every notification delivered by the node left', async () => (got().length >= 5 ? true : undefined), 20_000);
    expect(Date.now() - killedAt).toBeLessThan(16_000);
    await new Promise((r) => setTimeout(r, 1000)); // a late second delivery would show now
    const delivered = got().map((r) => String(r.headers['idempotency-key']));
    expect(delivered).toHaveLength(5);
    expect(new Set(delivered)).toEqual(keys);
    expect(got().map((r) => JSON.parse(r.body).alerts[0].labels.alertname).sort()).toEqual(alerts.map((a) => a.labels.alertname));
    expect(y.id).not.toBe(x.id);
  });
});
