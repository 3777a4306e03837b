import { describe, expect, it } from 'vitest';
import { takeTurn } from './turns.js';

const turnOf = (label: string, seen: string[], finishes = false) =>
  new Promise<void>((resolve) =>
    takeTurn(() => {
      seen.push(label);
      resolve();
    }, finishes),
  );

describe('takeTurn', () => {
  it('runs queued work in order, work that finishes a commit before new requests', async () => {
    const seen: string[] = [];
    await Promise.all([turnOf('parse 1', seen), turnOf('parse 2', seen), turnOf('append 1', seen, true), turnOf('append 2', seen, true)]);
    expect(seen).toEqual(['append 1', 'append 2', 'parse 1', 'parse 2']);
  });

  it('lets the event loop go round once a turn has used its budget', async () => {
    const seen: string[] = [];
    const busy = (ms: number) => {
      const until = performance.now() + ms;
      while (performance.now() < until);
    };
    const io = new Promise<void>((resolve) => setTimeout(() => (seen.push('timer'), resolve()), 0));
    const work = [1, 2, 3].map((i) => new Promise<void>((resolve) => takeTurn(() => (busy(8), seen.push(`work ${i}`), resolve()))));
    await Promise.all([io, ...work]);
    // Each piece overruns the 5 ms budget, so each gets a turn of its own and the timer runs between them.
    expect(seen.indexOf('timer')).toBeLessThan(seen.indexOf('work 3'));
  });
});
