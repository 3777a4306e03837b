import { describe, expect, it } from 'vitest';
import type { Environment, StoredEvent } from '../store/index.js';
import { BatchSink } from './batch-sink.js';

const env: Environment = { id: 'e1', name: 'production', slug: 'production' };
const ev = (n: number): StoredEvent => ({ time: n, samplerate: 1, fields: { n } });

function recorder() {
  const writes: { dataset: string; events: number[] }[] = [];
  const write = async (_env: Environment, dataset: string, events: StoredEvent[]) => {
    writes.push({ dataset, events: events.map((e) => e.fields.n as number) });
  };
  return { writes, write };
}

describe('BatchSink', () => {
  it('gathers events per dataset into one write after the delay, resolving every caller', async () => {
    const { writes, write } = recorder();
    const sink = new BatchSink(write, 20);
    const done = [sink.submit(env, 'a', [ev(1)]), sink.submit(env, 'a', [ev(2), ev(3)]), sink.submit(env, 'b', [ev(4)])];
    expect(writes).toHaveLength(0);
    await Promise.all(done);
    expect(writes).toEqual([{ dataset: 'a', events: [1, 2, 3] }, { dataset: 'b', events: [4] }]);
  });

  it('writes urgent events at once, taking waiting ones along', async () => {
    const { writes, write } = recorder();
    const sink = new BatchSink(write, 60_000);
    const waiting = sink.submit(env, 'a', [ev(1)]);
    await sink.submit(env, 'a', [ev(2)], true);
    await waiting;
    expect(writes).toEqual([{ dataset: 'a', events: [1, 2] }]);
  });

  it('writes when the batch is full, and passes failures to every caller of the batch', async () => {
    const sink = new BatchSink(async () => Promise.reject(new Error('disk full')), 60_000, 3);
    const first = sink.submit(env, 'a', [ev(1), ev(2)]);
    const second = sink.submit(env, 'a', [ev(3)]);
    await expect(first).rejects.toThrow('disk full');
    await expect(second).rejects.toThrow('disk full');
  });
});
