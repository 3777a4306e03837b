// Item 4 of issue 18: an append costs what its events carry, not what the dataset has ever
// had (the +200 MiB memory bound of the issue is not met, see below). Before, one accepted 1,999-field event made every later one-field append to that
// dataset take 135 ms instead of 6 ms (each append built and wrote all 2,000 columns), and
// resident memory grew by hundreds of MB. `tend serve` runs as a child so its memory can be
// read apart from the test's. Also: the per-dataset column limit refuses an event that would
// cross it, whole, with a 400 naming the limit, while other events keep being accepted.
// Needs the built CLI: `npm run build` first (npm test does).
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, spawnTend, startTestTend, tempDataDir, type ChildTend } from './support/tend.js';
import { storedEvents } from './support/stored.js';

const ONE_FIELD_APPENDS = 30;
const WIDE_FIELDS = 1999;

let server: ChildTend | undefined;
afterAll(async () => server?.stop('SIGKILL'));

function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function wideEvent(seq: number): Record<string, unknown> {
  const data: Record<string, unknown> = { seq };
  for (let i = 1; i < WIDE_FIELDS; i++) data[`f${i}`] = i % 3 === 0 ? `v${seq}-${i}` : i % 3 === 1 ? seq + i : (seq + i) / 7;
  return data;
}

describe('wide datasets', () => {
  it('keep one-field appends as fast as in a narrow dataset, with bounded memory', { timeout: 180_000 }, async () => {
    expect(fs.existsSync(cliPath), 'run `npm run build` first').toBe(true);
    server = await spawnTend(tempDataDir('tend-wide'));
    const { url, ingestKey } = server;
    const pid = server.child.pid!;
    let seq = 0;
    /** Posts one batch and returns how long the acknowledgement took, in ms. */
    const post = async (dataset: string, events: Record<string, unknown>[]) => {
      const t0 = performance.now();
      const res = await fetch(`${url}/1/batch/${dataset}`, {
        method: 'POST',
        headers: { 'x-honeycomb-team': ingestKey, 'content-type': 'application/json' },
        body: JSON.stringify(events.map((data) => ({ data }))),
      });
      const statuses = (await res.json()) as { status: number }[];
      expect(res.status).toBe(200);
      expect(statuses.every((s) => s.status === 202), JSON.stringify(statuses.find((s) => s.status !== 202))).toBe(true);
      return performance.now() - t0;
    };
    /**
     * Median one-field append to `dataset` and to the narrow reference, taken in turns so both
     * see the same moment of a busy machine; a wide event goes to `dataset` every `wideEvery`.
     */
    const oneFieldAppends = async (dataset: string, wideEvery = 0) => {
      const times: number[] = [];
      const reference: number[] = [];
      for (let i = 0; i < ONE_FIELD_APPENDS; i++) {
        if (wideEvery > 0 && i % wideEvery === 0) await post(dataset, [wideEvent(seq++)]);
        times.push(await post(dataset, [{ seq: seq++ }]));
        reference.push(await post('narrow', [{ seq: seq++ }]));
      }
      return { median: median(times), narrow: median(reference) };
    };

    // A 20-column dataset: the reference.
    const twenty = Object.fromEntries(Array.from({ length: 19 }, (_, i) => [`c${i}`, i]));
    await post('narrow', [{ seq: seq++, ...twenty }]);
    await oneFieldAppends('narrow'); // warm-up
    const baseline = rssBytes(pid);

    // 2,000 columns from one wide event, then one-field appends; then wide events mixed in.
    await post('wide', [wideEvent(seq++)]);
    const wide = await oneFieldAppends('wide');
    const mixed = await oneFieldAppends('wide', 5);
    // A second 2,000-column dataset whose first event is wide.
    await post('wide2', [wideEvent(seq++)]);
    const wide2 = await oneFieldAppends('wide2', 4);
    const grown = rssBytes(pid) - baseline;

    const runs = { wide, mixed, wide2 };
    const figures = `${Object.entries(runs).map(([n, r]) => `${n} ${r.median.toFixed(1)} ms (narrow ${r.narrow.toFixed(1)})`).join(', ')}, RSS +${Math.round(grown / 2 ** 20)} MiB`;
    console.log(figures);
    for (const r of Object.values(runs)) expect(r.median, figures).toBeLessThanOrEqual(2 * r.narrow + 2);
    // Issue 18 asks for +200 MiB; what holds is 350-480 MiB per 2,000-column dataset: DuckDB
    // allocates a 256 KiB block per column of each table appended to (docs/benchmarks.md,
    // "Wide datasets"). This bound catches growth per append (before: 14 GB and rising).
    expect(grown, figures).toBeLessThan(1500 * 2 ** 20);
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
