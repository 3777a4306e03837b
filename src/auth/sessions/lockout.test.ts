import { describe, expect, it } from 'vitest';
import { Lockout, LOCKOUT } from './lockout.js';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe('lockout', () => {
  it('slows an account after 5 failures, each wait longer, and locks it at 10 for 15 minutes', () => {
    const c = clock();
    const l = new Lockout(c.now);
    for (let i = 0; i < 4; i++) l.fail('a@x', `10.0.0.${i}`);
    expect(l.waitMs('a@x', '10.0.0.9')).toBe(0);
    l.fail('a@x', '10.0.0.9');
    const waits: number[] = [];
    for (let n = 5; n < 10; n++) {
      const w = l.waitMs('a@x', '10.0.0.9');
      waits.push(w);
      c.advance(w);
      expect(l.waitMs('a@x', '10.0.0.9')).toBe(0);
      l.fail('a@x', '10.0.0.9');
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16000]);
    // The 10th failure locks the account, whatever the address.
    expect(l.waitMs('a@x', '192.168.1.1')).toBe(LOCKOUT.lockMs);
    c.advance(LOCKOUT.lockMs - 1);
    expect(l.waitMs('a@x', '10.0.0.9')).toBe(1);
    c.advance(1);
    expect(l.waitMs('a@x', '10.0.0.9')).toBe(0);
    // Another email from the same address was never slowed.
    expect(l.waitMs('b@x', '10.0.0.9')).toBe(0);
  });

  it('forgets failures older than 15 minutes, and a success clears the account', () => {
    const c = clock();
    const l = new Lockout(c.now);
    for (let i = 0; i < 5; i++) l.fail('a@x', 'ip');
    expect(l.waitMs('a@x', 'ip')).toBe(1000);
    c.advance(LOCKOUT.windowMs);
    expect(l.waitMs('a@x', 'ip')).toBe(0);
    for (let i = 0; i < 5; i++) l.fail('a@x', 'ip');
    l.succeed('a@x');
    expect(l.waitMs('a@x', 'ip')).toBe(0);
  });

  it('locks an address after 30 failures over any emails, unknown ones included', () => {
    const c = clock();
    const l = new Lockout(c.now);
    for (let i = 0; i < 29; i++) l.fail(`user${i}@x`, '203.0.113.7');
    expect(l.waitMs('owner@x', '203.0.113.7')).toBe(0);
    l.fail('nobody@x', '203.0.113.7');
    expect(l.waitMs('owner@x', '203.0.113.7')).toBe(LOCKOUT.lockMs);
    expect(l.waitMs('owner@x', '198.51.100.1')).toBe(0);
  });
});
