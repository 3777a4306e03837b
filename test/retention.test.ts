// Retention per dataset: tend.yaml's rules (exact name over pattern, longer pattern over
// shorter, else the default), --retention-days over the file's default, whole day partitions
// dropped by the sweep at start, and the effective retention in GET /api/v1/datasets and
// `tend datasets list`.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, startTestTend, tempDataDir, type TestTend } from './support/tend.js';

const DAY_US = 86_400_000_000;
const dataDir = tempDataDir('tend-retention');
const configFile = path.join(dataDir, 'tend.yaml');
fs.writeFileSync(
  configFile,
  ['retention:', '  default: 30d', '  datasets: {"tend.audit": 400d, "web-*": 14d, "web-checkout": 90d, "web-check*": 3d, archive: 0}', ''].join('\n'),
);

let t: TestTend | undefined;
afterAll(async () => {
  await t?.close();
});

const nowUs = () => Date.now() * 1000;
const daysAgo = (d: number) => nowUs() - d * DAY_US;

/** How many events of `dataset` lie within a second of `us`. */
async function eventsAt(dataset: string, us: number): Promise<number> {
  const s = Math.floor(us / 1e6);
  const res = await fetch(`${t!.url}/api/v1/events/${encodeURIComponent(dataset)}/search`, {
    method: 'POST',
    headers: { 'x-honeycomb-team': t!.adminKey, 'content-type': 'application/json' },
    body: JSON.stringify({ start_time: s - 1, end_time: s + 2 }),
  });
  if (res.status === 404) return 0;
  expect(res.status).toBe(200);
  return ((await res.json()) as { events: unknown[] }).events.length;
}

function cli(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['--import', 'tsx', path.join(repoRoot, 'src/cli/index.ts'), ...args, '--url', t!.url, '--key', t!.adminKey], { cwd: repoRoot, env: { ...process.env, TEND_KEY: '', TEND_URL: '' } }, (error, stdout, stderr) =>
      error ? reject(new Error(`${error.message}\n${stderr}`)) : resolve(stdout),
    ),
  );
}

describe('retention per dataset', () => {
  it('drops whole days past each dataset’s retention and shows the retention of each', async () => {
    t = await startTestTend({ data: dataDir, config: configFile });
    const env = (await t.tend.auth.environment('production'))!;
    // The day the 14-day cutoff falls in is kept whole, its first second older than 14 days too.
    const cutoffDayUs = Math.floor(daysAgo(14) / DAY_US) * DAY_US;
    const times: Record<string, { kept: number[]; dropped: number[] }> = {
      api: { kept: [daysAgo(20)], dropped: [daysAgo(40)] },
      'web-home': { kept: [daysAgo(10), cutoffDayUs + 1e6], dropped: [cutoffDayUs - 1e6, daysAgo(20)] },
      'web-checkout': { kept: [daysAgo(20), daysAgo(80)], dropped: [daysAgo(100)] },
      'web-checkout-eu': { kept: [daysAgo(1)], dropped: [daysAgo(5)] },
      'tend.audit': { kept: [daysAgo(300)], dropped: [daysAgo(500)] },
      archive: { kept: [daysAgo(3000)], dropped: [] },
    };
    expect(cutoffDayUs + 1e6).toBeLessThan(daysAgo(14));
    for (const [dataset, { kept, dropped }] of Object.entries(times)) {
      await t.tend.ingest.pipeline.submit(env, dataset, [...kept, ...dropped].map((time) => ({ time, samplerate: 1, fields: { dataset } })));
    }
    const count = async (list: number[], dataset: string) => (await Promise.all(list.map((us) => eventsAt(dataset, us)))).reduce((a, b) => a + b, 0);
    const stored = async () => {
      const out: Record<string, [number, number]> = {};
      for (const [dataset, { kept, dropped }] of Object.entries(times)) out[dataset] = [await count(kept, dataset), await count(dropped, dataset)];
      return out;
    };
    expect(await stored()).toEqual({ api: [1, 1], 'web-home': [2, 2], 'web-checkout': [2, 1], 'web-checkout-eu': [1, 1], 'tend.audit': [1, 1], archive: [1, 0] });

    // The sweep runs at every start (and hourly).
    await t.close();
    t = await startTestTend({ data: dataDir, config: configFile });
    expect(await stored()).toEqual({ api: [1, 0], 'web-home': [2, 0], 'web-checkout': [2, 0], 'web-checkout-eu': [1, 0], 'tend.audit': [1, 0], archive: [1, 0] });

    const res = await fetch(`${t.url}/api/v1/datasets`, { headers: { 'x-honeycomb-team': t.adminKey } });
    const listed = (await res.json()) as { datasets: { name: string; retention_days: number | null; retention_rule: string }[]; default_retention_days: number };
    const retention = Object.fromEntries(listed.datasets.filter((d) => d.name in times).map((d) => [d.name, [d.retention_days, d.retention_rule]]));
    expect(retention).toEqual({
      api: [30, 'default'],
      archive: [null, 'archive'],
      'tend.audit': [400, 'tend.audit'],
      'web-checkout': [90, 'web-checkout'],
      'web-checkout-eu': [3, 'web-check*'],
      'web-home': [14, 'web-*'],
    });
    expect(listed.default_retention_days).toBe(30);

    const [jsonText, table] = await Promise.all([cli('datasets', 'list', '--json'), cli('datasets', 'list')]);
    const json = JSON.parse(jsonText);
    expect(json.datasets.find((d: { name: string }) => d.name === 'web-home')).toMatchObject({ retention_days: 14, retention_rule: 'web-*' });
    expect(table).toMatch(/^DATASET\s+RETENTION\s+RULE\s+CREATED$/m);
    expect(table).toMatch(/^archive\s+for ever\s+archive\s+\d{4}-\d\d-\d\d$/m);
    expect(table).toMatch(/^web-checkout-eu\s+3d\s+web-check\*/m);
    expect(table).toMatch(/^default retention: 30d$/m);

    // --retention-days sets the default over the file's; the named datasets keep theirs.
    await t.close();
    t = await startTestTend({ data: dataDir, config: configFile, retentionDays: 7 });
    expect(await stored()).toEqual({ api: [0, 0], 'web-home': [2, 0], 'web-checkout': [2, 0], 'web-checkout-eu': [1, 0], 'tend.audit': [1, 0], archive: [1, 0] });
    const again = await (await fetch(`${t.url}/api/v1/datasets`, { headers: { 'x-honeycomb-team': t.adminKey } })).json();
    expect(again.default_retention_days).toBe(7);
    expect(again.datasets.find((d: { name: string }) => d.name === 'api')).toMatchObject({ retention_days: 7, retention_rule: 'default' });
  }, 60_000);
});
