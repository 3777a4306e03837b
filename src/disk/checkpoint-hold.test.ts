import { describe, expect, it } from 'vitest';
import { holdCheckpointsWhileLow } from './checkpoint-hold.js';
import type { DiskState } from './disk-watch.js';

describe('holdCheckpointsWhileLow', () => {
  it('holds checkpoints from the first low look until space returns, once', async () => {
    const held: Promise<unknown>[] = [];
    const hold = <T>(work: () => Promise<T>) => {
      const running = work();
      held.push(running);
      return running;
    };
    const listener = holdCheckpointsWhileLow({ hold });
    const state: DiskState = { freeBytes: 1, totalBytes: 100, minFreeBytes: 5, low: true };
    listener(state, 'disk full');
    listener(state, 'disk full');
    expect(held).toHaveLength(1);
    let done = false;
    void held[0].then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    listener({ ...state, freeBytes: 50, low: false }, undefined);
    await held[0];
    expect(done).toBe(true);
    listener(state, 'disk full');
    expect(held).toHaveLength(2);
  });
});
