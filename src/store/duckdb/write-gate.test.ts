import { describe, expect, it } from 'vitest';
import { WriteGate } from './write-gate.js';

const tick = () => new Promise((r) => setTimeout(r, 10));

describe('WriteGate', () => {
  it('lets shared holders in up to the bound and an exclusive one in alone, before shared ones asking after it', async () => {
    const gate = new WriteGate(2);
    const log: string[] = [];
    await gate.acquire('shared');
    await gate.acquire('shared');
    const excl = gate.acquire('exclusive').then(() => log.push('exclusive'));
    const third = gate.acquire('shared').then(() => log.push('shared 3'));
    await tick();
    expect(log).toEqual([]);
    gate.release('shared');
    await tick();
    expect(log).toEqual([]); // one shared holder is still in, and the third waits behind the exclusive
    gate.release('shared');
    await excl;
    await tick();
    expect(log).toEqual(['exclusive']);
    gate.release('exclusive');
    await third;
    expect(log).toEqual(['exclusive', 'shared 3']);
  });

  it('is not starved by a steady stream of shared holders (a checkpoint waits for appends in flight only)', async () => {
    const gate = new WriteGate(2);
    let stop = false;
    let appends = 0;
    const writer = async () => {
      while (!stop) {
        await gate.acquire('shared');
        await new Promise((r) => setTimeout(r, 2));
        appends++;
        gate.release('shared');
      }
    };
    const writers = [writer(), writer()];
    await tick();
    const t0 = performance.now();
    const got = await Promise.race([gate.acquire('exclusive').then(() => true), new Promise<false>((r) => setTimeout(() => r(false), 1000))]);
    const waited = performance.now() - t0;
    stop = true;
    expect(got, 'the exclusive request never got in').toBe(true);
    const during = appends;
    await tick();
    expect(appends).toBe(during); // nothing appends while the exclusive holder is in
    gate.release('exclusive');
    await Promise.all(writers);
    expect(waited).toBeLessThan(100);
  });

  it('sums the time it was held over holders, and restarts the count on reset', async () => {
    const gate = new WriteGate(2);
    await gate.acquire('shared');
    await gate.acquire('shared');
    await new Promise((r) => setTimeout(r, 50));
    gate.release('shared');
    gate.release('shared');
    const held = gate.heldMs(true);
    expect(held).toBeGreaterThanOrEqual(95);
    expect(held).toBeLessThan(400);
    await tick();
    expect(gate.heldMs()).toBe(0);
  });
});
