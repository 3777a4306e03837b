// Four `tend serve` processes on one PostgreSQL: the checks and the triggers run on one node at
// a time and move to another when their owner is killed with kill -9, every result names its
// node, GET /api/v1/cluster says who owns what, a key revoked, a silence, a trigger or a check
// made and a heartbeat ping received through one node count on the others within a second
// (LISTEN/NOTIFY), and a reload re-applies all of tend.yaml on every node. The nodes run from
// source (tsx), so no build is needed.
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ClusterNode } from '../src/cluster/index.js';
import { startReceiver, type Receiver } from './support/alerts.js';
import { startPostgres, type PgCluster } from './support/postgres.js';
import { spawnTend, tempDataDir, type ChildTend } from './support/tend.js';
import { until } from './support/until.js';

const KEYS = { TEND_ADMIN_KEY: 'admin-key-of-the-cluster', TEND_INGEST_KEY: 'ingest-key-of-the-cluster', TEND_ADMIN_PASSWORD: 'correct horse battery staple 42' };
const auth = { authorization: `Bearer ${KEYS.TEND_ADMIN_KEY}`, 'content-type': 'application/json' };

let pg: PgCluster;
let yaml = '';
/** The webhook receiver: answers the Pending* alerts 503 until `receiverUp`, keeps the requests it answered 2xx. */
let receiver: Receiver;
let receiverUp = false;
/** Idempotency keys of the test's alerts' notifications, refused ones included (checks notify too). */
const attempted: string[] = [];
const alertname = (body: string): string => JSON.parse(body).alerts[0].labels.alertname;
const ours = (body: string) => /^Pending/.test(alertname(body));
/** Notifications delivered that tell `name` fires, by idempotency key. */
const told = (name: string, status: 'firing' | 'resolved') =>
  receiver.got.filter((r) => alertname(r.body) === name && JSON.parse(r.body).status === status).map((r) => String(r.headers['idempotency-key']));
const firingTold = (name: string) => told(name, 'firing');
const HEARTBEAT = '6f0e3b0c-8a52-4a8e-9a57-1f1d2b3c4d5e';
let target: http.Server;
/** When the check's target was probed (ms), by any node. */
const hits: number[] = [];
/** The target answers 500 (the check goes down) while false. */
let targetUp = true;
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

beforeAll(async () => {
  pg = await startPostgres();
  target = http.createServer((_req, res) => {
    hits.push(Date.now());
    res.statusCode = targetUp ? 200 : 500;
    res.end(targetUp ? 'ok' : 'down');
  });
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
  const { port } = target.address() as { port: number };
  receiver = await startReceiver();
  receiver.status = (req) => {
    if (ours(req.body)) attempted.push(String(req.headers['idempotency-key']));
    return receiverUp || !ours(req.body) ? 200 : 503;
  };
  yaml = `environment: production
alerting:
  receivers: [{ name: hook, webhook: { url: "${receiver.url}/" } }]
  route: { receiver: hook, group_by: [alertname], group_wait: 0s, group_interval: 1s }
checks:
  - name: probe
    kind: http
    url: http://127.0.0.1:${port}/
    interval: 1s
    timeout: 2s
  - name: nightly
    kind: heartbeat
    uuid: ${HEARTBEAT}
    period: 1h
    grace: 1h
`;
  await Promise.all(['node-a', 'node-b', 'node-c', 'node-d'].map((id) => startNode(id, yaml)));
}, 90_000);

afterAll(async () => {
  await Promise.all([...nodes.values()].map((n) => n.stop()));
  target?.close();
  await receiver?.close();
  await pg?.stop();
});

describe('four nodes on one PostgreSQL', () => {
  it('run each check on one node, and move the checks within 15 s when their owner stops', async () => {
    const any = nodes.get('node-a')!;
    const view = await until('three live nodes', async () => {
      const v = await clusterView(any);
      return v.filter((n) => n.alive).length === 4 ? v : undefined;
    });
    const owners = view.filter((n) => n.owns.includes('checks.scheduler')).map((n) => n.id);
    expect(owners).toHaveLength(1);
    expect(view.every((n) => n.config_differs === false)).toBe(true);

    // One node probes: about one hit a second, not three.
    const from = hits.length;
    await new Promise((r) => setTimeout(r, 4000));
    expect(hits.length - from).toBeGreaterThanOrEqual(2);
    expect(hits.length - from).toBeLessThanOrEqual(6);

    // The check goes down on its owner, which raises its alert; then the owner dies.
    targetUp = false;
    await until('the check alert told', async () => (firingTold('probe').length ? true : undefined));
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

    // Back up on the new owner: the alert the dead owner raised resolves, each told once.
    targetUp = true;
    await until('the check alert resolved', async () => (told('probe', 'resolved').length ? true : undefined));
    await new Promise((r) => setTimeout(r, 1000));
    expect([firingTold('probe').length, told('probe', 'resolved').length]).toEqual([1, 1]);
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

  it('reload all of tend.yaml on every node within a second, and show the node whose file differs', async () => {
    const [x, y, z] = [...nodes.values()];
    const readAt = async (n: Node) => (await clusterView(x)).find((v) => v.id === n.id)!;
    // Every part the file declares changes: a receiver, a check, a trigger, an SLO, a team and its service, retention.
    const next = `${yaml.replace('receivers: [', `receivers: [{ name: second, webhook: { url: "${receiver.url}/second" } }, `)}  - name: probe-two
    kind: http
    url: http://127.0.0.1:1/
    interval: 1h
triggers:
  - { name: reloaded-trigger, dataset: reloaded, query: { calculations: [{ op: COUNT }] }, threshold: { op: ">", value: 1000000 }, frequency: 60 }
slos:
  - { name: reloaded-slo, dataset: reloaded, sli: 'LT($duration_ms, 300)', target: 99, period_days: 30 }
teams:
  - { name: reloaders }
services:
  - { name: reloaded-service, owner: reloaders }
retention: { default: 30d }
`;
    fs.writeFileSync(x.configFile, next);
    const asked = Date.now();
    const res = await fetch(`${x.url}/api/v1/config/reload`, { method: 'POST', headers: auth });
    expect(res.status).toBe(200);
    const { config_hash, applied } = (await res.json()) as { config_hash: string; applied: string[] };
    expect(applied).toEqual(['retention', 'auth.oidc', 'alerting', 'triggers', 'slos', 'ownership', 'datasets', 'capacity', 'deploys', 'checks', 'backups']);
    // The second counts from x's answer: by then x has applied the file and told the others
    // (from the request, x's own reload of every part would count too; 1.1 s seen on a loaded machine).
    const answered = Date.now();
    // y read its own file again, told through PostgreSQL; that file is not the cluster's now.
    const seen = await until('the reload on the other node', async () => {
      const v = await readAt(y);
      return Date.parse(v.config_read_at) >= asked ? v : undefined;
    }, 1000);
    expect(Date.parse(seen.config_read_at) - answered).toBeLessThan(1000);
    expect(seen.config_differs).toBe(true);
    expect(await readAt(x)).toMatchObject({ config_hash, config_differs: false });

    // The same file deployed everywhere, and SIGHUP on y: one file again, all of it applied on a third node.
    for (const n of [y, z]) fs.copyFileSync(x.configFile, n.configFile);
    y.child.kill('SIGHUP');
    await until('one file on every node', async () => ((await clusterView(x)).every((n) => !n.alive || !n.config_differs) ? true : undefined));
    const get = (path: string) => fetch(`${z.url}${path}`, { headers: auth }).then((r) => r.json());
    const checks = (await get('/api/v1/checks')) as { checks: { name: string }[] };
    expect(checks.checks.map((c) => c.name).sort()).toEqual(['nightly', 'probe', 'probe-two']);
    const triggers = (await get('/api/v1/triggers')) as { triggers: { name: string }[] };
    expect(triggers.triggers.map((t) => t.name)).toEqual(['reloaded-trigger']);
    expect(((await get('/1/slos/reloaded')) as { name: string }[]).map((o) => o.name)).toEqual(['reloaded-slo']);
    expect(((await get('/api/v1/services')) as { services: { name: string }[] }).services.map((o) => o.name)).toEqual(['reloaded-service']);
    expect(JSON.parse(((await get('/api/v2/status')) as { config: { original: string } }).config.original).receivers).toEqual(['second', 'hook']);
    expect(((await get('/api/v1/datasets')) as { default_retention_days: number }).default_retention_days).toBe(30);
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

  it('share silences, triggers and heartbeat pings made or received through one node with every other within a second', async () => {
    const [x, y, z] = [...nodes.values()];
    // A silence made through x mutes on y, where the alert is pushed (and notified from).
    const made = await fetch(`${x.url}/api/v2/silences`, {
      method: 'POST', headers: auth,
      body: JSON.stringify({ matchers: [{ name: 'alertname', value: 'Silenced', isRegex: false }], startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(), createdBy: 'test', comment: 'cluster' }),
    });
    expect(made.status).toBe(200);
    const { silenceID } = (await made.json()) as { silenceID: string };
    const madeAt = Date.now();
    const silencesOn = async (n: Node) => ((await fetch(`${n.url}/api/v2/silences`, { headers: auth }).then((r) => r.json())) as { id: string }[]).map((o) => o.id);
    await until('the silence on y', async () => ((await silencesOn(y)).includes(silenceID) ? true : undefined), 1000);
    expect(Date.now() - madeAt).toBeLessThan(1000);
    const ingest = { authorization: `Bearer ${KEYS.TEND_INGEST_KEY}`, 'content-type': 'application/json' };
    expect((await fetch(`${y.url}/api/v2/alerts`, { method: 'POST', headers: ingest, body: JSON.stringify([{ labels: { alertname: 'Silenced' } }]) })).status).toBe(200);
    const listed = (await fetch(`${y.url}/api/v2/alerts?filter=${encodeURIComponent('alertname="Silenced"')}`, { headers: auth }).then((r) => r.json())) as { status: { state: string; silencedBy: string[] } }[];
    expect(listed.map((a) => a.status)).toEqual([{ state: 'suppressed', silencedBy: [silenceID], inhibitedBy: [] }]);

    // A trigger made through one node is listed by the others (and evaluated by its owner: the next test).
    const trigger = await fetch(`${z.url}/1/triggers/shared`, {
      method: 'POST', headers: auth,
      body: JSON.stringify({ name: 'shared-trigger', query: { calculations: [{ op: 'COUNT' }] }, threshold: { op: '>', value: 1_000_000 }, frequency: 60 }),
    });
    expect(trigger.status).toBe(201);
    const triggerAt = Date.now();
    const triggersOn = async (n: Node) => ((await fetch(`${n.url}/api/v1/triggers`, { headers: auth }).then((r) => r.json())) as { triggers: { name: string }[] }).triggers.map((t) => t.name);
    await until('the trigger on x', async () => ((await triggersOn(x)).includes('shared-trigger') ? true : undefined), 1000);
    expect(Date.now() - triggerAt).toBeLessThan(1000);

    // A ping received by any node counts on every node, the checks' owner among them.
    const owner = (await clusterView(x)).find((n) => n.owns.includes('checks.scheduler'))!.id;
    const pinged = [...nodes.values()].find((n) => n.id !== owner)!;
    expect((await fetch(`${pinged.url}/ping/${HEARTBEAT}`)).status).toBe(200);
    const pingAt = Date.now();
    const heartbeatOn = async (n: Node) => (await fetch(`${n.url}/api/v1/checks/nightly`, { headers: auth }).then((r) => r.json())) as { state: string; heartbeat: { last_ping_at?: string } };
    const seen = await until('the ping on the owner', async () => {
      const h = await heartbeatOn(nodes.get(owner)!);
      return h.heartbeat.last_ping_at ? h : undefined;
    }, 1000);
    expect(Date.now() - pingAt).toBeLessThan(1000);
    expect(seen.state).toBe('up');
    expect(Math.abs(Date.parse(seen.heartbeat.last_ping_at!) - pingAt)).toBeLessThan(1000);
  });

  it('evaluate triggers on a new owner within 15 s when theirs is killed with kill -9, notifying each alert once', async () => {
    const ingest = { authorization: `Bearer ${KEYS.TEND_INGEST_KEY}`, 'content-type': 'application/json' };
    // Each trigger fires once its dataset has a slow event. The nodes keep events in their own
    // data folders here (no ClickHouse): each event goes to every node, as a shared store would have it.
    const send = async (dataset: string, ms: number) => {
      for (const n of nodes.values()) {
        const res = await fetch(`${n.url}/1/events/${dataset}`, { method: 'POST', headers: { ...ingest, 'x-honeycomb-event-time': new Date().toISOString() }, body: JSON.stringify({ duration_ms: ms }) });
        expect(res.status).toBe(202);
      }
    };
    const query = { calculations: [{ op: 'COUNT' }], filters: [{ column: 'duration_ms', op: '>', value: 100 }], time_range: 900 };
    const made: Record<string, string> = {};
    const make = async (n: Node, name: string, dataset: string) => {
      const res = await fetch(`${n.url}/1/triggers/${dataset}`, { method: 'POST', headers: auth, body: JSON.stringify({ name, query, threshold: { op: '>', value: 0 }, frequency: 15 }) });
      made[name] = ((await res.json()) as { id: string }).id;
      return res.status;
    };
    const view = await clusterView([...nodes.values()][0]);
    const ownerId = view.find((n) => n.owns.includes('alerts.triggers'))!.id;
    const owner = nodes.get(ownerId)!;
    const other = [...nodes.values()].find((n) => n.id !== ownerId)!;
    // Made through a node that does not evaluate them.
    await send('before-kill', 500);
    await send('at-kill', 5);
    expect(await make(other, 'FiredBeforeKill', 'before-kill')).toBe(201);
    expect(await make(other, 'DueAtKill', 'at-kill')).toBe(201);
    await until('the first trigger notified', async () => (firingTold('FiredBeforeKill').length ? true : undefined), 30_000);

    // Its condition holds now, and the node evaluating it dies before it is evaluated again.
    await send('at-kill', 500);
    await owner.stop('SIGKILL');
    nodes.delete(ownerId);
    const killedAt = Date.now();
    const survivor = [...nodes.values()][0];
    const runsBy = async (on: Node) => {
      const res = await fetch(`${on.url}/api/v1/query/tend.trigger_runs`, {
        method: 'POST', headers: auth,
        body: JSON.stringify({ time_range: 600, calculations: [{ op: 'COUNT' }], breakdowns: ['tend.node', 'trigger.name'] }),
      });
      expect(res.status).toBe(200);
      return ((await res.json()) as { data: { results: { data: Record<string, string> }[] } }).data.results.map((r) => `${r.data['tend.node']} ${r.data['trigger.name']}`);
    };
    const newOwner = await until('another owner', async () => (await clusterView(survivor)).find((n) => n.owns.includes('alerts.triggers') && n.id !== ownerId)?.id);
    await until('both triggers evaluated by the new owner', async () => {
      const runs = await runsBy(nodes.get(newOwner)!);
      return runs.includes(`${newOwner} DueAtKill`) && runs.includes(`${newOwner} FiredBeforeKill`) ? true : undefined;
    }, 20_000);
    expect(Date.now() - killedAt).toBeLessThan(15_000);
    await until('the second trigger notified', async () => (firingTold('DueAtKill').length ? true : undefined), 5000);
    await new Promise((r) => setTimeout(r, 1000)); // a late second notification would show now
    // Each alert told once: the new owner took the one the dead owner had raised as told.
    expect(firingTold('FiredBeforeKill')).toHaveLength(1);
    expect(firingTold('DueAtKill')).toHaveLength(1);

    // Deleted through a node that does not evaluate it: the one that does resolves its alert, once.
    const deleter = [...nodes.values()].find((n) => n.id !== newOwner)!;
    expect((await fetch(`${deleter.url}/1/triggers/at-kill/${made.DueAtKill}`, { method: 'DELETE', headers: auth })).status).toBe(204);
    await until('the resolution told', async () => (told('DueAtKill', 'resolved').length ? true : undefined), 5000);
    await new Promise((r) => setTimeout(r, 1000));
    expect(told('DueAtKill', 'resolved')).toHaveLength(1);
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
