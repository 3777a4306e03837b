// Escalation steps on a real metadata store (DuckDB in a data folder) and a clock the test moves:
// each step runs once, at the time its policy says, through the rounds `repeat` asks for; two
// nodes ticking together run each step once; a step still due when the node stops is run by the
// next start; cancelling stops what is pending.
import { afterEach, describe, expect, it } from 'vitest';
import { DuckDatabase } from '../src/store/index.js';
import { Escalator, type StepRunner } from '../src/ownership/escalation/escalator.js';
import type { Policy } from '../src/ownership/config.js';
import { tempDataDir } from './support/tend.js';

const MIN = 60_000;
const T0 = Date.parse('2026-03-30T10:00:00Z');
const POLICY: Policy = {
  name: 'payments', repeat: 1,
  steps: [{ notify: { schedule: 'payments-primary' }, wait: '10m' }, { notify: { team: 'payments' }, wait: '15m' }],
};
const ENV = { id: 'env1', name: 'production', slug: 'production' };
const log = { error: (o: object, m: string) => { throw new Error(`${m}: ${JSON.stringify(o)}`); } };

let dbs: DuckDatabase[] = [];
afterEach(() => {
  for (const db of dbs) db.close();
  dbs = [];
});

function runner(ran: string[], acknowledged = () => false): StepRunner {
  return {
    policyFor: async () => (acknowledged() ? undefined : POLICY),
    notify: async (_env, id, target, round, step) => {
      ran.push(`${id} r${round} s${step} ${'schedule' in target ? target.schedule : 'team' in target ? target.team : target.person}`);
      return 'paged';
    },
    record: async () => undefined,
  };
}

describe('escalation', () => {
  it('runs each step once at its time, through the repeat, then stops', async () => {
    const db = await DuckDatabase.open(tempDataDir('esc'));
    dbs.push(db);
    let now = T0;
    const ran: string[] = [];
    const e = await Escalator.open(db, 'node-a', runner(ran), log, () => now);
    await e.begin(ENV, 'inc1');
    const at = async (minutes: number) => {
      now = T0 + minutes * MIN;
      await e.tick();
      return [...ran];
    };
    expect(await at(0)).toEqual(['inc1 r0 s0 payments-primary']);
    expect(await at(9)).toHaveLength(1);
    expect(await at(10)).toEqual(['inc1 r0 s0 payments-primary', 'inc1 r0 s1 payments']);
    expect(await at(24)).toHaveLength(2);
    // The second round starts after the last step's wait.
    expect((await at(25)).slice(2)).toEqual(['inc1 r1 s0 payments-primary']);
    expect((await at(35)).slice(3)).toEqual(['inc1 r1 s1 payments']);
    expect(await at(500)).toHaveLength(4);
    expect(await e.pending(ENV.id, 'inc1')).toEqual([]);
  });

  it('runs a step once when two nodes tick together', async () => {
    const db = await DuckDatabase.open(tempDataDir('esc'));
    dbs.push(db);
    const ran: string[] = [];
    const a = await Escalator.open(db, 'node-a', runner(ran), log, () => T0);
    const b = await Escalator.open(db, 'node-b', runner(ran), log, () => T0);
    for (let i = 0; i < 5; i++) await a.begin(ENV, `inc${i}`);
    await Promise.all([a.tick(), b.tick()]);
    expect(ran.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `inc${i} r0 s0 payments-primary`));
  });

  it('finds the step still due after a restart, and stops once acknowledged', async () => {
    const dir = tempDataDir('esc');
    let db = await DuckDatabase.open(dir);
    const ran: string[] = [];
    const first = await Escalator.open(db, 'node-a', runner(ran), log, () => T0);
    await first.begin(ENV, 'inc1');
    await first.tick();
    db.close();

    db = await DuckDatabase.open(dir);
    dbs.push(db);
    let acked = false;
    let now = T0 + 10 * MIN;
    const again = await Escalator.open(db, 'node-a', runner(ran, () => acked), log, () => now);
    expect(await again.pending(ENV.id, 'inc1')).toEqual([{ round: 0, step: 1, dueAt: T0 + 10 * MIN }]);
    await again.tick();
    expect(ran).toEqual(['inc1 r0 s0 payments-primary', 'inc1 r0 s1 payments']);
    // Acknowledged: the pending step is cancelled and nothing more runs.
    acked = true;
    expect(await again.cancel(ENV.id, 'inc1')).toBe(1);
    now = T0 + 100 * MIN;
    await again.tick();
    expect(ran).toHaveLength(2);
  });
});
