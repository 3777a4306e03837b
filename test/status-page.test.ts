// Public status pages, uptime bars from stored tend.checks events, notices and badges.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../src/store/index.js';
import { startTestTend, tempDataDir, type TestTend } from './support/tend.js';

let t: TestTend;
const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
const dateOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

const config = `
checks:
  - { name: web, kind: tcp, host: 127.0.0.1, port: 9, interval: 1h }
  - { name: backup, kind: heartbeat, period: 1d }
  - { name: hidden, kind: tcp, host: 127.0.0.1, port: 9, interval: 1h }
status_pages:
  - slug: public
    title: Example <status>
    checks: [web, backup]
`;

const result = (name: string, atMs: number, ok: boolean, maintenance = false): StoredEvent => ({
  time: atMs * 1000,
  samplerate: 1,
  fields: { 'check.name': name, 'check.kind': 'tcp', target: 'x', ok, duration_ms: 1.5, maintenance, trigger: 'scheduled' },
});

async function get(route: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${t.url}${route}`, { headers });
  return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
}

async function admin(method: string, route: string, body?: unknown, key = t.adminKey) {
  const res = await fetch(`${t.url}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

beforeAll(async () => {
  const dir = tempDataDir('tend-status-cfg');
  fs.writeFileSync(path.join(dir, 'tend.yaml'), config);
  t = await startTestTend({ config: path.join(dir, 'tend.yaml') });
  const env = (await t.tend.auth.environment('production'))!;
  await t.tend.ingest.pipeline.submit(env, 'tend.checks', [
    // 10 days ago: 3 of 4 ok; a failure during maintenance does not count.
    result('web', today - 10 * DAY + 1000, true),
    result('web', today - 10 * DAY + 2000, true),
    result('web', today - 10 * DAY + 3000, true),
    result('web', today - 10 * DAY + 4000, false),
    result('web', today - 10 * DAY + 5000, false, true),
    // Yesterday: all ok. 100 days ago: outside the 90-day window.
    result('web', today - DAY + 1000, true),
    result('web', today - 100 * DAY, false),
    result('backup', today - 2 * DAY, false),
  ]);
});
afterAll(async () => t?.close());

describe('GET /status/:slug', () => {
  it('answers JSON with 90 days of uptime computed from stored results', async () => {
    const r = await get('/status/public.json');
    expect(r.status).toBe(200);
    const page = JSON.parse(r.text);
    expect(page).toMatchObject({ slug: 'public', title: 'Example <status>' });
    expect(page.checks.map((c: { name: string }) => c.name)).toEqual(['web', 'backup']);
    const web = page.checks[0];
    expect(web.days).toHaveLength(90);
    expect(web.days[89].date).toBe(dateOf(today));
    expect(web.days[0].date).toBe(dateOf(today - 89 * DAY));
    const byDate = Object.fromEntries(web.days.map((d: { date: string }) => [d.date, d]));
    expect(byDate[dateOf(today - 10 * DAY)]).toEqual({ date: dateOf(today - 10 * DAY), uptime_percent: 75, results: 4 });
    expect(byDate[dateOf(today - DAY)]).toMatchObject({ uptime_percent: 100, results: 1 });
    expect(byDate[dateOf(today - 20 * DAY)]).toMatchObject({ uptime_percent: null, results: 0 });
    expect(web.uptime_percent).toBe(80);
    expect(page.checks[1]).toMatchObject({ name: 'backup', kind: 'heartbeat', state: 'pending', uptime_percent: 0 });
    expect(page.notices).toEqual([]);
  });

  it('answers HTML without a key, escaping text, with one bar per day', async () => {
    const r = await get('/status/public');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/html/);
    expect(r.text).toContain('<title>Example &lt;status&gt;</title>');
    expect(r.text.match(/class="bar"/g)).toHaveLength(180);
    expect(r.text).toContain(`${dateOf(today - 10 * DAY)}: 75% of 4 results ok`);
    expect(JSON.parse((await get('/status/public', { accept: 'application/json' })).text).slug).toBe('public');
  });

  it('answers 404 for an unknown page', async () => {
    expect((await get('/status/nope')).status).toBe(404);
  });
});

describe('notices', () => {
  it('posts a notice that shows on the page until resolved', async () => {
    const posted = await admin('POST', '/api/v1/status-pages/public/notices', { title: 'Slow <logins>', body: 'Investigating', severity: 'minor' });
    expect(posted.status).toBe(201);
    let page = JSON.parse((await get('/status/public.json')).text);
    expect(page.notices).toMatchObject([{ title: 'Slow <logins>', body: 'Investigating', severity: 'minor', resolved_at: null }]);
    expect((await get('/status/public')).text).toContain('<h3>Slow &lt;logins&gt;</h3>');
    expect((await admin('POST', `/api/v1/status-pages/public/notices/${posted.body.id}/resolve`)).status).toBe(200);
    page = JSON.parse((await get('/status/public.json')).text);
    expect(page.notices).toEqual([]);
    const all = await admin('GET', '/api/v1/status-pages/public/notices');
    expect(all.body.notices[0].resolved_at).not.toBeNull();
  });

  it('checks the input and the environment', async () => {
    const bad = await admin('POST', '/api/v1/status-pages/public/notices', { title: '', severity: 'meh' });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatch(/^title: /);
    const other = await t.tend.auth.createKey('staging', 'admin');
    expect((await admin('POST', '/api/v1/status-pages/public/notices', { title: 'x' }, other.key)).status).toBe(404);
    expect((await fetch(`${t.url}/api/v1/status-pages/public/notices`, { method: 'POST', body: '{"title":"x"}' })).status).toBe(401);
  });
});

describe('badges', () => {
  it('draws the current state and the uptime of a check shown on a status page', async () => {
    const status = await get('/badge/web/status.svg');
    expect(status.status).toBe(200);
    expect(status.type).toMatch(/^image\/svg\+xml/);
    expect(status.text).toContain('aria-label="web: pending"');
    const uptime = await get('/badge/web/uptime.svg?days=30');
    expect(uptime.text).toContain('aria-label="uptime 30d: 80%"');
    const week = await get('/badge/web/uptime.svg?days=7');
    expect(week.text).toContain('aria-label="uptime 7d: 100%"');
  });

  it('serves no badge for checks that are not on a status page, or bad input', async () => {
    expect((await get('/badge/hidden/status.svg')).status).toBe(404);
    expect((await get('/badge/ghost/status.svg')).status).toBe(404);
    expect((await get('/badge/web/status.svg?env=staging')).status).toBe(404);
    expect((await get('/badge/web/uptime.svg?days=365')).status).toBe(400);
  });
});
