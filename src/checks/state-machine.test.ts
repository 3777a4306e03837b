import { describe, expect, it } from 'vitest';
import { initialCounters, nextCounters, type StateCounters } from './state-machine.js';

const run = (results: boolean[], t = { failuresBeforeDown: 2, successesBeforeUp: 2 }, start = initialCounters()) =>
  results.reduce<StateCounters[]>((acc, ok) => [...acc, nextCounters(acc.at(-1) ?? start, ok, t)], []).map((c) => c.state);

describe('check state machine', () => {
  it('goes up after successes_before_up and down after failures_before_down', () => {
    expect(run([true, true, false, false, true, true])).toEqual(['pending', 'up', 'up', 'down', 'down', 'up']);
  });
  it('needs consecutive results: a success in between resets the failure count', () => {
    expect(run([true, true, false, true, false, true])).toEqual(['pending', 'up', 'up', 'up', 'up', 'up']);
  });
  it('with thresholds of 1 follows every result', () => {
    expect(run([false, true, false], { failuresBeforeDown: 1, successesBeforeUp: 1 })).toEqual(['down', 'up', 'down']);
  });
  it('holds paused and maintenance, then starts over from pending', () => {
    const t = { failuresBeforeDown: 1, successesBeforeUp: 2 };
    const held = nextCounters({ state: 'up', failures: 0, successes: 5 }, false, t, 'maintenance');
    expect(held.state).toBe('maintenance');
    const after = nextCounters(held, true, t);
    expect(after).toEqual({ state: 'pending', failures: 0, successes: 1 });
    expect(nextCounters(after, true, t).state).toBe('up');
    expect(nextCounters({ state: 'down', failures: 3, successes: 0 }, true, t, 'paused').state).toBe('paused');
  });
});
