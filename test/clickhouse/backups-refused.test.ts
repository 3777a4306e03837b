// With events in ClickHouse, a backup of a node's data folder would hold none of them: the
// backups API refuses (409, saying why) and tend.yaml's schedule is not run, rather than
// writing backups that restore an empty store.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickHouseServer, stopClickHouseServer } from '../support/event-stores.js';
import { startTestTend, tempDataDir, type TestTend } from '../support/tend.js';

let t: TestTend;
beforeAll(async () => {
  const config = path.join(tempDataDir('tend-backups-refused-config'), 'tend.yaml');
  fs.writeFileSync(config, `environment: production\nbackups:\n  schedule: "0 3 * * *"\n  dest: ${tempDataDir('tend-backups-refused')}\n`);
  process.env.TEND_TEST_EVENTS = (await clickHouseServer()).url.replace('http://', 'clickhouse://default:@');
  t = await startTestTend({ config });
}, 60_000);
afterAll(async () => {
  await t?.close();
  delete process.env.TEND_TEST_EVENTS;
  await stopClickHouseServer();
});

describe('backups with events in ClickHouse', () => {
  it('are refused with 409 naming why, and the schedule is not run', async () => {
    const headers = { authorization: `Bearer ${t.adminKey}`, 'content-type': 'application/json' };
    const res = await fetch(`${t.url}/api/v1/backups`, { method: 'POST', headers, body: JSON.stringify({ dest: tempDataDir('tend-backups-refused-api') }) });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: string }).error).toMatch(/^backups: the events are in ClickHouse/);
    const list = (await (await fetch(`${t.url}/api/v1/backups`, { headers })).json()) as { backups: unknown[]; schedule: unknown; refused: string };
    expect(list).toMatchObject({ backups: [], schedule: null, refused: expect.stringContaining('ClickHouse') });
    expect(t.tend.backups.schedule).toBeUndefined();
  });
});
