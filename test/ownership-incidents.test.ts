// Which alerts open incidents and which join one (pushed through the Alertmanager API, as
// Prometheus does): critical alerts of a service open one by default, a route saying
// `incident: true` opens one for any severity (mapped by the label, then the service's map),
// `incident: false` keeps even a critical alert out, alerts of one service and alert group join
// the open incident, and alerts of no service open nothing. /api/v1/alerts names each alert's
// service, by its label or by the check that raised it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startAlertsTend, type AlertsTend } from './support/alerts.js';

let t: AlertsTend;
const YAML = `
alerting:
  receivers: [{ name: sink, webhook: { url: "http://127.0.0.1:9/hook" } }]
  route:
    receiver: sink
    group_by: [alertname]
    routes:
      - { matchers: ['team="db"'], incident: true, group_by: [alertname, cluster] }
      - { matchers: ['quiet="yes"'], incident: false }
teams: [{ name: payments, members: [ana@example.com] }]
services:
  - { name: checkout, owner: payments, checks: [checkout-health] }
  - { name: ledger, owner: payments, severity_map: { warning: SEV2 } }
`;
const push = (labels: Record<string, string>) => api(t, t.adminKey, 'POST', '/api/v2/alerts', [{ labels, annotations: { summary: `${labels.alertname} on ${labels.instance ?? labels.cluster ?? '-'}` } }]);
const incidents = async (service: string) => (await api(t, t.adminKey, 'GET', `/api/v1/incidents?service=${service}`)).body.incidents as { id: string; severity: string; alerts: string[]; title: string }[];

async function settle(service: string, n: number) {
  const until = Date.now() + 10_000;
  for (;;) {
    const list = await incidents(service);
    const alerts = list.reduce((sum, i) => sum + i.alerts.length, 0);
    if (alerts >= n || Date.now() > until) return list;
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  t = await startAlertsTend(YAML);
}, 30_000);
afterAll(() => t?.close());

describe('incidents from alerts', () => {
  it('opens for critical alerts of a service and joins alerts of the same group', async () => {
    expect((await push({ alertname: 'HighErrors', service: 'checkout', severity: 'critical', instance: 'a' })).status).toBe(200);
    await push({ alertname: 'HighErrors', service: 'checkout', severity: 'critical', instance: 'b' });
    await push({ alertname: 'Saturation', service: 'checkout', severity: 'critical', instance: 'a' });
    await push({ alertname: 'Lag', service: 'checkout', severity: 'warning', instance: 'a' });
    await push({ alertname: 'Orphan', severity: 'critical' });
    await push({ alertname: 'Hushed', service: 'checkout', severity: 'critical', quiet: 'yes' });
    // Incidents open one at a time in arrival order: once the last one is there, every earlier decision is made.
    await push({ alertname: 'Sentinel', service: 'checkout', severity: 'critical' });
    const list = await settle('checkout', 4);
    const byTitle = Object.fromEntries(list.map((i) => [i.title, i]));
    expect(Object.keys(byTitle).sort()).toEqual(['HighErrors on a', 'Saturation on a', 'Sentinel on -']);
    expect(byTitle['HighErrors on a'].alerts).toHaveLength(2);
    expect(byTitle['HighErrors on a'].severity).toBe('SEV1');
    expect((await api(t, t.adminKey, 'GET', '/api/v1/incidents')).body.incidents).toHaveLength(3);
    // (The escalation's own timer may have added its step: alerts' entries are the subject here.)
    const alertEntries = async () => ((await api(t, t.adminKey, 'GET', `/api/v1/incidents/${byTitle['HighErrors on a'].id}`)).body.timeline as { kind: string; text: string }[])
      .filter((e) => e.kind !== 'escalation');
    expect((await alertEntries()).map((e) => `${e.kind}: ${e.text}`)).toEqual(['opened: HighErrors firing: HighErrors on a', 'alert.firing: HighErrors firing: HighErrors on b']);

    // b resolves, then fires again: both show in the incident it joined.
    const b = { alertname: 'HighErrors', service: 'checkout', severity: 'critical', instance: 'b' };
    await api(t, t.adminKey, 'POST', '/api/v2/alerts', [{ labels: b, endsAt: new Date(Date.now() - 1000).toISOString() }]);
    await push(b);
    const until = Date.now() + 10_000;
    let kinds: string[] = [];
    while (kinds.length < 4 && Date.now() < until) {
      kinds = (await alertEntries()).map((e) => e.kind);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(kinds).toEqual(['opened', 'alert.firing', 'alert.resolved', 'alert.firing']);
  });

  it('opens for any severity where the route says incident: true, mapped by the service', async () => {
    await push({ alertname: 'ReplicaLag', service: 'ledger', severity: 'warning', team: 'db', cluster: 'eu' });
    await push({ alertname: 'ReplicaLag', service: 'ledger', severity: 'warning', team: 'db', cluster: 'us' });
    await push({ alertname: 'Vacuum', service: 'ledger', severity: 'info', team: 'db', cluster: 'eu' });
    const list = await settle('ledger', 3);
    // group_by [alertname, cluster]: the two clusters are two groups.
    expect(list.map((i) => `${i.title} ${i.severity}`).sort()).toEqual(['ReplicaLag on eu SEV2', 'ReplicaLag on us SEV2', 'Vacuum on eu SEV4']);
  });

  it('names each alert\'s service in /api/v1/alerts: by its label, or by the check that raised it', async () => {
    const env = await t.tend.auth.ensureEnvironment('production');
    await t.tend.alerts.service.report(env, 'check', [{ labels: { alertname: 'checkout-health', source: 'check', check_kind: 'http' }, annotations: { summary: 'down' } }]);
    const all = (await api(t, t.adminKey, 'GET', '/api/v1/alerts?state=firing')).body.alerts as { labels: Record<string, string>; service: string | null }[];
    const serviceOf = (alertname: string) => all.filter((a) => a.labels.alertname === alertname).map((a) => a.service);
    expect(serviceOf('checkout-health')).toEqual(['checkout']);
    expect(serviceOf('ReplicaLag')).toEqual(['ledger', 'ledger']);
    expect(serviceOf('Orphan')).toEqual([null]);
    const checkout = (await api(t, t.adminKey, 'GET', '/api/v1/alerts?state=firing&service=checkout')).body.alerts as { labels: Record<string, string>; service: string }[];
    expect(new Set(checkout.map((a) => a.service))).toEqual(new Set(['checkout']));
    expect(checkout.map((a) => a.labels.alertname)).toContain('checkout-health');
    expect(checkout.map((a) => a.labels.alertname)).not.toContain('ReplicaLag');
  });
});
