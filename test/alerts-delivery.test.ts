// Delivery you can trust: failed attempts are retried with backoff under the same
// Idempotency-Key, 4xx fail at once, a slow receiver holds back only itself, and
// notifications pending when Tend is killed with SIGKILL are delivered after the restart,
// once each, with the key they had before.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startAlertsTend, startReceiver, type AlertsTend, type Received, type Receiver } from './support/alerts.js';
import { spawnTend, tempDataDir } from './support/tend.js';
import { until } from './support/until.js';

/** Every request, the refused ones too (startReceiver keeps only the 2xx ones in `got`). */
function recordAll(r: Receiver, answer: (req: Received, n: number) => number): Received[] {
  const all: Received[] = [];
  r.status = (req) => {
    all.push(req);
    return answer(req, all.length);
  };
  return all;
}

describe('delivery', () => {
  let t: AlertsTend;
  let flaky: Receiver;
  let broken: Receiver;
  let slow: Receiver;
  let fast: Receiver;

  beforeAll(async () => {
    [flaky, broken, slow, fast] = await Promise.all([startReceiver(), startReceiver(), startReceiver(), startReceiver()]);
    t = await startAlertsTend(`
alerting:
  receivers:
    - { name: flaky, webhook: { url: "${flaky.url}/" } }
    - { name: broken, webhook: { url: "${broken.url}/" } }
    - { name: slow, webhook: { url: "${slow.url}/" } }
    - { name: fast, webhook: { url: "${fast.url}/" } }
  route:
    receiver: flaky
    group_wait: 0s
    routes:
      - { matchers: ['to="broken"'], receiver: broken }
      - { matchers: ['to="both"'], receiver: slow, continue: true }
      - { matchers: ['to="both"'], receiver: fast }
`);
  }, 30_000);

  afterAll(async () => {
    await t?.close();
    await Promise.all([flaky, broken, slow, fast].map((r) => r?.close()));
  });

  it('retries 5xx with backoff under one Idempotency-Key, and records every attempt', async () => {
    const all = recordAll(flaky, (_, n) => (n <= 2 ? 503 : 200));
    await api(t, t.ingestKey, 'POST', '/api/v2/alerts', [{ labels: { alertname: 'Flaky' } }]);
    await until('the flaky receiver answered once', () => flaky.got.length === 1, 10_000);
    expect(all).toHaveLength(3);
    expect(new Set(all.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    const fp = (await api(t, t.adminKey, 'GET', '/api/v1/alerts?filter=alertname%3D%22Flaky%22')).body.alerts[0].fingerprint;
    await until('the notification sent', async () => (await api(t, t.adminKey, 'GET', `/api/v1/alerts/${fp}`)).body.notifications[0]?.state === 'sent', 10_000);
    const n = (await api(t, t.adminKey, 'GET', `/api/v1/alerts/${fp}`)).body.notifications[0];
    expect(n).toMatchObject({ receiver: 'flaky', kind: 'webhook', state: 'sent', attempts: 3 });
    const events = await api(t, t.adminKey, 'POST', '/api/v1/query/tend.notifications', {
      time_range: 600, calculations: [{ op: 'COUNT' }], filters: [{ column: 'alert.fingerprint', op: '=', value: fp }], breakdowns: ['status', 'attempt', 'http.status_code'],
    });
    const rows = events.body.data.results.map((r: { data: Record<string, unknown> }) => `${r.data.attempt}:${r.data.status}:${r.data['http.status_code']}`).sort();
    expect(rows).toEqual(['1:retrying:503', '2:retrying:503', '3:sent:200']);
  });

  it('gives up at once on a 4xx other than 408 and 429', async () => {
    const all = recordAll(broken, () => 400);
    await api(t, t.ingestKey, 'POST', '/api/v2/alerts', [{ labels: { alertname: 'Broken', to: 'broken' } }]);
    const fp = (await api(t, t.adminKey, 'GET', '/api/v1/alerts?filter=alertname%3D%22Broken%22')).body.alerts[0].fingerprint;
    await until('the notification failed', async () => (await api(t, t.adminKey, 'GET', `/api/v1/alerts/${fp}`)).body.notifications[0]?.state === 'failed', 10_000);
    await new Promise((r) => setTimeout(r, 500));
    expect(all).toHaveLength(1);
    expect((await api(t, t.adminKey, 'GET', `/api/v1/alerts/${fp}`)).body.notifications[0]).toMatchObject({ attempts: 1, lastStatus: 400 });
  });

  it('does not let a slow receiver hold back another', async () => {
    slow.delayMs = 1500;
    const started = Date.now();
    await api(t, t.ingestKey, 'POST', '/api/v2/alerts', [{ labels: { alertname: 'Both', to: 'both' } }]);
    await until('the fast receiver told', () => fast.got.length === 1, 5000);
    expect(Date.now() - started).toBeLessThan(1500);
  });
});

describe('grouping across a restart', () => {
  it('tells the resolution of an alert that fired before the restart, without telling it fired again', async () => {
    const receiver = await startReceiver();
    const dataDir = tempDataDir('alerts-restart');
    const yaml = `alerting:\n  receivers: [{ name: hook, webhook: { url: "${receiver.url}/" } }]\n  route: { receiver: hook, group_wait: 0s, group_interval: 100ms }\n`;
    let t = await startAlertsTend(yaml, dataDir);
    try {
      await api(t, t.ingestKey, 'POST', '/api/v2/alerts', [{ labels: { alertname: 'Survivor' } }]);
      await receiver.waitFor(1);
      await t.close();
      t = await startAlertsTend(yaml, dataDir);
      await new Promise((r) => setTimeout(r, 300));
      expect(receiver.got).toHaveLength(1);
      await api(t, t.ingestKey, 'POST', '/api/v2/alerts', [{ labels: { alertname: 'Survivor' }, endsAt: new Date(Date.now() - 1).toISOString() }]);
      await receiver.waitFor(2);
      expect(JSON.parse(receiver.got[1].body)).toMatchObject({ status: 'resolved', alerts: [{ labels: { alertname: 'Survivor' } }] });
    } finally {
      await t.close();
      await receiver.close();
    }
  });
});

describe('delivery across a crash', () => {
  it('delivers notifications pending at kill -9 after the restart, once each, with their keys', async () => {
    const receiver = await startReceiver();
    let up = false;
    const all = recordAll(receiver, () => (up ? 200 : 503));
    const dataDir = tempDataDir('alerts-crash');
    fs.writeFileSync(
      path.join(dataDir, 'tend.yaml'),
      `alerting:\n  receivers: [{ name: hook, webhook: { url: "${receiver.url}/" } }]\n  route: { receiver: hook, group_by: [alertname], group_wait: 0s }\n`,
    );
    const env = { TEND_CONFIG: path.join(dataDir, 'tend.yaml'), TEND_ALERT_RETRY_BASE_MS: '200', TEND_NODE_ID: 'crash-node' };
    let tend = await spawnTend(dataDir, 0, env);
    try {
      const alerts = Array.from({ length: 5 }, (_, i) => ({ labels: { alertname: `Crash${i}` } }));
      expect((await api(tend, tend.ingestKey, 'POST', '/api/v2/alerts', alerts)).status).toBe(200);
      await until('five idempotency keys', () => new Set(all.map((r) => r.headers['idempotency-key'])).size === 5, 10_000);
      const keysBefore = new Set(all.map((r) => String(r.headers['idempotency-key'])));
      tend.child.kill('SIGKILL');
      await tend.exited;
      up = true;
      tend = await spawnTend(dataDir, 0, env);
      await until('five notifications received', () => receiver.got.length >= 5, 15_000);
      await new Promise((r) => setTimeout(r, 1000));
      const delivered = receiver.got.map((r) => String(r.headers['idempotency-key']));
      expect(delivered).toHaveLength(5);
      expect(new Set(delivered)).toEqual(keysBefore);
      const names = receiver.got.map((r) => JSON.parse(r.body).alerts[0].labels.alertname).sort();
      expect(names).toEqual(['Crash0', 'Crash1', 'Crash2', 'Crash3', 'Crash4']);
    } finally {
      await tend.stop('SIGKILL');
      await receiver.close();
    }
  }, 60_000);
});
