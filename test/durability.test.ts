// Item 5 of issue 2: an acknowledged write survives `kill -9`. `tend serve` runs as a child
// process under continuous ingest from several clients and is killed with SIGKILL at random
// moments, then restarted on the same data folder. Every event that got a 202 must be stored
// exactly once, and no event (acknowledged or not) may be stored twice.
// Needs the built CLI: `npm run build` first (npm test does).
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { cliPath, spawnTend, startTestTend, tempDataDir, type ChildTend } from './support/tend.js';
import { seededRandom } from './support/random.js';
import { seqProblems, storedSeqCounts } from './support/seq-counts.js';

const KILLS = 10;
const CLIENTS = 4;
const DATASET = 'crash-test';
const DAY_MS = 86_400_000;

const random = seededRandom();
let current: ChildTend | undefined;
afterAll(async () => current?.stop('SIGKILL'));

interface Round {
  acked: number[];
  /** Requests that failed before the kill: none may. */
  unexpected: string[];
}

type BatchOf = (seqs: number[], round: number) => unknown[];

/** Small batches over three days, a new column now and then: kills land in schema changes too. */
const smallBatches = {
  size: () => random.int(1, 300),
  batch: ((seqs, round) =>
    seqs.map((seq) => ({
      time: new Date(Date.now() - random.int(0, 2) * DAY_MS).toISOString(),
      samplerate: random.int(1, 4),
      data: { seq, round, customer: `c-${random.int(1, 5000)}`, http: { status: random.pick([200, 404, 500]) }, ...(random.next() < 0.01 ? { [`extra_${seq}`]: seq } : {}) },
    }))) as BatchOf,
};

/**
 * The heaviest part of the write path: full batches of 20-field events with long strings
 * (laid out in DuckDB's vector format, the long ones through the vector's heap), now and then
 * a 300-field event that starts its own table, over two days, so commits are large and back
 * to back when the kill lands.
 */
const heavyBatches = {
  size: () => random.int(800, 1000),
  batch: ((seqs, round) =>
    seqs.map((seq) => {
      const data: Record<string, unknown> = {
        seq,
        round,
        trace_id: `${seq.toString(16).padStart(32, '0')}`,
        endpoint: `/api/v1/items/${seq % 97}/details`,
        user_agent: `Mozilla/5.0 (X11; Linux x86_64) test/${seq % 13}`,
        region: random.pick(['eu-west-1', 'us-east-1', 'ap-northeast-1']),
        status: random.pick([200, 404, 500]),
        duration_ms: random.next() * 100,
        cache_hit: random.next() < 0.5,
        note: 'é'.repeat(random.int(0, 20)),
      };
      for (let i = 0; i < 10; i++) data[`attr_${i}`] = random.int(0, 1_000_000);
      if (random.next() < 0.002) for (let i = 0; i < 300; i++) data[`wide_${i}`] = `w${i}`;
      return { time: new Date(Date.now() - random.int(0, 1) * DAY_MS).toISOString(), data };
    })) as BatchOf,
};

/** One client: posts batches until the server dies, recording the seqs each 202 acknowledged. */
async function client(server: ChildTend, round: number, nextSeq: () => number, killed: () => boolean, out: Round, shape = smallBatches): Promise<void> {
  while (!killed()) {
    const seqs = Array.from({ length: shape.size() }, nextSeq);
    const batch = shape.batch(seqs, round);
    let res: Response;
    let statuses: { status: number }[];
    try {
      res = await fetch(`${server.url}/1/batch/${DATASET}`, {
        method: 'POST',
        headers: { 'x-honeycomb-team': server.ingestKey, 'content-type': 'application/json' },
        body: JSON.stringify(batch),
      });
      statuses = await res.json();
    } catch (err) {
      if (!killed()) out.unexpected.push(`round ${round}: ${(err as Error).message}`);
      return;
    }
    if (res.status !== 200 || !statuses.every((s) => s.status === 202)) {
      out.unexpected.push(`round ${round}: ${res.status} ${JSON.stringify(statuses).slice(0, 200)}`);
      return;
    }
    out.acked.push(...seqs);
  }
}

describe('durability under kill -9', () => {
  it(`keeps every acknowledged event exactly once across ${KILLS} SIGKILLs`, { timeout: 110_000 }, () => killTest(KILLS, smallBatches, [150, 1200], KILLS * 500));

  it('keeps every acknowledged event exactly once when killed during large vector-layout commits', { timeout: 150_000 }, () =>
    killTest(6, heavyBatches, [500, 2500], 6 * 1000, true));
});

/**
 * `kills` rounds of start, ingest, SIGKILL; then every acknowledged event must be stored once.
 * With `afterFirstAck`, the kill delay counts from the round's first acknowledgement, so the
 * kill lands in steady ingest even when a restart replays a long log on a busy machine.
 */
async function killTest(kills: number, shape: typeof smallBatches, [minMs, maxMs]: [number, number], minAcked: number, afterFirstAck = false): Promise<void> {
  expect(fs.existsSync(cliPath), 'run `npm run build` first').toBe(true);
  const dataDir = tempDataDir('tend-crash');
  let seq = 0;
  const acked: number[] = [];
  const unexpected: string[] = [];
  for (let round = 0; round < kills; round++) {
    // Starting on the folder a SIGKILL left behind is itself part of the test.
    const server = (current = await spawnTend(dataDir));
    let killed = false;
    const out: Round = { acked: [], unexpected: [] };
    const clients = Array.from({ length: CLIENTS }, () => client(server, round, () => seq++, () => killed, out, shape));
    for (let waited = 0; afterFirstAck && out.acked.length === 0 && out.unexpected.length === 0 && waited < 30_000; waited += 20) {
      await new Promise((r) => setTimeout(r, 20));
    }
    await new Promise((r) => setTimeout(r, random.int(minMs, maxMs)));
    killed = true;
    server.child.kill('SIGKILL');
    await server.exited;
    await Promise.all(clients);
    acked.push(...out.acked);
    unexpected.push(...out.unexpected);
  }
  current = undefined;
  expect(unexpected, `seed ${random.seed}`).toEqual([]);
  // Enough ingest happened for the kills to land mid-commit.
  expect(acked.length).toBeGreaterThan(minAcked);

  const t = await startTestTend({ data: dataDir });
  try {
    const counts = await storedSeqCounts(t.tend, DATASET);
    const problems = seqProblems(acked, counts);
    expect(problems.missing.slice(0, 20), `seed ${random.seed}: acknowledged but lost`).toEqual([]);
    expect(problems.duplicated.slice(0, 20), `seed ${random.seed}: stored twice`).toEqual([]);
    // Nothing is stored that no client sent.
    expect([...counts.keys()].every((s) => s >= 0 && s < seq)).toBe(true);
  } finally {
    await t.close();
  }
}
