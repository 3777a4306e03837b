import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DuckDatabase } from './duckdb/database.js';
import { LEASE_TTL_MS, LeaseLoop, Leases } from './leases.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leases-'));
const db = await DuckDatabase.open(dir);
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('leases', () => {
  it('lets one node hold work until its lease runs out, then another', async () => {
    const a = await Leases.open(db, 'node-a');
    const b = await Leases.open(db, 'node-b');
    const t0 = 1_000_000;
    expect(await a.acquire('work', 10_000, t0)).toBe(true);
    expect(await b.acquire('work', 10_000, t0 + 1)).toBe(false);
    expect(await a.acquire('work', 10_000, t0 + 5_000)).toBe(true); // renewed until t0 + 15 s
    expect(await b.acquire('work', 10_000, t0 + 12_000)).toBe(false);
    expect(await b.acquire('work', 10_000, t0 + 15_001)).toBe(true);
    expect(await a.acquire('work', 10_000, t0 + 15_002)).toBe(false);
    await b.release('work');
    expect(await a.acquire('work', 10_000, t0 + 15_003)).toBe(true);
    expect(await b.acquire('other', 10_000, t0)).toBe(true);
  });

  it('runs work every period on the node holding the lease, and moves it when the holder dies or stops', async () => {
    let skew = 0;
    const now = () => Date.now() + skew;
    const ran: string[] = [];
    const gained: string[] = [];
    const loop = async (node: string, name: string) =>
      new LeaseLoop({
        leases: await Leases.open(db, node), name, everyMs: 20, now, log: { error: () => undefined },
        work: async () => void ran.push(node),
        onGained: async (takeover) => void gained.push(`${node} ${takeover ? 'took over' : 'started'}`),
      });
    const until = async (what: () => boolean) => {
      while (!what()) await new Promise((r) => setTimeout(r, 10));
    };

    // A node starting alone takes the lease at its start: no takeover; work one period later.
    const a = await loop('node-a', 'alone');
    a.start();
    await until(() => ran.includes('node-a'));
    expect(gained).toEqual(['node-a started']);
    await a.stop();

    // A lease held by a node that died: the others wait until it runs out, then one takes over.
    await (await Leases.open(db, 'node-dead')).acquire('shared', LEASE_TTL_MS, now());
    const b = await loop('node-b', 'shared');
    b.start();
    await new Promise((r) => setTimeout(r, 100));
    expect(b.owns).toBe(false);
    expect(ran).toEqual(['node-a']);
    skew += LEASE_TTL_MS + 1;
    await until(() => ran.includes('node-b'));
    expect(b.owns).toBe(true);
    const c = await loop('node-c', 'shared');
    c.start();
    await until(() => ran.filter((n) => n === 'node-b').length >= 3);
    expect(ran).not.toContain('node-c');

    // One that stops lets go at once: the next takes over without waiting for the lease to run out.
    await b.stop();
    await until(() => ran.includes('node-c'));
    expect(gained).toEqual(['node-a started', 'node-b took over', 'node-c took over']);
    await c.stop();
  });
});
