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

/** One client: posts batches until the server dies, recording the seqs each 202 acknowledged. */
async function client(server: ChildTend, round: number, nextSeq: () => number, killed: () => boolean, out: Round): Promise<void> {
  while (!killed()) {
    const size = random.int(1, 300);
    const seqs = Array.from({ length: size }, nextSeq);
    const batch = seqs.map((seq) => ({
      // Spread over three days so commits create day tables, and add a column now and then,
      // so kills also land in the middle of schema changes.
      time: new Date(Date.now() - random.int(0, 2) * DAY_MS).toISOString(),
      samplerate: random.int(1, 4),
      data: { seq, round, customer: `c-${random.int(1, 5000)}`, http: { status: random.pick([200, 404, 500]) }, ...(random.next() < 0.01 ? { [`extra_${seq}`]: seq } : {}) },
    }));
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
  it(`keeps every acknowledged event exactly once across ${KILLS} SIGKILLs`, { timeout: 110_000 }, async () => {
    expect(fs.existsSync(cliPath), 'run `npm run build` first').toBe(true);
    const dataDir = tempDataDir('tend-crash');
    let seq = 0;
    const acked: number[] = [];
    const unexpected: string[] = [];
    for (let round = 0; round < KILLS; round++) {
      // Starting on the folder a SIGKILL left behind is itself part of the test.
      const server = (current = await spawnTend(dataDir));
      let killed = false;
      const out: Round = { acked: [], unexpected: [] };
      const clients = Array.from({ length: CLIENTS }, () => client(server, round, () => seq++, () => killed, out));
      await new Promise((r) => setTimeout(r, random.int(150, 1200)));
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
    expect(acked.length).toBeGreaterThan(KILLS * 500);

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
  });
});
