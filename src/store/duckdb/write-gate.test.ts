import { describe, expect, it } from 'vitest';
import { WriteGate } from './write-gate.js';

describe('WriteGate', () => {
  it('lets shared holders in up to the bound and an exclusive one in alone', async () => {
    const gate = new WriteGate(2);
    const log: string[] = [];
    await gate.acquire('shared');
    await gate.acquire('shared');
    const third = gate.acquire('shared').then(() => log.push('shared 3'));
    const excl = gate.acquire('exclusive').then(() => log.push('exclusive'));
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toEqual([]);
    gate.release('shared');
    await third;
    expect(log).toEqual(['shared 3']);
    gate.release('shared');
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toEqual(['shared 3']); // one shared holder is still in
    gate.release('shared');
    await excl;
    expect(log).toEqual(['shared 3', 'exclusive']);
    const after = gate.acquire('shared').then(() => log.push('shared 4'));
    await new Promise((r) => setTimeout(r, 10));
    expect(log).toHaveLength(2);
    gate.release('exclusive');
    await after;
    expect(log).toEqual(['shared 3', 'exclusive', 'shared 4']);
  });
});
