// Backstage import through the running server: `tend catalog import --apply` (the real command,
// run through tsx) prints the tend.yaml blocks and adds the entries to the catalog, where the API
// shows them at once, marked as imported, and still after a restart; a service tend.yaml declares
// is not replaced.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { api, startAlertsTend, type AlertsTend } from './support/alerts.js';
import { BACKSTAGE } from './support/backstage.js';
import { cleanEnv } from './support/cli.js';

let t: AlertsTend;
const YAML = `
teams: [{ name: platform, members: [ops@example.com] }]
services: [{ name: shop, owner: platform, tier: 2 }]
`;

beforeAll(async () => {
  t = await startAlertsTend(YAML);
}, 30_000);
afterAll(() => t?.close());

describe('Backstage import', () => {
  it('prints tend.yaml blocks and, with --apply, adds them to the running catalog', async () => {
    const dir = fs.mkdtempSync(path.join(t.dataDir, 'catalog-'));
    const files = BACKSTAGE.map((f) => {
      const file = path.join(dir, f.name.replace(/\//g, '-'));
      fs.writeFileSync(file, f.text);
      return file;
    });
    const run = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'catalog', 'import', ...files, '--apply', '--url', t.url, '--key', t.adminKey], { env: cleanEnv });
    const printed = parseYaml(run.stdout);
    expect(printed.teams.map((x: { name: string }) => x.name)).toEqual(['payments']);
    expect(printed.services.map((x: { name: string }) => x.name)).toEqual(['checkout', 'checkout-api', 'shop']);
    expect(run.stderr).toContain('note: Component orphan: no spec.owner: left out');
    expect(run.stderr).toContain('skipped service shop (declared in tend.yaml)');

    const services = (await api(t, t.adminKey, 'GET', '/api/v1/services')).body.services;
    expect(services.map((s: { name: string; imported: boolean }) => `${s.name}:${s.imported}`)).toEqual(['shop:false', 'checkout:true', 'checkout-api:true']);
    const shop = services.find((s: { name: string }) => s.name === 'shop');
    expect(shop).toMatchObject({ owner: 'platform', tier: 2 });
    const checkout = (await api(t, t.adminKey, 'GET', '/api/v1/services/checkout')).body;
    expect(checkout).toMatchObject({ owner: 'payments', tier: 1, depends_on: ['ledger', 'checkout-db'], runbook: { location: 'https://wiki.example.com/checkout/runbook', state: 'external' } });
    expect(checkout.handoff.status).toBe('not_ready');
    expect(checkout.handoff.missing).toContain('schedule: no on-call schedule');
    const teams = (await api(t, t.adminKey, 'GET', '/api/v1/teams')).body.teams;
    expect(teams.map((x: { name: string; imported: boolean }) => `${x.name}:${x.imported}`)).toEqual(['platform:false', 'payments:true']);

    // --json prints the same entries as JSON.
    const json = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', 'catalog', 'import', ...files, '--json'], { env: cleanEnv });
    expect(JSON.parse(json.stdout).services).toHaveLength(3);

    // A bad file is a 400 naming it.
    const bad = await api(t, t.adminKey, 'POST', '/api/v1/catalog/import', { files: [{ name: 'x.yaml', text: 'kind: Component\nmetadata: {}\n' }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toBe('files: x.yaml: document 1: metadata.name: Invalid input: expected string, received undefined');
  }, 60_000);

  it('keeps imported entries across a restart', async () => {
    await t.close();
    t = await startAlertsTend(YAML, t.dataDir);
    const names = (await api(t, t.adminKey, 'GET', '/api/v1/services')).body.services.map((s: { name: string }) => s.name);
    expect(names).toEqual(['shop', 'checkout', 'checkout-api']);
  }, 30_000);
});
