// Cheap to keep (issue 12 item 4): a round computes only the minutes it lacks. The first round
// computes the SLO's whole span; the next only the new minute; events written late into
// minutes already computed are noted by the write path and those minutes recomputed in the
// next round; a changed SLI rebuilds everything; after a restart the rollups come back from
// the metadata store and only the newest hour is recomputed.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { callTend } from './support/slos.js';
import { startTestTend, tempDataDir, type TestTend } from './support/tend.js';

const MIN = 60_000;
const B = Math.floor((Date.now() - 2 * 86_400_000) / MIN) * MIN;
let t: TestTend | undefined;

async function api(method: string, p: string, body?: unknown): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await callTend(t!.url, t!.adminKey, method, p, body);
  if (res.status >= 300) throw new Error(`${method} ${p}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

const send = (minute: number, status: number, samplerate = 1) => api('POST', '/1/batch/web', [{ time: new Date(B + minute * MIN + 5000).toISOString(), samplerate, data: { status } }]);
const evaluate = (minute: number) => t!.tend.slos.service.evaluateNow(undefined, B + minute * MIN + 30_000);
const numbers = async () => {
  const s = await api('GET', '/api/v1/slos/web-ok');
  return { eligible: s.eligible, good: s.good };
};

afterAll(() => t?.close());

describe('SLO rollups', () => {
  it('compute only missing and late minutes, rebuild on a new SLI, and survive a restart', async () => {
    const dir = tempDataDir('slo-rollups');
    const file = path.join(dir, 'tend.yaml');
    fs.writeFileSync(file, `
derived_columns:
  - { dataset: web, alias: ok, expression: 'LT($status, 500)' }
`);
    t = await startTestTend({ data: dir, config: file });
    for (let m = -100; m < 0; m += 10) await send(m, m % 20 === 0 ? 500 : 200, 3);
    await api('POST', '/1/slos/web', { name: 'web-ok', sli: { alias: 'ok' }, time_period_days: 1, target_per_million: 990_000 });

    // First round: the whole span (3 days, the longest burn-rate window).
    expect((await evaluate(0)).minutesComputed).toBe(3 * 1440);
    expect(await numbers()).toEqual({ eligible: 30, good: 15 });

    // Next minute: only that minute.
    const next = await evaluate(1);
    expect(next.minutesComputed).toBe(1);
    expect(next.queries).toBe(1);

    // Late events into minutes computed long ago: those minutes (and the new one) are recomputed.
    await send(-50, 500, 4);
    await send(-1000, 200, 2);
    const late = await evaluate(2);
    expect(late.minutesComputed).toBe(3);
    expect(await numbers()).toEqual({ eligible: 36, good: 17 });

    // A changed SLI (its derived column) rebuilds the span with the new expression.
    const dc = (await api('GET', '/1/derived_columns/web'))[0];
    expect(dc.alias).toBe('ok');
    await t.close();
    fs.writeFileSync(file, `
derived_columns:
  - { dataset: web, alias: ok, expression: 'LT($status, 400)' }
`);
    // After a restart: rollups come back from the metadata store, keyed by the SLI they were
    // computed for, so the new expression rebuilds everything...
    t = await startTestTend({ data: dir, config: file });
    expect((await evaluate(3)).minutesComputed).toBe(3 * 1440);
    expect(await numbers()).toEqual({ eligible: 36, good: 17 });
    // ...and with the same SLI, a restart recomputes only the newest hour (the new minute is its last).
    await t.close();
    t = await startTestTend({ data: dir, config: file });
    expect((await evaluate(4)).minutesComputed).toBe(60);
    expect(await numbers()).toEqual({ eligible: 36, good: 17 });
  }, 60_000);
});
