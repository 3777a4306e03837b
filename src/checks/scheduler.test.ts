import { describe, expect, it } from 'vitest';
import { ManualClock } from './clock.js';
import { nextTurn, Scheduler, type Job } from './scheduler.js';

function periodic(id: string, interval: number, log: { id: string; at: number; lag: number }[], clock: ManualClock, work?: () => Promise<void>): Job {
  return {
    id,
    run: async (lag) => {
      log.push({ id, at: clock.now(), lag });
      await work?.();
    },
    nextDue: (dueAt, now) => nextTurn(dueAt, interval, now),
  };
}

describe('scheduler', () => {
  it('runs each job at its own interval from its first due time', async () => {
    const clock = new ManualClock(0);
    const s = new Scheduler(clock, 10);
    const log: { id: string; at: number; lag: number }[] = [];
    s.schedule(periodic('a', 1000, log, clock), 100);
    s.schedule(periodic('b', 3000, log, clock), 200);
    await clock.advance(6500);
    expect(log.filter((l) => l.id === 'a').map((l) => l.at)).toEqual([100, 1100, 2100, 3100, 4100, 5100, 6100]);
    expect(log.filter((l) => l.id === 'b').map((l) => l.at)).toEqual([200, 3200, 6200]);
    expect(log.every((l) => l.lag === 0)).toBe(true);
  });

  it('never lets a slow job delay the others; the slow one skips turns instead of piling up', async () => {
    const clock = new ManualClock(0);
    const s = new Scheduler(clock, 10);
    const log: { id: string; at: number; lag: number }[] = [];
    let release!: () => void;
    const hang = new Promise<void>((r) => (release = r));
    s.schedule(periodic('slow', 1000, log, clock, () => hang), 0);
    s.schedule(periodic('fast', 1000, log, clock), 0);
    await clock.advance(4500);
    expect(log.filter((l) => l.id === 'fast').map((l) => l.at)).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(log.filter((l) => l.id === 'slow').map((l) => l.at)).toEqual([0]);
    release();
    await clock.advance(0); // the finished run books its next turn
    await clock.advance(1000);
    expect(log.filter((l) => l.id === 'slow').map((l) => l.at)).toEqual([0, 5000]);
  });

  it('bounds concurrency: jobs past the bound wait, and the wait is reported as lag', async () => {
    const clock = new ManualClock(0);
    const s = new Scheduler(clock, 2);
    const log: { id: string; at: number; lag: number }[] = [];
    const holds: (() => void)[] = [];
    const work = () => new Promise<void>((r) => holds.push(r));
    for (const id of ['a', 'b', 'c']) s.schedule(periodic(id, 10_000, log, clock, work), 0);
    await clock.advance(10);
    expect(log.map((l) => l.id)).toEqual(['a', 'b']);
    expect(s.load()).toEqual({ running: 2, waiting: 1 });
    await clock.advance(40);
    holds.shift()!();
    await clock.advance(0);
    expect(log.map((l) => l.id)).toEqual(['a', 'b', 'c']);
    expect(log[2].lag).toBe(50);
  });

  it('replaces and removes jobs', async () => {
    const clock = new ManualClock(0);
    const s = new Scheduler(clock, 5);
    const log: { id: string; at: number; lag: number }[] = [];
    s.schedule(periodic('a', 1000, log, clock), 0);
    await clock.advance(1500);
    s.schedule(periodic('a', 5000, log, clock), 1600);
    await clock.advance(3000);
    s.remove('a');
    await clock.advance(10_000);
    expect(log.map((l) => l.at)).toEqual([0, 1000, 1600]);
  });

  it('keeps running a job replaced while one of its runs was in flight', async () => {
    const clock = new ManualClock(0);
    const s = new Scheduler(clock, 5);
    const log: { id: string; at: number; lag: number }[] = [];
    let release!: () => void;
    const hang = new Promise<void>((r) => (release = r));
    s.schedule(periodic('a', 1000, log, clock, () => hang), 0);
    await clock.advance(10);
    s.schedule(periodic('a', 1000, log, clock), 500);
    release();
    await s.idle();
    await clock.advance(2000);
    expect(log.map((l) => l.at)).toEqual([0, 500, 1500]);
  });

  it('skips missed turns after a stall', () => {
    expect(nextTurn(0, 1000, 500)).toBe(1000);
    expect(nextTurn(0, 1000, 3500)).toBe(4000);
    expect(nextTurn(0, 1000, 1000)).toBe(2000);
  });
});
