// Item 4 of issue 18: an append costs what its events carry, not what the dataset has ever
// had. Before, one accepted 1,999-field event made every later one-field append to that
// dataset take 135 ms instead of 6 ms (each append built and wrote all 2,000 columns), and
// resident memory grew without bound (14 GB with wide events mixed in). `tend serve` runs as a
// child so its memory can be read apart from the test's. Also: the per-dataset column limit
// refuses an event that would cross it, whole, with a 400 naming the limit, while other events
// keep being accepted.
// Needs the built CLI: `npm run build` first (npm test does).
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, spawnTend, startTestTend, tempDataDir, type ChildTend } from './support/tend.js';
import { storedEvents } from './support/stored.js';
import { api } from './support/alerts.js';
import { describeRun, runWideWorkload, wideEvent } from './support/wide-workload.js';

/** Every `tend serve` child the tests start, stopped at the end whether they passed or not. */
const children: ChildTend[] = [];
const spawned = async (...args: Parameters<typeof spawnTend>) => {
  const child = await spawnTend(...args);
  children.push(child);
  return child;
};
afterAll(async () => {
  for (const child of children) await child.stop('SIGKILL');
});

describe('wide datasets', () => {
  it('keep one-field appends as fast as in a narrow dataset, with bounded memory', { timeout: 180_000 }, async () => {
    expect(fs.existsSync(cliPath), 'run `npm run build` first').toBe(true);
    const server = await spawned(tempDataDir('tend-wide'));
    const run = await runWideWorkload(server.url, server.ingestKey, server.child.pid!);
    const figures = describeRun(run);
    console.log(figures);
    for (const r of [run.wide, run.mixed, run.wide2]) expect(r.median, figures).toBeLessThanOrEqual(2 * r.narrow + 2);
    // Issue 18 asks for +200 MB, which no design measured so far reaches: DuckDB keeps memory
    // per column of each table appended to and per column checkpointed, 390-1,000 MiB for these
    // two 2,000-column datasets whatever the block size or allocator (docs/benchmarks.md,
    // "Memory of wide datasets", `npm run bench:wide-memory`). This bound catches growth per
    // append (before: 14 GB and rising).
    expect(run.grown, figures).toBeLessThan(1500 * 2 ** 20);
  });
});

describe('a dataset wider than the memory limit allows', () => {
  // Appending to a table after a checkpoint takes a block per column of buffer memory: one
  // 1,999-field event to a checkpointed 2,000-column table needs about 1 GB, all of a 1 GB
  // --memory-limit (the default below 5 GB of RAM). That answered 500 before; it is a 503 the
  // client may retry, and the dataset's one-field events and other datasets keep going in.
  it('answers 503 with Retry-After for the wide event and keeps taking the rest', { timeout: 120_000 }, async () => {
    const dir = tempDataDir('tend-wide-memory');
    const args = ['--memory-limit', '1GB'];
    const post = async (t: ChildTend, dataset: string, data: Record<string, unknown>) => {
      const res = await fetch(`${t.url}/1/events/${dataset}`, { method: 'POST', headers: { 'x-honeycomb-team': t.ingestKey, 'content-type': 'application/json' }, body: JSON.stringify(data) });
      const text = await res.text();
      return { status: res.status, retryAfter: res.headers.get('retry-after'), body: (text ? JSON.parse(text) : {}) as { error?: string } };
    };
    const first = await spawned(dir, 0, {}, args);
    expect((await post(first, 'wide', wideEvent(1))).status, first.output()).toBe(202);
    await first.stop('SIGTERM'); // the clean stop checkpoints the table
    const server = await spawned(dir, 0, {}, args);
    const refused = await post(server, 'wide', wideEvent(2));
    expect(refused, server.output()).toMatchObject({ status: 503, retryAfter: expect.stringMatching(/^\d+$/), body: { error: expect.stringMatching(/memory \(--memory-limit\) is used up/) } });
    expect(server.output()).not.toMatch(/internal error|"level":50/);
    expect((await post(server, 'wide', { seq: 3 })).status, server.output()).toBe(202);
    expect((await post(server, 'narrow', { seq: 4, endpoint: '/pay' })).status, server.output()).toBe(202);
    const stored = await api(server, server.adminKey, 'POST', '/api/v1/query/wide', { time_range: 3600, calculations: [{ op: 'COUNT' }], breakdowns: ['seq'], orders: [{ column: 'seq' }] });
    expect(stored.body.data.results.map((r: { data: Record<string, unknown> }) => r.data)).toEqual([{ seq: 1, COUNT: 1 }, { seq: 3, COUNT: 1 }]);
  });
});

describe('per-dataset column limit', () => {
  it('refuses an event that would cross it, whole, with a 400 naming the limit, and keeps accepting others', async () => {
    const t = await startTestTend({ maxColumnsPerDataset: 30 });
    try {
      const headers = { 'x-honeycomb-team': t.ingestKey, 'content-type': 'application/json' };
      const fields = (prefix: string, n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`${prefix}${i}`, i]));
      const res = await fetch(`${t.url}/1/batch/limited`, {
        method: 'POST',
        headers,
        body: JSON.stringify([
          { data: { seq: 1, ...fields('a', 25) } }, // 26 columns
          { data: { seq: 2, ...fields('b', 10) } }, // would make 36: refused whole
          { data: { seq: 3, a0: 7, ...fields('c', 3) } }, // 29: fits
          { data: { seq: 4, a1: 8 } }, // existing columns only
          { data: { seq: 5, ...fields('d', 2) } }, // 31: refused
        ]),
      });
      expect(res.status).toBe(200);
      const statuses = (await res.json()) as { status: number; error?: string }[];
      expect(statuses.map((s) => s.status)).toEqual([202, 400, 202, 202, 400]);
      expect(statuses[1].error).toMatch(/more than 30 columns.*column limit/);

      // A single event: 400 naming the limit. Then an event within the limit still goes in.
      const single = await fetch(`${t.url}/1/events/limited`, { method: 'POST', headers, body: JSON.stringify({ seq: 6, ...fields('e', 5) }) });
      expect(single.status).toBe(400);
      expect(((await single.json()) as { error: string }).error).toMatch(/more than 30 columns/);
      const ok = await fetch(`${t.url}/1/events/limited`, { method: 'POST', headers, body: JSON.stringify({ seq: 7, c0: 1, x: 'new' }) });
      expect(ok.status).toBe(202);

      const stored = await storedEvents(t.tend, 'limited');
      expect(stored.map((e) => e.seq).sort()).toEqual([1, 3, 4, 7]);
      const env = (await t.tend.auth.environment('production'))!;
      const columns = await t.tend.store.columns((await t.tend.datasets.find(env.id, 'limited'))!.id);
      expect(columns.length).toBe(30);
      expect(columns.some((c) => /^[bde]\d/.test(c.name))).toBe(false);
      // Other datasets have their own count.
      const other = await fetch(`${t.url}/1/batch/other`, { method: 'POST', headers, body: JSON.stringify([{ data: fields('z', 29) }]) });
      expect(((await other.json()) as { status: number }[])[0].status).toBe(202);
    } finally {
      await t.close();
    }
  });
});
