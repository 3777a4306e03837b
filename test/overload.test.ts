// Item 6 of issue 2: past its bounded queue Tend answers 429 with Retry-After, never 5xx, stays
// live, stores every event it accepted, and its memory stays bounded. `tend serve` runs as a
// child process with a small queue (TEND_MAX_QUEUED_EVENTS) so its RSS can be read from /proc
// apart from the test's own memory. Needs the built CLI: `npm run build` first.
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, spawnTend, startTestTend, tempDataDir, type ChildTend } from './support/tend.js';
import { seqProblems, storedSeqCounts } from './support/seq-counts.js';
import { batchBody, FLOOD_BATCH_EVENTS } from './support/flood-batch.js';

const QUEUE_EVENTS = 5_000;
/** More clients than the server admits at once (MAX_INGEST_IN_FLIGHT = 64). */
const CLIENTS = 96;
const BATCH_EVENTS = FLOOD_BATCH_EVENTS;
/** The flood runs until it has sent this much (1.5 times the memory bound below), or for 90 s (it takes 15 s on an idle machine, 60-75 s at load average 20). */
const FLOOD_BYTES = 600 * 1024 ** 2;
const FLOOD_MAX_MS = 90_000;
const RSS_BOUND = 400 * 1024 ** 2;
const DATASET = 'flood';

let server: ChildTend | undefined;
afterAll(async () => server?.stop('SIGKILL'));

function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m![1]) * 1024;
}

describe('overload', () => {
  it('answers 429 with Retry-After past the queue bound, never 5xx, and keeps memory bounded', { timeout: 150_000 }, async () => {
    expect(fs.existsSync(cliPath), 'run `npm run build` first').toBe(true);
    const dataDir = tempDataDir('tend-flood');
    // Checkpoints by log size only, as on a fast machine: there 6 s of appends (the other
    // trigger) outlast the flood, and the rows DuckDB holds until a checkpoint are bounded by
    // the log size alone (a loaded machine checkpointed by time and hid that: CI measured +422 MB).
    server = await spawnTend(dataDir, 0, { TEND_MAX_QUEUED_EVENTS: String(QUEUE_EVENTS), TEND_CHECKPOINT_AFTER_WRITES: '0' });
    const { url, ingestKey } = server;
    const pid = server.child.pid!;
    const post = (body: string) =>
      fetch(`${url}/1/batch/${DATASET}`, { method: 'POST', headers: { 'x-honeycomb-team': ingestKey, 'content-type': 'application/json' }, body });

    // Warm up (first dataset write, DuckDB caches) so the baseline is the server at work.
    expect((await post(batchBody(-BATCH_EVENTS))).status).toBe(200);
    const baseline = rssBytes(pid);

    const statuses = new Map<number, number>();
    const badRetryAfter: string[] = [];
    const failures: string[] = [];
    const acked: number[] = [];
    let peak = baseline;
    let sentBytes = 0;
    let nextSeq = 0;
    const deadline = Date.now() + FLOOD_MAX_MS;
    const flooding = () => sentBytes < FLOOD_BYTES && Date.now() < deadline;

    const sampler = setInterval(() => (peak = Math.max(peak, rssBytes(pid))), 20);
    const probes: number[] = [];
    const prober = (async () => {
      while (flooding()) {
        const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(5_000) }).catch(() => undefined);
        probes.push(res?.status ?? 0);
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const flood = Array.from({ length: CLIENTS }, async () => {
      while (flooding()) {
        const first = nextSeq;
        nextSeq += BATCH_EVENTS;
        const body = batchBody(first);
        sentBytes += body.length;
        try {
          // A flood ignores Retry-After and comes straight back.
          const res = await post(body);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          const text = await res.text();
          if (res.status === 429 && !/^[1-9]\d*$/.test(res.headers.get('retry-after') ?? '')) badRetryAfter.push(String(res.headers.get('retry-after')));
          if (res.status === 200) {
            const answers = JSON.parse(text) as { status: number }[];
            answers.forEach((a, i) => a.status === 202 && acked.push(first + i));
          }
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    });
    await Promise.all([...flood, prober]);
    clearInterval(sampler);

    const counts = Object.fromEntries(statuses);
    expect(statuses.get(429) ?? 0, JSON.stringify(counts)).toBeGreaterThan(0);
    expect(statuses.get(200) ?? 0, JSON.stringify(counts)).toBeGreaterThan(0);
    expect([...statuses.keys()].filter((s) => s !== 200 && s !== 429), JSON.stringify(counts)).toEqual([]);
    expect(badRetryAfter).toEqual([]);
    expect(failures.slice(0, 5)).toEqual([]);
    expect(probes.length).toBeGreaterThan(5);
    expect(probes.filter((s) => s !== 200)).toEqual([]);

    // The bound: the server parses at most 16 MiB of bodies at once (MAX_INGEST_BYTES_IN_FLIGHT,
    // ~55 of these batches, their events taking 3-5 times that) and queues at most QUEUE_EVENTS
    // events; DuckDB holds the rows appended since the last checkpoint (32 MiB of log: ~45 MB);
    // the rest is garbage awaiting collection (bodies the flood sends pass through 64 KB socket
    // buffers). Measured: +196-217 MB on Node 20 and 22, +298-320 MB on Node 24, whose V8 grows
    // the young generation to 128 MB under sustained allocation where 20 and 22 stop at 32 MB
    // (docs/benchmarks.md, "Memory under a flood"). A server that kept what it was sent, even
    // as raw text, would fail it: the flood sends 1.5 times as much.
    expect(sentBytes).toBeGreaterThanOrEqual(FLOOD_BYTES);
    const figures = `baseline ${baseline >> 20} MB, peak ${peak >> 20} MB (+${(peak - baseline) >> 20} MB), sent ${sentBytes >> 20} MB, answers ${JSON.stringify(counts)}`;
    console.info(`overload on Node ${process.versions.node}: ${figures}`);
    expect(peak - baseline, figures).toBeLessThan(RSS_BOUND);

    // Overload passes: a batch goes through once the flood stops.
    const after = await post(batchBody(nextSeq));
    expect(after.status).toBe(200);
    acked.push(...Array.from({ length: BATCH_EVENTS }, (_, i) => nextSeq + i));
    const metrics = await fetch(`${url}/metrics`, { headers: { 'x-honeycomb-team': ingestKey } }).then((r) => r.text());
    expect(Number(/^tend_ingest_requests_refused_total (\d+)$/m.exec(metrics)?.[1])).toBe(statuses.get(429));

    await server.stop('SIGTERM');
    server = undefined;
    const t = await startTestTend({ data: dataDir });
    try {
      const problems = seqProblems(acked, await storedSeqCounts(t.tend, DATASET));
      expect(problems.missing.length).toBe(0);
      expect(problems.duplicated.length).toBe(0);
    } finally {
      await t.close();
    }
  });
});
