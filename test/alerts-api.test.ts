// Alerts end to end with real HTTP: pushes through the Alertmanager API, triggers evaluated
// through the query engine, check alerts, acknowledgement, silences, grouping, inhibition and
// the signed webhook a local receiver checks field by field.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startAlertsTend, startReceiver, type AlertsTend, type Receiver } from './support/alerts.js';

let t: AlertsTend;
let web: Receiver;
let pager: Receiver;
const SECRET = 'hook-secret-1';

const yaml = (webUrl: string, pagerUrl: string) => `
environment: production
alerting:
  resolve_timeout: 1h
  receivers:
    - name: web-team
      webhook: { url: "${webUrl}/hook", secret: "\${HOOK_SECRET}" }
    - name: pager
      webhook: { url: "${pagerUrl}/pd" }
  route:
    receiver: web-team
    group_by: [alertname, service]
    group_wait: 0s
    group_interval: 300ms
    repeat_interval: 1h
    routes:
      - matchers: ['severity="critical"']
        receiver: pager
        continue: true
      - matchers: ['service=~"api|web"']
        receiver: web-team
      - matchers: ['service="batch"']
        receiver: web-team
        mute_time_intervals: [always]
  time_intervals:
    - name: always
      time_intervals: [{ weekdays: ["sunday:saturday"] }]
  inhibit_rules:
    - source_matchers: ['severity="critical"']
      target_matchers: ['severity="warning"']
      equal: [service]
triggers:
  - name: checkout-slow
    dataset: checkout
    query: { calculations: [{ op: MAX, column: duration_ms }], breakdowns: [http.endpoint], time_range: 600 }
    threshold: { op: ">", value: 800, exceeded_limit: 2 }
    frequency: 60
    labels: { service: checkout, severity: warning }
    annotations: { summary: "max over 800 ms on {{ $labels.http_endpoint }}: {{ $value }}" }
checks:
  - name: api-health
    kind: tcp
    host: 127.0.0.1
    port: 9
    interval: 1h
    labels: { service: api, severity: critical, "team.name": core }
`;

function verify(r: { headers: Record<string, unknown>; body: string }) {
  const ts = String(r.headers['x-tend-timestamp']);
  const want = `sha256=${crypto.createHmac('sha256', SECRET).update(`${ts}.${r.body}`).digest('hex')}`;
  expect(r.headers['x-tend-signature']).toBe(want);
  expect(Math.abs(Number(ts) - Date.now() / 1000)).toBeLessThan(30);
}

beforeAll(async () => {
  web = await startReceiver();
  pager = await startReceiver();
  t = await startAlertsTend(yaml(web.url, pager.url), undefined, { HOOK_SECRET: SECRET });
}, 30_000);

afterAll(async () => {
  await t?.close();
  await web?.close();
  await pager?.close();
});

const push = (alerts: unknown[]) => api(t, t.ingestKey, 'POST', '/api/v2/alerts', alerts);

describe('alerts', () => {
  it('takes a Prometheus push, lists it, and notifies the signed webhook with Alertmanager payload v4', async () => {
    const before = web.got.length;
    const res = await push([{ labels: { alertname: 'HighLatency', service: 'web', severity: 'page', instance: 'a:9100' }, annotations: { summary: 'slow', runbook_url: 'https://runbooks/x' }, generatorURL: 'http://prom/graph' }]);
    expect(res.status).toBe(200);
    const list = await api(t, t.adminKey, 'GET', '/api/v1/alerts?state=firing&filter=alertname%3D%22HighLatency%22');
    expect(list.body.alerts).toHaveLength(1);
    const a = list.body.alerts[0];
    expect(a).toMatchObject({ state: 'firing', source: 'alertmanager', labels: { alertname: 'HighLatency', service: 'web' }, annotations: { summary: 'slow' } });
    expect(a.fingerprint).toMatch(/^[0-9a-f]{16}$/);
    const [r] = (await web.waitFor(before + 1)).slice(before);
    verify(r);
    expect(r.headers['idempotency-key']).toMatch(/^[0-9a-f-]{36}$/);
    const body = JSON.parse(r.body);
    expect(body).toMatchObject({ version: '4', status: 'firing', receiver: 'web-team', groupLabels: { alertname: 'HighLatency', service: 'web' }, truncatedAlerts: 0 });
    expect(body.groupKey).toContain('alertname="HighLatency"');
    expect(body.alerts[0]).toMatchObject({ status: 'firing', labels: a.labels, annotations: { summary: 'slow', runbook_url: 'https://runbooks/x' }, generatorURL: 'http://prom/graph', fingerprint: a.fingerprint, endsAt: '0001-01-01T00:00:00Z' });

    // Acknowledged by the caller (the admin key), then not.
    const acked = await api(t, t.adminKey, 'POST', `/api/v1/alerts/${a.fingerprint}/ack`);
    expect(acked.body.acknowledged_by).toMatch(/^key:/);
    expect((await api(t, t.adminKey, 'POST', `/api/v1/alerts/${a.fingerprint}/unack`)).body.acknowledged_by).toBeUndefined();

    // Resolved by endsAt in the past: the receiver is told, once.
    await push([{ labels: a.labels, endsAt: new Date(Date.now() - 1000).toISOString() }]);
    const resolved = (await web.waitFor(before + 2)).slice(before + 1);
    expect(JSON.parse(resolved[0].body)).toMatchObject({ status: 'resolved', alerts: [{ status: 'resolved', fingerprint: a.fingerprint }] });
    // The receiver has it; the queue records it as sent a moment later.
    let one = await api(t, t.adminKey, 'GET', `/api/v1/alerts/${a.fingerprint}`);
    for (let i = 0; i < 40 && one.body.notifications.some((n: { state: string }) => n.state !== 'sent'); i++) {
      await new Promise((r) => setTimeout(r, 50));
      one = await api(t, t.adminKey, 'GET', `/api/v1/alerts/${a.fingerprint}`);
    }
    expect(one.body.state).toBe('resolved');
    expect(one.body.notifications.map((n: { state: string }) => n.state)).toEqual(['sent', 'sent']);
  });

  it('answers 4xx naming the field for bad pushes and filters', async () => {
    expect((await push([{ labels: {} }])).body.error).toMatch(/alerts\[0\]\.labels/);
    expect((await push([{ labels: { 'bad-name': 'x' } }])).body.error).toMatch(/bad-name/);
    const bad = await api(t, t.adminKey, 'GET', '/api/v1/alerts?filter=nonsense');
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^filter:/);
    expect((await api(t, t.adminKey, 'GET', '/api/v1/alerts/ffffffffffffffff')).status).toBe(404);
  });

  it('routes critical alerts to pager and continues; inhibits warnings of the same service', async () => {
    const p0 = pager.got.length;
    const w0 = web.got.length;
    await push([
      { labels: { alertname: 'ApiDown', service: 'api', severity: 'critical' } },
      { labels: { alertname: 'ApiSlow', service: 'api', severity: 'warning' } },
    ]);
    const [pd] = (await pager.waitFor(p0 + 1)).slice(p0);
    expect(JSON.parse(pd.body).alerts.map((a: { labels: { alertname: string } }) => a.labels.alertname)).toEqual(['ApiDown']);
    // continue: true, so web-team (service=~"api|web") gets ApiDown too; ApiSlow is inhibited.
    await web.waitFor(w0 + 1);
    await new Promise((r) => setTimeout(r, 700));
    const names = web.got.slice(w0).flatMap((r) => JSON.parse(r.body).alerts.map((a: { labels: { alertname: string } }) => a.labels.alertname));
    expect(names).toContain('ApiDown');
    expect(names).not.toContain('ApiSlow');
    const v2 = await api(t, t.adminKey, 'GET', '/api/v2/alerts?filter=alertname%3D%22ApiSlow%22');
    expect(v2.body[0].status.state).toBe('suppressed');
    expect(v2.body[0].status.inhibitedBy).toHaveLength(1);
    await push([{ labels: { alertname: 'ApiDown', service: 'api', severity: 'critical' }, endsAt: new Date(Date.now() - 1).toISOString() }, { labels: { alertname: 'ApiSlow', service: 'api', severity: 'warning' }, endsAt: new Date(Date.now() - 1).toISOString() }]);
  });

  it('sends nothing from a route inside a mute time interval, and groups alerts as Alertmanager lists them', async () => {
    const w0 = web.got.length;
    await push([{ labels: { alertname: 'BatchLate', service: 'batch' } }, { labels: { alertname: 'Grouped', service: 'web', instance: 'a' } }, { labels: { alertname: 'Grouped', service: 'web', instance: 'b' } }]);
    await web.waitFor(w0 + 1);
    await new Promise((r) => setTimeout(r, 700));
    const bodies = web.got.slice(w0).map((r) => JSON.parse(r.body));
    expect(bodies.flatMap((b) => b.alerts.map((a: { labels: { alertname: string } }) => a.labels.alertname))).not.toContain('BatchLate');
    // The two Grouped alerts went out together, in one notification.
    const grouped = bodies.filter((b) => b.groupLabels.alertname === 'Grouped');
    expect(grouped).toHaveLength(1);
    expect(grouped[0].alerts.map((a: { labels: { instance: string } }) => a.labels.instance).sort()).toEqual(['a', 'b']);
    const groups = (await api(t, t.adminKey, 'GET', '/api/v2/alerts/groups?filter=alertname%3D%22Grouped%22')).body;
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ labels: { alertname: 'Grouped', service: 'web' }, receiver: { name: 'web-team' } });
    expect(groups[0].alerts).toHaveLength(2);
    expect(Object.keys(groups[0].alerts[0]).sort()).toEqual(['annotations', 'endsAt', 'fingerprint', 'generatorURL', 'labels', 'receivers', 'startsAt', 'status', 'updatedAt']);
  });

  it('keeps a silenced alert recorded but unnotified, and notifies once the silence expires', async () => {
    const now = Date.now();
    const s = await api(t, t.adminKey, 'POST', '/api/v2/silences', {
      matchers: [{ name: 'alertname', value: 'Quiet.*', isRegex: true, isEqual: true }],
      startsAt: new Date(now).toISOString(), endsAt: new Date(now + 3_600_000).toISOString(), createdBy: 'someone', comment: 'maintenance',
    });
    expect(s.status).toBe(200);
    const id = s.body.silenceID;
    const got = await api(t, t.adminKey, 'GET', `/api/v2/silence/${id}`);
    expect(got.body).toMatchObject({ id, status: { state: 'active' }, comment: 'maintenance', matchers: [{ name: 'alertname', value: 'Quiet.*', isRegex: true, isEqual: true }] });
    expect(got.body.createdBy).toMatch(/^key:/);
    const w0 = web.got.length;
    await push([{ labels: { alertname: 'QuietOne', service: 'web' } }]);
    await new Promise((r) => setTimeout(r, 800));
    expect(web.got.slice(w0).filter((r) => r.body.includes('QuietOne'))).toHaveLength(0);
    expect((await api(t, t.adminKey, 'GET', '/api/v1/alerts?filter=alertname%3D%22QuietOne%22')).body.alerts).toHaveLength(1);
    expect((await api(t, t.adminKey, 'DELETE', `/api/v2/silence/${id}`)).status).toBe(200);
    expect((await api(t, t.adminKey, 'GET', `/api/v2/silence/${id}`)).body.status.state).toBe('expired');
    const deadline = Date.now() + 5000;
    while (!web.got.slice(w0).some((r) => r.body.includes('QuietOne')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(web.got.slice(w0).some((r) => r.body.includes('QuietOne'))).toBe(true);
  });

  it('fires a trigger per breakdown group after exceeded_limit evaluations, with templated annotations, and records runs', async () => {
    const now = Date.now() / 1000;
    const events = [
      { time: now - 30, data: { 'http.endpoint': '/pay', duration_ms: 1200 } },
      { time: now - 20, data: { 'http.endpoint': '/cart', duration_ms: 100 } },
    ];
    const sent = await api(t, t.adminKey, 'POST', '/1/batch/checkout', events.map((e) => ({ time: new Date(e.time * 1000).toISOString(), data: e.data })));
    expect(sent.status).toBe(200);
    await t.tend.alerts.triggers.evaluateNow();
    expect((await api(t, t.adminKey, 'GET', '/api/v1/alerts?source=trigger')).body.alerts).toHaveLength(0); // 1 of 2
    await t.tend.alerts.triggers.evaluateNow();
    const fired = (await api(t, t.adminKey, 'GET', '/api/v1/alerts?source=trigger')).body.alerts;
    expect(fired).toHaveLength(1);
    expect(fired[0].labels).toEqual({ alertname: 'checkout-slow', service: 'checkout', severity: 'warning', http_endpoint: '/pay' });
    expect(fired[0].annotations.summary).toBe('max over 800 ms on /pay: 1200');
    expect(fired[0].value).toBe(1200);
    const triggers = await api(t, t.adminKey, 'GET', '/1/triggers/checkout');
    expect(triggers.body[0]).toMatchObject({ name: 'checkout-slow', triggered: true, managed_by: 'file', threshold: { op: '>', value: 800, exceeded_limit: 2 } });
    const runs = await api(t, t.adminKey, 'POST', '/api/v1/query/tend.trigger_runs', { time_range: 600, calculations: [{ op: 'COUNT' }], breakdowns: ['result'] });
    const byResult = Object.fromEntries(runs.body.data.results.map((r: { data: Record<string, unknown> }) => [r.data.result, r.data.COUNT]));
    expect(byResult).toEqual({ ok: 3, triggered: 1 });
    const history = await api(t, t.adminKey, 'POST', '/api/v1/query/tend.alerts', { time_range: 600, calculations: [{ op: 'COUNT' }], filters: [{ column: 'alert.name', op: '=', value: 'checkout-slow' }], breakdowns: ['alert.state', 'label.http_endpoint'] });
    expect(history.body.data.results.map((r: { data: Record<string, unknown> }) => r.data)).toEqual([{ 'alert.state': 'firing', 'label.http_endpoint': '/pay', COUNT: 1 }]);
  });

  it('manages triggers through Honeycomb\'s Triggers API and refuses bad ones naming the field', async () => {
    const body = { name: 'errors', query: { calculations: [{ op: 'COUNT' }], filters: [{ column: 'status', op: '>=', value: 500 }], time_range: 300 }, threshold: { op: '>=', value: 10 }, frequency: 60, alert_type: 'on_true' };
    const made = await api(t, t.adminKey, 'POST', '/1/triggers/checkout', body);
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ name: 'errors', alert_type: 'on_true', threshold: { exceeded_limit: 1 }, managed_by: 'api', disabled: false });
    const put = await api(t, t.adminKey, 'PUT', `/1/triggers/checkout/${made.body.id}`, { ...body, disabled: true });
    expect(put.body.disabled).toBe(true);
    expect((await api(t, t.adminKey, 'GET', `/1/triggers/checkout/${made.body.id}`)).body.disabled).toBe(true);
    const bad = await api(t, t.adminKey, 'POST', '/1/triggers/checkout', { ...body, name: 'two', query: { calculations: [{ op: 'COUNT' }, { op: 'MAX', column: 'x' }] } });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^query\.calculations: a trigger has exactly one calculation/);
    expect((await api(t, t.adminKey, 'POST', '/1/triggers/checkout', { ...body, name: 'fast', frequency: 5 })).body.error).toMatch(/^frequency: at least 15 seconds/);
    const fileOne = (await api(t, t.adminKey, 'GET', '/1/triggers/checkout')).body.find((x: { name: string }) => x.name === 'checkout-slow');
    expect((await api(t, t.adminKey, 'DELETE', `/1/triggers/checkout/${fileOne.id}`)).status).toBe(409);
    expect((await api(t, t.adminKey, 'DELETE', `/1/triggers/checkout/${made.body.id}`)).status).toBe(204);
    expect((await api(t, t.adminKey, 'GET', `/1/triggers/checkout/${made.body.id}`)).status).toBe(404);
  });

  it('fires a check alert with the check\'s labels when it goes down', async () => {
    const run = await api(t, t.adminKey, 'POST', '/api/v1/checks/api-health/run');
    expect(run.status).toBe(200);
    const deadline = Date.now() + 5000;
    let alerts: { labels: Record<string, string>; annotations: Record<string, string> }[] = [];
    while (Date.now() < deadline && !alerts.length) {
      alerts = (await api(t, t.adminKey, 'GET', '/api/v1/alerts?source=check')).body.alerts;
      if (!alerts.length) await new Promise((r) => setTimeout(r, 50));
    }
    expect(alerts).toHaveLength(1);
    expect(alerts[0].labels).toEqual({ alertname: 'api-health', source: 'check', check_kind: 'tcp', environment: 'production', service: 'api', severity: 'critical', team_name: 'core' });
    expect(alerts[0].annotations.summary).toMatch(/^tcp check api-health is down/);
  });
});
