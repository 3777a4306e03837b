// Check alerts: a check going down fires an alert named after it with the check's labels and
// resolves when it is up again; a maintenance window keeps it quiet; a late heartbeat fires.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startAlertsTend, startReceiver, type AlertsTend, type Receiver } from './support/alerts.js';
import { until } from './support/until.js';

let t: AlertsTend;
let hook: Receiver;
let server: net.Server | undefined;
let port = 0;

const listen = () =>
  new Promise<void>((r) => {
    server = net.createServer((s) => s.end()).listen(port, '127.0.0.1', () => {
      port = (server!.address() as net.AddressInfo).port;
      r();
    });
  });
const shut = () => new Promise<void>((r) => (server ? server.close(() => r()) : r()));

beforeAll(async () => {
  hook = await startReceiver();
  await listen();
  const later = new Date(Date.now() + 3_600_000).toISOString();
  const earlier = new Date(Date.now() - 60_000).toISOString();
  t = await startAlertsTend(`
alerting:
  receivers: [{ name: ops, webhook: { url: "${hook.url}/" } }]
  route: { receiver: ops, group_by: [alertname], group_wait: 0s, group_interval: 100ms }
checks:
  - { name: db-port, kind: tcp, host: 127.0.0.1, port: ${port}, interval: 1h, labels: { service: db, severity: critical } }
  - { name: quiet-port, kind: tcp, host: 127.0.0.1, port: 9, interval: 1h, maintenance: [{ from: "${earlier}", to: "${later}" }] }
  - { name: nightly-job, kind: heartbeat, period: 1s, grace: 1s, uuid: 0f2c6a9e-1d2b-4c3d-8e4f-5a6b7c8d9e0f, labels: { team: data } }
`);
}, 30_000);

afterAll(async () => {
  await t?.close();
  await hook?.close();
  await shut();
});

const checkAlerts = async () => (await api(t, t.adminKey, 'GET', '/api/v1/alerts?source=check')).body.alerts as { labels: Record<string, string>; state: string; fingerprint: string }[];
/** What a timed-out wait shows: every check's state and last result, and the check alerts. */
const checksAndAlerts = async () => ({
  checks: (await api(t, t.adminKey, 'GET', '/api/v1/checks')).body.checks.map((c: { name: string; state: string; last_result?: unknown }) => [c.name, c.state, c.last_result]),
  alerts: await checkAlerts(),
});

describe('check alerts', () => {
  it('fires when a check goes down and resolves when it is up again, notifying both', async () => {
    await api(t, t.adminKey, 'POST', '/api/v1/checks/db-port/run');
    expect((await checkAlerts()).filter((a) => a.labels.alertname === 'db-port')).toHaveLength(0); // up: nothing
    await shut();
    await api(t, t.adminKey, 'POST', '/api/v1/checks/db-port/run');
    await until('db-port firing', async () => (await checkAlerts()).some((a) => a.labels.alertname === 'db-port' && a.state === 'firing'), 8000, checksAndAlerts);
    const a = (await checkAlerts()).find((x) => x.labels.alertname === 'db-port')!;
    expect(a.labels).toEqual({ alertname: 'db-port', source: 'check', check_kind: 'tcp', environment: 'production', service: 'db', severity: 'critical' });
    // Told it fired before it comes back (an alert resolved within group_wait is never told, as in Alertmanager).
    await until('db-port told', () => hook.got.some((r) => r.body.includes('"db-port"')), 8000, checksAndAlerts);
    await listen();
    await api(t, t.adminKey, 'POST', '/api/v1/checks/db-port/run');
    await until('db-port resolved', async () => (await checkAlerts()).find((x) => x.labels.alertname === 'db-port')?.state === 'resolved', 8000, checksAndAlerts);
    await until('db-port resolution told', () => hook.got.filter((r) => r.body.includes('"db-port"')).length >= 2, 8000, checksAndAlerts);
    const statuses = hook.got.filter((r) => r.body.includes('"db-port"')).map((r) => JSON.parse(r.body).status);
    expect(statuses).toEqual(['firing', 'resolved']);
  });

  it('raises nothing for a check in a maintenance window', async () => {
    const run = await api(t, t.adminKey, 'POST', '/api/v1/checks/quiet-port/run');
    expect(run.body.ok).toBe(false);
    await new Promise((r) => setTimeout(r, 300));
    expect((await checkAlerts()).filter((a) => a.labels.alertname === 'quiet-port')).toEqual([]);
  });

  it('fires when a heartbeat is late', async () => {
    // A heartbeat is watched from its first ping; one second later plus a second of grace it is late.
    await fetch(`${t.url}/ping/0f2c6a9e-1d2b-4c3d-8e4f-5a6b7c8d9e0f`);
    await until('nightly-job firing', async () => (await checkAlerts()).some((a) => a.labels.alertname === 'nightly-job' && a.state === 'firing'), 10_000, checksAndAlerts);
    const a = (await checkAlerts()).find((x) => x.labels.alertname === 'nightly-job')!;
    expect(a.labels).toEqual({ alertname: 'nightly-job', source: 'check', check_kind: 'heartbeat', environment: 'production', team: 'data' });
    // A ping brings it up: the alert resolves.
    await fetch(`${t.url}/ping/0f2c6a9e-1d2b-4c3d-8e4f-5a6b7c8d9e0f`);
    await until('nightly-job resolved', async () => (await checkAlerts()).find((x) => x.labels.alertname === 'nightly-job')?.state === 'resolved', 8000, checksAndAlerts);
  });
});
