// Deploys end to end through a running Tend: generated traffic with a regression injected after
// a deploy (two endpoints and three customers, on a canary build running beside the old one) is
// sent as Honeycomb events; the deploy recorded with an ingest key puts deploy markers on the
// service's dataset, its report (kept at /api/v1/deploys/:id/report) names what got worse with
// BubbleUp of the new errors, and an alert (source deploy) goes to the service's owners. CI
// webhooks (GitHub signed, GitLab with a token) record deploys as-is; bad input is a 4xx naming
// the field; the CLI records, lists and prints reports.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, startAlertsTend, type AlertsTend } from './support/alerts.js';
import { runTend } from './support/cli.js';
import { requests, type Regression, type Request } from './support/deploy-traffic.js';
import { seededRandom } from './support/random.js';

const GITHUB_SECRET = 'gh-secret-for-tests';
const GITLAB_TOKEN = 'gl-token-for-tests';
const YAML = `
alerting:
  receivers: [{ name: sink, webhook: { url: "http://127.0.0.1:9/hook" } }]
  route: { receiver: sink, group_by: [alertname] }
teams: [{ name: payments, members: [ana@example.com] }]
services:
  - { name: checkout, owner: payments, datasets: [shop] }
datasets:
  shop: { endpoint_field: endpoint }
deploys:
  window: 15m
  github: { secret_env: GH_SECRET }
  gitlab: { token_env: GL_TOKEN }
`;
const WINDOW_S = 900;
const N = 8_000;
const REGRESSION: Regression = {
  endpoints: { '/pay': { errorRate: 0.15 }, '/search': { slower: 2 } },
  customers: { c02: { errorRate: 0.2 }, c04: { slower: 2.2 }, c07: { errorRate: 0.25 } },
};

let t: AlertsTend;
const deployAt = Math.floor(Date.now() / 1000) - WINDOW_S - 120;

async function send(events: Request[], from: number) {
  const spaced = events.map((e, i) => ({ time: new Date((from + (i * WINDOW_S) / events.length) * 1000).toISOString(), data: e }));
  for (let i = 0; i < spaced.length; i += 4000) {
    const res = await api(t, t.ingestKey, 'POST', '/1/batch/shop', spaced.slice(i, i + 4000));
    expect(res.status).toBe(200);
  }
}

async function reportOf(id: string) {
  const until = Date.now() + 20_000;
  for (;;) {
    const r = await api(t, t.adminKey, 'GET', `/api/v1/deploys/${id}/report`);
    if (r.body.status === 'done' || Date.now() > until) return r.body;
    await new Promise((res) => setTimeout(res, 100));
  }
}

beforeAll(async () => {
  t = await startAlertsTend(YAML, undefined, { GH_SECRET: GITHUB_SECRET, GL_TOKEN: GITLAB_TOKEN });
  const r = seededRandom(42);
  await send(requests(r, N, 'b1'), deployAt - 7 * 86_400);
  await send(requests(r, N, 'b1'), deployAt - WINDOW_S);
  // A canary: half the traffic after the deploy runs the new build, which carries the regression.
  const after = requests(r, N / 2, 'b1');
  const canary = requests(r, N / 2, 'b2', REGRESSION);
  await send(after.flatMap((e, i) => [e, canary[i]]), deployAt);
}, 60_000);
afterAll(() => t?.close());

describe('deploys', () => {
  it('records a deploy with an ingest key as markers and reports the injected regression', async () => {
    const res = await api(t, t.ingestKey, 'POST', '/api/v1/deploys', { service: 'checkout', build: 'b2', commit: '9fceb02', message: 'new payment flow', time: new Date(deployAt * 1000).toISOString() });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ service: 'checkout', build: 'b2', datasets: ['shop'], window_seconds: WINDOW_S, source: 'api' });
    const markers = (await api(t, t.ingestKey, 'GET', '/1/markers/shop')).body as { type: string; message: string; start_time: number }[];
    expect(markers).toContainEqual(expect.objectContaining({ type: 'deploy', message: 'checkout build b2: new payment flow', start_time: deployAt }));

    const report = await reportOf(res.body.id);
    expect(report.status).toBe('done');
    expect(Object.keys(report).sort()).toEqual(['deploy', 'findings', 'status', 'windows']);
    expect(report.windows.after).toEqual({ start: new Date(deployAt * 1000).toISOString(), end: new Date((deployAt + WINDOW_S) * 1000).toISOString() });
    const shop = report.windows.datasets[0];
    expect(shop.totals.before.events).toBe(N);
    expect(shop.totals.after.events).toBe(N);
    expect(shop.totals.week_before.events).toBe(N);
    expect(shop.builds.map((b: { build: string }) => b.build).sort()).toEqual(['b1', 'b2']);
    type F = { kind: string; key: string; metric: string; verdict: string; against: string; before: number; after: number; change: number; p_value: number };
    const findings = report.findings as F[];
    console.log(`deploy report: ${findings.length} findings (${findings.filter((f) => f.verdict === 'worse').length} worse) of ${report.windows.statistics.tests} tests`);
    for (const f of findings) expect(Object.keys(f)).toEqual(expect.arrayContaining(['kind', 'key', 'metric', 'before', 'after', 'change', 'p_value', 'verdict']));
    const worse = (kind: string) => new Set(findings.filter((f) => f.verdict === 'worse' && f.kind === kind && f.against === 'before').map((f) => f.key));
    expect([...worse('endpoint')]).toEqual(expect.arrayContaining(['/pay', '/search']));
    expect([...worse('customer')]).toEqual(expect.arrayContaining(['c02', 'c04', 'c07']));
    const build = findings.filter((f) => f.kind === 'build' && f.key === 'b2' && f.verdict === 'worse').map((f) => f.metric);
    expect(build).toContain('error_rate');
    const pay = findings.find((f) => f.kind === 'endpoint' && f.key === '/pay' && f.metric === 'error_rate' && f.against === 'before')!;
    expect(pay.after).toBeGreaterThan(pay.before + 0.04);
    expect(pay.p_value).toBeLessThan(0.05);
    // The traffic itself did not change (Benjamini-Hochberg bounds the share of false findings
    // among the true ones, so a small group's noise may still come through as one).
    expect(findings.filter((f) => f.metric === 'throughput').length).toBeLessThanOrEqual(2);
    // BubbleUp of the new errors: they come from the new build.
    const bubble = shop.bubbleup as { column: string; values: { value: string; selection: number; baseline: number }[] }[];
    const buildColumn = bubble.find((c) => c.column === 'build_id');
    expect(buildColumn).toBeDefined();
    const b2 = buildColumn!.values.find((v) => v.value === 'b2')!;
    expect(b2.selection).toBeGreaterThan(b2.baseline);

    // The regression is past the thresholds: an alert from source deploy for the owners.
    const alerts = (await api(t, t.adminKey, 'GET', '/api/v1/alerts?source=deploy')).body.alerts as { labels: Record<string, string>; service: string; state: string }[];
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ state: 'firing', service: 'checkout', labels: { alertname: 'DeployRegression', service: 'checkout', team: 'payments', deploy: res.body.id, build: 'b2' } });

    // The deploy and its report are events in tend.deploys.
    const q = await api(t, t.adminKey, 'POST', '/api/v1/query/tend.deploys', {
      calculations: [{ op: 'COUNT' }], breakdowns: ['event'], filters: [{ column: 'deploy_id', op: '=', value: res.body.id }], start_time: deployAt - 60, end_time: deployAt + 86_400,
    });
    const counts = Object.fromEntries((q.body.data.results as { data: { event: string; COUNT: number } }[]).map((r) => [r.data.event, r.data.COUNT]));
    expect(counts).toEqual({ deploy: 1, report: 1 });
  }, 60_000);

  it('keeps a deploy whose window has not passed pending', async () => {
    const res = await api(t, t.ingestKey, 'POST', '/api/v1/deploys', { service: 'checkout', build: 'b3' });
    expect(res.status).toBe(201);
    const report = (await api(t, t.adminKey, 'GET', `/api/v1/deploys/${res.body.id}/report`)).body;
    expect(report).toMatchObject({ status: 'pending', findings: [], deploy: { id: res.body.id, build: 'b3' } });
    const list = (await api(t, t.adminKey, 'GET', '/api/v1/deploys?service=checkout')).body.deploys as { id: string }[];
    expect(list[0].id).toBe(res.body.id);
  });

  it('answers bad input with a 4xx naming the field', async () => {
    const missing = await api(t, t.ingestKey, 'POST', '/api/v1/deploys', { service: 'checkout' });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatch(/build/);
    const time = await api(t, t.ingestKey, 'POST', '/api/v1/deploys', { service: 'checkout', build: 'x', time: 'yesterday' });
    expect(time.status).toBe(400);
    expect(time.body.error).toMatch(/time/);
    expect((await api(t, t.ingestKey, 'GET', '/api/v1/deploys/nope/report')).status).toBe(403);
    expect((await api(t, t.adminKey, 'GET', '/api/v1/deploys/nope/report')).status).toBe(404);
  });

  it('takes GitHub deployment_status webhooks signed with the secret', async () => {
    const body = JSON.stringify({
      action: 'created',
      deployment_status: { state: 'success', target_url: 'https://ci.example.com/run/7', created_at: '2026-11-30T10:00:00Z' },
      deployment: { sha: 'a1b2c3d4e5f6', ref: 'main', description: 'ship it', payload: { service: 'checkout', build: 'gh-77' } },
      repository: { name: 'shop-repo', html_url: 'https://github.com/acme/shop-repo' },
    });
    const post = (signature: string, event = 'deployment_status') => fetch(`${t.url}/api/v1/deploys/github`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-github-event': event, 'x-hub-signature-256': signature }, body });
    const good = 'sha256=' + crypto.createHmac('sha256', GITHUB_SECRET).update(body).digest('hex');
    const res = await post(good);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ service: 'checkout', build: 'gh-77', commit: 'a1b2c3d4e5f6', message: 'ship it', url: 'https://ci.example.com/run/7', time: '2026-11-30T10:00:00.000Z', source: 'github' });
    expect((await post('sha256=' + '0'.repeat(64))).status).toBe(401);
    expect((await post('')).status).toBe(401);
  });

  it('takes GitLab deployment events with the token', async () => {
    const event = {
      object_kind: 'deployment', status: 'success', status_changed_at: '2026-11-30 11:00:00 +0100', deployment_id: 15,
      deployable_url: 'https://gitlab.example.com/acme/checkout/-/jobs/796', environment: 'production', project: { name: 'checkout' },
      short_sha: '279484c0', commit_url: 'https://gitlab.example.com/acme/checkout/-/commit/279484c09fbe69ededfced8c1bb6e6d24616b468', commit_title: 'Add new file',
    };
    const post = (token: string, body: unknown) => fetch(`${t.url}/api/v1/deploys/gitlab`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Deployment Hook', 'x-gitlab-token': token }, body: JSON.stringify(body) });
    const res = await post(GITLAB_TOKEN, event);
    expect(res.status).toBe(201);
    expect(await res.json()).toMatchObject({ service: 'checkout', build: '279484c0', commit: '279484c09fbe69ededfced8c1bb6e6d24616b468', time: '2026-11-30T10:00:00.000Z', source: 'gitlab' });
    expect((await post('wrong', event)).status).toBe(401);
    expect((await post(GITLAB_TOKEN, { ...event, status: 'running' })).status).toBe(202);
    const bad = await post(GITLAB_TOKEN, { ...event, project: {} });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error).toMatch(/project\.name/);
  });

  it('records, lists and prints reports from the CLI', async () => {
    const env = { TEND_URL: t.url, TEND_KEY: t.ingestKey };
    const rec = await runTend(['deploy', 'checkout', '--build', 'cli-1', '--message', 'from the CLI', '--url', 'https://ci.example.com/1', '--time', new Date(deployAt * 1000).toISOString(), '--json'], { env });
    expect(rec.stderr).toBe('');
    const d = JSON.parse(rec.stdout);
    expect(d).toMatchObject({ service: 'checkout', build: 'cli-1', url: 'https://ci.example.com/1' });
    await reportOf(d.id);
    const admin = { TEND_URL: t.url, TEND_KEY: t.adminKey };
    const list = JSON.parse((await runTend(['deploys', 'list', '--service', 'checkout', '--json'], { env: admin })).stdout);
    expect(list.deploys.map((x: { id: string }) => x.id)).toContain(d.id);
    const text = (await runTend(['deploys', 'report', d.id], { env: admin })).stdout;
    expect(text).toMatch(/significant finding/);
    expect(text).toMatch(/endpoint\s+\/pay\s+error_rate/);
  }, 30_000);
});
