// tend slo list and tend slo show NAME (issue 12 item 6) against a running server: the table,
// the detail with its budget sparkline, and --json as the API answers.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliPath, startTestTend, tempDataDir, type TestTend } from './support/tend.js';

let t: TestTend;
const MIN = 60_000;
const T0 = Math.floor((Date.now() - 2 * 86_400_000) / MIN) * MIN;

function tend(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cliPath, ...args, '--url', t.url, '--key', t.adminKey], { env: { ...process.env, TEND_KEY: '', TEND_URL: '' } }, (error, stdout, stderr) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }));
  });
}

beforeAll(async () => {
  if (!fs.existsSync(cliPath)) throw new Error('run `npm run build` first');
  const dir = tempDataDir('slo-cli');
  const file = path.join(dir, 'tend.yaml');
  fs.writeFileSync(file, `
slo_interval: 1d
slos:
  - { name: web-ok, dataset: web, sli: 'LT($status, 500)', target: 99, period_days: 7, burn_alerts: [{ kind: burn_rate, preset: sre }] }
`);
  t = await startTestTend({ data: dir, config: file });
  const env = (await t.tend.auth.environment('production'))!;
  // Healthy for three days, then a bad hour.
  const events = [];
  for (let h = 72; h > 1; h--) events.push({ time: (T0 - h * 3_600_000) * 1000, samplerate: 6000, fields: { status: 200 } });
  for (let m = 60; m > 0; m--) events.push({ time: (T0 - m * MIN) * 1000, samplerate: 100, fields: { status: m % 2 ? 503 : 200 } });
  await t.tend.ingest.pipeline.submit(env, 'web', events);
  await t.tend.slos.service.evaluateNow(undefined, T0);
}, 30_000);

afterAll(() => t?.close());

describe('tend slo', () => {
  it('lists SLOs with their numbers and firing burn alerts, as a table and as JSON', async () => {
    const table = await tend('slo', 'list');
    expect(table.code, table.stderr).toBe(0);
    const [header, row] = table.stdout.trim().split('\n');
    expect(header).toMatch(/^NAME\s+DATASETS\s+TARGET\s+PERIOD\s+COMPLIANCE\s+BUDGET LEFT\s+BURN 1H\s+FIRING$/);
    // 432,000 requests, 3,000 bad (all in the last hour): 30.6% of the budget left, 50.85x over
    // the last hour (59 of its minutes, 30 of them bad), 10x over 6 h: both page rules fire.
    expect(row).toMatch(/^web-ok\s+web\s+99%\s+7d\s+99\.306%\s+30\.6%\s+50\.85\s+burn_rate\/1h burn_rate\/6h$/);
    const json = JSON.parse((await tend('slo', 'list', '--json')).stdout);
    expect(json.slos[0]).toMatchObject({ name: 'web-ok', eligible: 432_000, good: 429_000 });
  });

  it('shows one SLO with its budget over the period as a sparkline', async () => {
    const shown = await tend('slo', 'show', 'web-ok');
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('good/eligible 429000 / 432000');
    expect(shown.stdout).toMatch(/burn rates {4}5m 50\.00x {2}30m 51\.72x {2}1h 50\.85x {2}6h 10\.00x {2}1d 2\.17x {2}3d 0\.70x/);
    expect(shown.stdout).toContain('firing        burn_rate/1h (page), burn_rate/6h (page)');
    // Seven days: full until the last, which spent 70% of the budget.
    expect(shown.stdout).toMatch(/budget {8}█{6}▃ {2}\d{4}-\d\d-\d\d \.\. now/);
    const json = JSON.parse((await tend('slo', 'show', 'web-ok', '--json')).stdout);
    expect(json.history).toHaveLength(7);
    const missing = await tend('slo', 'show', 'nope');
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/no SLO named "nope"/);
  });
});
