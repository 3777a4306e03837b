// Bad input never costs a 5xx on any query-like route (issue 18 item 6): random, mostly-wrong
// requests (odd types, unknown columns, columns only an idle dataset has, fields typed
// differently across datasets, broken expressions, extreme numbers) to queries, stored queries
// and results, event search, BubbleUp, trace look-ups and column lists, over single datasets
// and `__all__`, get 200 or a 4xx whose error names the field. This is the quick set CI runs;
// `npm run fuzz` runs 100,000 cases of the same generator (scripts/query-fuzz.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { injector, runFuzz, seedFuzzData } from './support/query-fuzz.js';
import { startTestTend, type TestTend } from './support/tend.js';

let t: TestTend;
const CASES = 1500;

beforeAll(async () => {
  t = await startTestTend();
  await seedFuzzData(async (dataset, events) => {
    const res = await fetch(`${t.url}/1/batch/${dataset}`, { method: 'POST', headers: { 'x-honeycomb-team': t.ingestKey }, body: JSON.stringify(events) });
    return res.status;
  });
});
afterAll(async () => t?.close());

describe('query-like routes under random input', () => {
  it(`answer ${CASES.toLocaleString('en')} random cases with 200 or a 4xx naming the field, never a 5xx`, { timeout: 300_000 }, async () => {
    const seed = Number(process.env.FUZZ_SEED ?? 20261120);
    const report = await runFuzz(injector(t.tend.app, t.adminKey), CASES, seed);
    expect(report.failures.slice(0, 5), `seed ${seed}`).toEqual([]);
    // Every route must have succeeded often enough that the engine was reached.
    for (const route of ['query', 'queries', 'query_results', 'search', 'bubbleup', 'columns']) {
      const ok = Object.entries(report.statuses[route] ?? {}).filter(([status]) => Number(status) < 300).reduce((n, [, count]) => n + count, 0);
      expect(ok, `${route}: ${JSON.stringify(report.statuses[route])}`).toBeGreaterThan(10);
    }
  });
});
