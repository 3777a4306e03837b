// The ownership pages in a real browser (Debian's chromium through playwright-core): signing in
// through single sign-on from the sign-in page (a real OpenID provider, oidc-provider), the
// services list and a service page, the on-call calendar with an override added and deleted,
// and an incident declared, acknowledged, noted, resolved and given a postmortem. Each page is
// checked against what the API answers for the same question; a viewer sees no controls.
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { Browser as Chromium, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tend } from '../src/server/index.js';
import { launchChromium } from './support/chromium.js';
import { freePort, OIDC_SECRET_ENV, oidcYaml, startOidcProvider } from './support/oidc-provider.js';
import { PAYMENTS_SCHEDULE_YAML } from './support/payments-schedule.js';
import { Browser, OWNER, startWithOwner } from './support/people.js';
import { tempDataDir } from './support/tend.js';

const SHOTS = process.env.TEND_SCREENSHOTS === '1' ? path.resolve('docs/screenshots') : undefined;
const AXE = fs.readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const VIEWER = { email: 'viewer@example.com', password: 'quiet meadow lantern 42' };

const RUNBOOK = `# Checkout runbook
## Overview
Takes payments.
## Alerts
### shop
The shop port stopped answering: check the load balancer.
## Rollback
tend deploy rollback checkout
`;
const yaml = (issuer: string) => `${oidcYaml(issuer)}
teams: [{ name: payments, members: [ana@example.com, bo@example.com, cy@example.com] }, { name: platform, members: [dee@example.com] }]
services:
  - { name: checkout, owner: payments, builders: platform, tier: 1, checks: [shop], runbook: runbook.md, schedule: payments-primary, description: Takes payments }
  - { name: ledger, owner: payments, tier: 2, depends_on: [checkout] }
schedules:${PAYMENTS_SCHEDULE_YAML}
handoff:
  max_faults: 3
  weeks: 4
  require: { runbook: true, schedule: true, checks: 1, slo: false }
  runbook_sections: [overview, alerts, rollback]
`;

let tend: Tend;
let idp: Server;
let api: Browser;
let browser: Chromium;
let context: BrowserContext;
let page: Page;
let target: net.Server;
const pageErrors: string[] = [];

async function expectNoSeriousAxeViolations(p: Page, where: string) {
  await p.evaluate(AXE);
  const found = (await p.evaluate(`axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, target: String(v.nodes[0] && v.nodes[0].target) })))`)) as { impact: string }[];
  expect(found.filter((v) => v.impact === 'serious' || v.impact === 'critical'), `axe on ${where}`).toEqual([]);
}

const shoot = async (name: string) => {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
};
const get = async (p: string) => {
  const r = await api.request('GET', p);
  expect(r.status, p).toBe(200);
  return r.body;
};
const texts = (p: Page, selector: string) => p.locator(selector).allTextContents();

beforeAll(async () => {
  target = net.createServer((s) => s.end());
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  const port = await freePort();
  const dir = tempDataDir('tend-ui-ownership');
  fs.writeFileSync(path.join(dir, 'runbook.md'), RUNBOOK);
  fs.writeFileSync(path.join(dir, 'tend.yaml'), yaml(`http://127.0.0.1:${port}`));
  tend = await startWithOwner({ data: path.join(dir, 'data'), config: path.join(dir, 'tend.yaml') }, OIDC_SECRET_ENV);
  idp = startOidcProvider(port, tend.url);
  await tend.people.create({ email: VIEWER.email, password: VIEWER.password, roles: { production: 'viewer' } });
  api = new Browser(tend.url);
  expect((await api.login(OWNER.email, OWNER.password)).status).toBe(200);
  const targetPort = (target.address() as net.AddressInfo).port;
  expect((await api.request('POST', '/api/v1/checks', { name: 'shop', kind: 'tcp', host: '127.0.0.1', port: targetPort, interval: '1h' })).status).toBe(201);
  expect((await api.request('POST', '/api/v1/checks/shop/run')).status).toBe(200);

  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  page = await context.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) pageErrors.push(m.text());
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await tend?.close();
  await new Promise((r) => idp?.close(r));
  if (target?.listening) await new Promise((r) => target.close(r));
}, 30_000);

describe('ownership pages in chromium', () => {
  it('signs in through single sign-on from the sign-in page and lands where the person was going', async () => {
    await page.goto(`${tend.url}/services`);
    await page.waitForURL(/\/sign-in\?next=%2Fservices/);
    const sso = page.getByRole('link', { name: 'Sign in with single sign-on' });
    await sso.waitFor();
    expect(await sso.getAttribute('href')).toBe('/api/v1/auth/oidc/login?return_to=%2Fservices');
    await sso.click();
    // The provider's own pages: its login form, then its consent.
    await page.waitForURL(/127\.0\.0\.1:\d+\/interaction\//);
    await page.locator('input[name="login"]').fill('ada');
    await page.locator('input[name="password"]').fill('any');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL(`${tend.url}/services`);
    // ada is in the sre group: admin of production.
    await expect.poll(() => page.locator('header .who').textContent()).toBe('ADA admin');
  });

  it('lists services with their owner, on-call, open incidents, faults, handoff and runbook as the API gives them', async () => {
    const rows = page.locator('table.services tbody tr');
    await expect.poll(() => rows.count()).toBe(2);
    const want = (await get('/api/v1/services')).services as { name: string; owner: string; on_call: { email: string }[]; open_incidents: unknown[]; handoff: { status: string; faults: number; max_faults: number; missing: string[] } }[];
    for (const s of want) {
      const row = page.locator(`tr[data-service="${s.name}"]`);
      const cells = await row.locator('td').allTextContents();
      expect(cells[1]).toBe(s.owner);
      expect(cells[3]).toBe(s.on_call.length ? s.on_call.map((o) => o.email).join(', ') : s.name === 'checkout' ? 'nobody' : 'no schedule');
      expect(Number(cells[4])).toBe(s.open_incidents.length);
      expect(cells[5]).toBe(`${s.handoff.faults} / ${s.handoff.max_faults}`);
      expect(cells[6]).toBe(s.handoff.status.replace('_', ' '));
      expect(await row.locator('.handoff').getAttribute('title')).toBe(s.handoff.missing.join('; ') || null);
    }
    expect(want.map((s) => s.handoff.status)).toEqual(['ready', 'not_ready']);
    expect(await page.locator('tr[data-service="ledger"] td.runbook').textContent()).toBe('missing');
    expect(await page.locator('tr[data-service="checkout"] td.runbook').textContent()).toBe('complete');
    await expectNoSeriousAxeViolations(page, 'services');
    await shoot('services');
  });

  it('shows a service with on-call now, checks, runbook sections and the handoff, and hands it over', async () => {
    await page.getByRole('link', { name: 'checkout', exact: true }).click();
    await page.waitForURL(/\/services\/checkout$/);
    const want = await get('/api/v1/services/checkout');
    await expect.poll(() => texts(page, '.runbook-sections tbody tr')).toEqual(['overviewyes', 'alertsyes', 'rollbackyes']);
    expect(await texts(page, 'dd.on-call .on-call-person')).toEqual(want.on_call.map((o: { email: string; layer: string }) => expect.stringContaining(`${o.email} (${o.layer}, until`)));
    expect(await page.locator('dl.facts').textContent()).toContain('OwnerpaymentsBuildersplatformTier1');
    const check = page.getByRole('region', { name: 'Checks' }).getByRole('listitem');
    expect(await check.textContent()).toMatch(/^shop up since/);
    expect(await page.getByRole('region', { name: 'Handoff' }).locator('.handoff').textContent()).toBe('ready');
    await expectNoSeriousAxeViolations(page, 'service');
    await shoot('service');
    await page.getByRole('button', { name: 'Hand over' }).click();
    await expect.poll(() => page.getByRole('region', { name: 'Handoff' }).locator('.handoff').textContent()).toBe('operated');
    expect((await get('/api/v1/services/checkout')).handoff.status).toBe('operated');
    expect(await page.getByRole('button', { name: 'Hand over' }).count()).toBe(0);
  });

  it('draws the on-call week as the API has it, and adds and deletes an override', async () => {
    await page.getByRole('link', { name: 'On call' }).click();
    await page.waitForURL(/\/oncall$/);
    const now = await get('/api/v1/oncall?schedule=payments-primary');
    const nowList = page.locator('ul.on-call-now li');
    await expect.poll(() => nowList.count()).toBe(now.on_call.length);
    expect((await nowList.allTextContents()).map((t) => t.split(' · ')[0])).toEqual(now.on_call.map((o: { email: string }) => o.email));

    // The week shown is the one the API is asked for: compare its shifts, row by row.
    const shiftsShown = async () => (await page.locator('table.shifts tbody tr').evaluateAll((trs) => trs.map((tr) => {
      const cells = [...tr.querySelectorAll('td')];
      return `${cells[0].textContent} ${cells[1].textContent} ${cells[2].querySelector('time')?.getAttribute('datetime')}`;
    })));
    await page.getByRole('button', { name: 'Next week' }).click();
    await page.waitForURL(/week=\d{4}-\d{2}-\d{2}/);
    // The week's local midnights, as the browser reckons them.
    const [from, to] = await page.evaluate((w) => {
      const [y, m, d] = w.split('-').map(Number);
      return [new Date(y, m - 1, d).toISOString(), new Date(y, m - 1, d + 7).toISOString()];
    }, new URL(page.url()).searchParams.get('week')!);
    const week = await get(`/api/v1/schedules/payments-primary/shifts?from=${from}&to=${to}`);
    await expect.poll(shiftsShown).toEqual(week.shifts.map((s: { layer: string; email: string; start: string }) => `${s.layer} ${s.email} ${s.start}`));
    // A week has the weekly layer's one or two shifts and five business days.
    expect(week.shifts.filter((s: { layer: string }) => s.layer === 'business-hours')).toHaveLength(5);
    expect(await page.locator('.week-track .shift').count()).toBe(week.shifts.length);
    await page.getByRole('button', { name: 'This week' }).click();

    // An override over the weekly layer from an hour ago for two hours: dee is on call now.
    const local = (ms: number) => page.evaluate((t) => { const d = new Date(t); d.setMinutes(d.getMinutes() - d.getTimezoneOffset()); return d.toISOString().slice(0, 16); }, ms);
    const form = page.getByRole('form', { name: 'Add an override' });
    await form.getByLabel('Layer').selectOption('weekly');
    await form.getByLabel('Who (email)').fill('dee@example.com');
    await form.getByLabel('From').fill(await local(Date.now() - 3_600_000));
    await form.getByLabel('To').fill(await local(Date.now() + 7_200_000));
    await form.getByRole('button', { name: 'Add override' }).click();
    await expect.poll(() => texts(page, 'table.overrides tbody td:nth-child(2)')).toEqual(['dee@example.com']);
    await expect.poll(async () => (await nowList.first().textContent())?.split(' · ').slice(0, 2).join(' · ')).toBe('dee@example.com · weekly (override)');
    expect((await get('/api/v1/oncall?schedule=payments-primary')).on_call[0]).toMatchObject({ email: 'dee@example.com', layer: 'weekly' });
    await expect.poll(() => page.locator('.week-track .shift.override').count()).toBe(1);
    await expectNoSeriousAxeViolations(page, 'oncall');
    await shoot('oncall');
    await page.getByRole('button', { name: 'Delete the override of dee@example.com on weekly' }).click();
    await expect.poll(() => page.locator('table.overrides').count()).toBe(0);
    expect((await get('/api/v1/schedules/payments-primary/overrides')).overrides).toEqual([]);
  });

  it('declares an incident, acknowledges it, adds a note, resolves it and saves its postmortem', async () => {
    await page.getByRole('link', { name: 'Incidents' }).click();
    await expect.poll(() => page.getByText('No open incidents.').count()).toBe(1);
    const declare = page.getByRole('form', { name: 'Declare an incident' });
    await declare.getByLabel('Service').selectOption('checkout');
    await declare.getByLabel('Severity').selectOption('SEV2');
    await declare.getByLabel('Title').fill('Card payments failing');
    await declare.getByRole('button', { name: 'Declare' }).click();
    await page.waitForURL(/\/incidents\/inc_[0-9a-f]+$/);
    const id = new URL(page.url()).pathname.split('/')[2];
    await expect.poll(() => page.locator('h1').textContent()).toBe('SEV2 Card payments failing');
    const timeline = () => page.locator('ol.timeline li').evaluateAll((lis) => lis.map((li) => `${li.querySelector('.kind')?.textContent} ${li.querySelector('.author')?.textContent}: ${li.querySelector('.text')?.textContent}`));
    await expect.poll(timeline).toContain('opened ada@corp.example: declared: Card payments failing');

    await page.getByRole('button', { name: 'Acknowledge' }).click();
    await expect.poll(() => page.locator('.incident-summary .incident-state').textContent()).toBe('acknowledged');
    await page.getByLabel('Note').fill('Rolled back v2.3');
    await page.getByRole('button', { name: 'Add note' }).click();
    await expect.poll(timeline).toContain('note ada@corp.example: Rolled back v2.3');
    expect(await timeline()).toContain('acknowledged ada@corp.example: triggered -> acknowledged');
    await page.getByRole('button', { name: 'Resolve' }).click();
    await expect.poll(() => page.locator('.incident-summary .incident-state').textContent()).toBe('resolved');
    // Resolving starts the postmortem from the template, timeline included.
    const editor = page.getByRole('textbox', { name: 'Postmortem' });
    await expect.poll(() => editor.inputValue()).toMatch(/^# Postmortem: Card payments failing\n[\s\S]*note \(ada@corp\.example\): Rolled back v2\.3/);
    await editor.fill(`${await editor.inputValue()}\nCause: a bad card token cache.`);
    await page.getByRole('button', { name: 'Save postmortem' }).click();
    await expect.poll(() => page.getByRole('status').textContent()).toBe('Saved.');
    const stored = await get(`/api/v1/incidents/${id}`);
    expect(stored.postmortem).toMatch(/Cause: a bad card token cache\.$/);
    expect(stored).toMatchObject({ state: 'resolved', severity: 'SEV2', acknowledged_by: 'ada@corp.example' });
    expect(await timeline()).toEqual(stored.timeline.map((e: { kind: string; author: string; text: string }) => `${e.kind} ${e.author}: ${e.text}`));
    await expectNoSeriousAxeViolations(page, 'incident');
    await shoot('incident');

    await page.getByRole('link', { name: 'All incidents' }).click();
    await page.getByLabel('State').selectOption('all');
    await expect.poll(() => texts(page, `tr[data-incident="${id}"] td`)).toEqual(['Card payments failing', 'SEV2', 'resolved', 'checkout', expect.any(String), expect.any(String)]);
    await expectNoSeriousAxeViolations(page, 'incidents');
    // The fault counts: the services page says what the API says.
    await page.getByRole('link', { name: 'Services' }).click();
    await expect.poll(() => page.locator('tr[data-service="checkout"] td.faults').textContent()).toBe('1 / 3');
    expect(pageErrors).toEqual([]);
  });

  it('shows a viewer no controls, and the API refuses them anyway', async () => {
    const id = (await get('/api/v1/incidents?state=resolved')).incidents[0].id;
    const viewer = await browser.newContext({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
    const phone = await viewer.newPage();
    await phone.goto(`${tend.url}/incidents/${id}`);
    await phone.getByLabel('Email').fill(VIEWER.email);
    await phone.getByLabel('Password').fill(VIEWER.password);
    await phone.getByRole('button', { name: 'Sign in' }).click();
    await phone.locator('ol.timeline li').first().waitFor();
    expect(await phone.getByRole('button', { name: /Acknowledge|Resolve|Add note|Save postmortem/ }).count()).toBe(0);
    expect(await phone.getByRole('textbox', { name: 'Postmortem' }).getAttribute('readonly')).toBe('');
    await phone.goto(`${tend.url}/oncall`);
    await phone.locator('ul.on-call-now li').first().waitFor();
    expect(await phone.getByRole('form', { name: 'Add an override' }).count()).toBe(0);
    // Readable on a phone: nothing but the boxes that scroll sideways on purpose is wider than it.
    const wide = await phone.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > 391 && !e.closest('.week-grid, .scroll-x')).map((e) => `${e.tagName}.${e.className}`));
    expect(wide).toEqual([]);
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    const refused = await phone.evaluate(async (i) => (await fetch(`/api/v1/incidents/${i}`, { method: 'PATCH', headers: { 'content-type': 'application/json' }, body: '{"state":"resolved"}' })).status, id);
    expect(refused).toBe(403);
    await viewer.close();
  });
});
