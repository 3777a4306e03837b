// A real Prometheus (Debian's 2.42) scrapes a local target and evaluates an alerting rule;
// its alerts go to Tend's Alertmanager API (only the URL and an ingest key changed). The rule
// fires, Tend records and notifies it; the metric drops, Prometheus resolves it, Tend too.
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startAlertsTend, startReceiver, type AlertsTend, type Receiver } from './support/alerts.js';
import { until } from './support/until.js';

let t: AlertsTend;
let hook: Receiver;
let target: http.Server;
let prometheus: ChildProcess;
let depth = 10;
let promLog = '';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  hook = await startReceiver();
  t = await startAlertsTend(`
alerting:
  receivers: [{ name: ops, webhook: { url: "${hook.url}/" } }]
  route: { receiver: ops, group_by: [alertname], group_wait: 0s, group_interval: 200ms }
`);
  target = http.createServer((_, res) => res.end(`# TYPE queue_depth gauge\nqueue_depth{queue="mail"} ${depth}\n`));
  await new Promise<void>((r) => target.listen(0, '127.0.0.1', () => r()));
  const targetPort = (target.address() as net.AddressInfo).port;
  const dir = path.join(t.dataDir, 'prometheus');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(dir, 'rules.yml'), `groups:
  - name: tend
    interval: 1s
    rules:
      - alert: QueueBacklog
        expr: queue_depth > 5
        labels: { severity: warning }
        annotations: { summary: "queue {{ $labels.queue }} holds {{ $value }} messages" }
`);
  const tendHost = new URL(t.url).host;
  fs.writeFileSync(path.join(dir, 'prometheus.yml'), `global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [rules.yml]
scrape_configs:
  - job_name: app
    static_configs: [{ targets: ["127.0.0.1:${targetPort}"] }]
alerting:
  alertmanagers:
    - api_version: v2
      authorization: { credentials: "${t.ingestKey}" }
      static_configs: [{ targets: ["${tendHost}"] }]
`);
  const port = await freePort();
  prometheus = spawn('prometheus', [
    `--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`,
    '--rules.alert.resend-delay=1s', '--log.level=warn',
  ], { stdio: ['ignore', 'pipe', 'pipe'] });
  prometheus.stderr!.on('data', (c: Buffer) => (promLog += c.toString()));
}, 30_000);

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    prometheus.kill('SIGKILL');
    await new Promise((r) => prometheus.once('exit', r));
  }
  await t?.close();
  await hook?.close();
  await new Promise((r) => target?.close(r));
});

/** What a timed-out wait shows: the end of Prometheus' log. */
const prometheusSaid = () => promLog.slice(-2000);

describe('Prometheus against Tend', () => {
  it('pushes a firing alert from a rule, then its resolution', async () => {
    const firing = async () => (await api(t, t.adminKey, 'GET', '/api/v1/alerts?source=alertmanager&state=firing')).body.alerts;
    await until('the alert firing in Tend', async () => (await firing()).length === 1, 30_000, prometheusSaid);
    const [a] = await firing();
    expect(a.labels).toEqual({ alertname: 'QueueBacklog', severity: 'warning', queue: 'mail', instance: expect.stringMatching(/^127\.0\.0\.1:\d+$/), job: 'app' });
    expect(a.annotations.summary).toBe('queue mail holds 10 messages');
    expect(a.generator_url).toMatch(/^http:\/\/.*\/graph\?g0\.expr=/);
    await until('the firing notification', () => hook.got.length >= 1, 10_000, prometheusSaid);
    expect(JSON.parse(hook.got[0].body)).toMatchObject({ status: 'firing', alerts: [{ labels: { alertname: 'QueueBacklog', queue: 'mail' } }] });

    depth = 0;
    await until('the alert resolved', async () => (await api(t, t.adminKey, 'GET', `/api/v1/alerts/${a.fingerprint}`)).body.state === 'resolved', 30_000, prometheusSaid);
    await until('the resolved notification', () => hook.got.some((r) => JSON.parse(r.body).status === 'resolved'), 10_000, prometheusSaid);
  }, 90_000);
});
