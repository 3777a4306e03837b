// Ownership end to end (issue 14 item 8): a service handed over while healthy; its check fails
// (a real TCP target closed), an incident opens for it, the on-call person of a real schedule
// is paged through a local webhook receiver, escalation moves to the team's receiver after the
// wait (on a clock the test moves), the signed acknowledgement link from the page stops it, the
// deploy marker and the check flip appear in the timeline, the incident resolves with a
// postmortem, the fault count moves, and at N+1 faults the service is handed back (an event in
// tend.handoffs and a notice to the builders' receiver). Every change is in tend.incidents.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startAlertsTend, startReceiver, type AlertsTend, type Receiver } from './support/alerts.js';
import { storedEvents } from './support/stored.js';
import { tempDataDir } from './support/tend.js';
import { until } from './support/until.js';

let t: AlertsTend;
let hook: Receiver;
let target: net.Server;
let port = 0;

const RUNBOOK = `# Checkout

## Overview
Takes payments for orders.

## Architecture and dependencies
The checkout API, the payments provider, PostgreSQL.

## Dashboards and queries
Query checkout by status.

## Alerts and what to do for each
### checkout-health
Look at the last deploy; roll back when it is the cause.

## Deploy and rollback
tend deploy; roll back with the previous build.

## Backup and restore
Nightly backups.

## Contacts and escalation
payments team.
`;

const yaml = (url: string) => `
environment: production
alerting:
  receivers:
    - { name: pager, webhook: { url: "${url}/page" } }
    - { name: payments-chat, webhook: { url: "${url}/chat" } }
    - { name: builders-chat, webhook: { url: "${url}/builders" } }
  route:
    receiver: payments-chat
    group_wait: 0s
    group_interval: 100ms
    routes:
      - { matchers: ['source="check"'], incident: true, group_by: [alertname] }
checks:
  - { name: checkout-health, kind: tcp, host: 127.0.0.1, port: ${port}, interval: 1h, labels: { severity: critical } }
teams:
  - { name: payments, members: [ana@example.com, bo@example.com, cy@example.com], receiver: payments-chat }
  - { name: checkout-builders, members: [dev@example.com], receiver: builders-chat }
services:
  - name: checkout
    owner: payments
    builders: checkout-builders
    tier: 1
    datasets: [checkout]
    checks: [checkout-health]
    runbook: runbooks/checkout.md
    schedule: payments-primary
    escalation_policy: payments
schedules:
  - name: payments-primary
    time_zone: Europe/Berlin
    layers:
      - { name: weekly, members: [ana@example.com, bo@example.com, cy@example.com], start: "2026-01-05T09:00", rotation: 1w }
escalation_policies:
  - name: payments
    repeat: 1
    steps:
      - { notify: { schedule: payments-primary }, wait: 10m }
      - { notify: { team: payments }, wait: 15m }
handoff:
  max_faults: 1
  weeks: 4
  severity_at_least: SEV2
paging: { receiver: pager }
`;

const listen = (s: net.Server, p = 0) => new Promise<number>((r) => s.listen(p, '127.0.0.1', () => r((s.address() as net.AddressInfo).port)));
const call = (method: string, p: string, body?: unknown) => api(t, t.adminKey, method, p, body);
const pages = (p: string) => hook.got.filter((r) => r.url === p).map((r) => JSON.parse(r.body));

beforeAll(async () => {
  target = net.createServer((s) => s.end());
  port = await listen(target);
  hook = await startReceiver();
  const dir = tempDataDir('ownership');
  fs.mkdirSync(path.join(dir, 'runbooks'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'runbooks', 'checkout.md'), RUNBOOK);
  t = await startAlertsTend(yaml(hook.url), dir);
}, 30_000);

afterAll(async () => {
  await t?.close();
  await hook?.close();
  target.close();
});

describe('ownership end to end', () => {
  it('opens, pages, escalates, stops at the acknowledgement link, fills the timeline and hands the service back at N+1 faults', async () => {
    const tend = t.tend;
    await call('POST', '/api/v1/checks/checkout-health/run');
    let svc = (await call('GET', '/api/v1/services/checkout')).body;
    expect(svc.runbook).toMatchObject({ state: 'checked', complete: true, problems: [] });
    expect(svc.handoff).toMatchObject({ status: 'ready', missing: [], faults: 0, max_faults: 1 });
    expect(svc.check_status).toEqual([{ name: 'checkout-health', state: 'up', since: expect.any(String) }]);
    expect(svc.slo_status).toEqual([]);
    expect((await call('POST', '/api/v1/services/checkout/handoff')).body.handoff.status).toBe('operated');

    // A deploy on the service's dataset, then the check's target goes away.
    await call('POST', '/1/batch/checkout', [{ data: { status: 200 } }]);
    expect((await call('POST', '/1/markers/checkout', { type: 'deploy', message: 'v42' })).status).toBe(201);
    await new Promise<void>((r) => target.close(() => r()));
    await call('POST', '/api/v1/checks/checkout-health/run');

    const opened = await until('the incident', async () => (await call('GET', '/api/v1/incidents?service=checkout')).body.incidents[0]);
    expect(opened).toMatchObject({ service: 'checkout', severity: 'SEV1', state: 'triggered' });
    // The check's alert belongs to the service that lists the check.
    expect((await call('GET', '/api/v1/services/checkout')).body.alerts).toEqual([
      { fingerprint: opened.alerts[0], alertname: 'checkout-health', severity: 'critical', source: 'check', starts_at: expect.any(String) },
    ]);
    // Requests during the incident: acme gets errors, globex errors and slow answers, initech neither.
    const at = new Date(Date.parse(opened.opened_at) + 1000).toISOString();
    const req = (customer_id: string, status: number, duration_ms: number, n: number) => Array.from({ length: n }, () => ({ time: at, data: { customer_id, status, duration_ms } }));
    await call('POST', '/1/batch/checkout', [...req('acme', 503, 20, 3), ...req('globex', 500, 20, 2), ...req('globex', 200, 2500, 2), ...req('initech', 200, 30, 5)]);

    // Step 1: the schedule's on-call person, through the paging receiver, with signed links.
    const expected = (await call('GET', '/api/v1/oncall?schedule=payments-primary')).body.on_call[0].email;
    await tend.ownership.escalator.tick();
    const [page] = await until('the page', async () => (pages('/page').length ? pages('/page') : undefined));
    expect(page.alerts[0].labels).toMatchObject({ incident: opened.id, service: 'checkout', severity: 'SEV1', oncall: expected });
    expect(page.alerts[0].annotations.runbook_url).toBe('runbooks/checkout.md#checkout-health');
    expect(pages('/chat').filter((p) => p.groupKey.startsWith('incident:'))).toEqual([]);

    // Not before the wait; after 10 minutes, step 2: the team's receiver.
    tend.ownership.clock.advance(9 * 60_000);
    await tend.ownership.escalator.tick();
    expect(pages('/chat').filter((p) => p.groupKey.startsWith('incident:'))).toEqual([]);
    tend.ownership.clock.advance(60_000);
    await tend.ownership.escalator.tick();
    const team = await until('the team page', async () => pages('/chat').find((p) => p.groupKey.startsWith('incident:')));
    expect(team.alerts[0].labels).toMatchObject({ incident: opened.id, team: 'payments' });

    // The acknowledgement link works without a credential and stops the paging.
    const ack = page.alerts[0].annotations.acknowledge_url as string;
    const preview = await fetch(ack);
    expect(preview.status, await preview.clone().text()).toBe(200);
    const acked = await fetch(ack, { method: 'POST' });
    expect(acked.status).toBe(200);
    expect((await acked.json()).state).toBe('acknowledged');
    expect((await fetch(`${ack.slice(0, -3)}xyz`, { method: 'POST' })).status).toBe(404);
    expect(await tend.ownership.escalator.pending(tend.ownership.ownership.catalog.fileEnvId, opened.id)).toEqual([]);
    const incidentPages = () => pages('/page').length + pages('/chat').filter((p) => p.groupKey.startsWith('incident:')).length;
    expect(incidentPages()).toBe(2);
    tend.ownership.clock.advance(60 * 60_000);
    await tend.ownership.escalator.tick();
    await new Promise((r) => setTimeout(r, 300));
    expect(incidentPages()).toBe(2);

    // The check comes back: the flip and the alert's resolution join the timeline.
    target = net.createServer((s) => s.end());
    await listen(target, port);
    await call('POST', '/api/v1/checks/checkout-health/run');
    const withFlip = await until('the check flip', async () => {
      const i = (await call('GET', `/api/v1/incidents/${opened.id}`)).body;
      return i.timeline.some((e: { kind: string }) => e.kind === 'check') && i.timeline.some((e: { kind: string }) => e.kind === 'alert.resolved') ? i : undefined;
    });
    const kinds = withFlip.timeline.map((e: { kind: string }) => e.kind);
    expect(kinds.indexOf('deploy')).toBeLessThan(kinds.indexOf('opened'));
    expect(withFlip.timeline.find((e: { kind: string }) => e.kind === 'deploy').text).toBe('checkout: v42');
    expect(withFlip.timeline.find((e: { kind: string }) => e.kind === 'check').text).toBe('checkout-health: down -> up');
    expect(kinds.filter((k: string) => k === 'escalation')).toHaveLength(2);
    expect(withFlip.timeline.find((e: { kind: string }) => e.kind === 'acknowledged').author).toBe(`${expected} (link)`);

    // Notes and resolution; the postmortem starts from the timeline.
    expect((await call('POST', `/api/v1/incidents/${opened.id}/notes`, { text: 'rolled back v42' })).status).toBe(201);
    const resolved = (await call('PATCH', `/api/v1/incidents/${opened.id}`, { state: 'resolved' })).body;
    expect(resolved.state).toBe('resolved');
    expect(resolved.resolved_at).not.toBeNull();
    expect(resolved.postmortem).toContain('## Action items');
    expect(resolved.postmortem).toContain('rolled back v42');
    expect(resolved.runbook).toBe('runbooks/checkout.md#checkout-health');
    expect(resolved.customers_affected).toEqual([{ customer: 'globex', errors: 2, slow: 2 }, { customer: 'acme', errors: 3, slow: 0 }]);
    expect((await call('PATCH', `/api/v1/incidents/${opened.id}`, { state: 'acknowledged' })).status).toBe(409);
    const bad = await call('PATCH', `/api/v1/incidents/${opened.id}`, { state: 'paused' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^state: /);

    // One fault (SEV1) is within max_faults 1: still operated. A second one hands it back.
    svc = (await call('GET', '/api/v1/services/checkout')).body;
    expect(svc.faults).toBe(1);
    expect(svc.handoff.status).toBe('operated');
    const second = (await call('POST', '/api/v1/incidents', { service: 'checkout', severity: 'SEV2', title: 'payments provider errors' })).body;
    expect(second.state).toBe('triggered');
    svc = (await call('GET', '/api/v1/services/checkout')).body;
    expect(svc.faults).toBe(2);
    expect(svc.handoff.status).toBe('handed_back');
    // Handed back; to be handed over again it needs fewer than N faults in the window.
    expect(svc.handoff.missing).toEqual(['faults: 2 in the window (fewer than 1 allowed)']);
    const builders = await until('the builders notice', async () => pages('/builders').find((p) => p.commonLabels.alertname === 'handoff' && p.commonAnnotations.summary.includes('handed_back')));
    expect(builders.commonAnnotations.summary).toBe('checkout: operated -> handed_back (faults: 2 in the window (at most 1 allowed))');

    // Five weeks later both faults are out of the window: the minute round finds it ready again.
    tend.ownership.clock.advance(5 * 7 * 86_400_000);
    await tend.ownership.ownership.reconcileAll(await tend.auth.environments());
    const handoffs = await storedEvents(tend, 'tend.handoffs');
    expect(handoffs.map((e) => `${e.previous_status}->${e.status}`)).toEqual(['->ready', 'ready->operated', 'operated->handed_back', 'handed_back->ready']);
    const events = await storedEvents(tend, 'tend.incidents');
    const mine = events.filter((e) => e['incident.id'] === opened.id);
    expect(mine.map((e) => e.kind)).toEqual(expect.arrayContaining(['opened', 'escalation', 'acknowledged', 'check', 'alert.resolved', 'note', 'state']));
    expect(mine.find((e) => e.kind === 'acknowledged')).toMatchObject({ state: 'acknowledged', previous_state: 'triggered', service: 'checkout', severity: 'SEV1' });
    // The link's acknowledgement is in the audit log under the person it was sent to.
    const audit = (await storedEvents(tend, 'tend.audit')).filter((e) => e.action === 'incident.acknowledge_link');
    expect(audit).toEqual([expect.objectContaining({ 'actor.id': expected, 'target.id': opened.id, outcome: 'success', 'change.after': '{"state":"acknowledged"}' })]);
  }, 60_000);
});
