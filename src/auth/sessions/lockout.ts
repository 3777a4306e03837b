// Slowing and locking repeated failed sign-ins, without telling which emails exist (an unknown
// email is counted exactly like a known one). Per account: from the 5th failure within 15
// minutes each further try must wait longer (1 s, 2 s, 4 s, ...); at the 10th the account is
// locked for 15 minutes. Per client address: 30 failures within 15 minutes, over any emails,
// lock the address the same way. While locked even the right password is refused (429).
// Counters live in memory: a restart forgets them, which costs an attacker a restart of Tend.

export const LOCKOUT = {
  windowMs: 15 * 60_000,
  slowAfter: 5,
  lockAfter: 10,
  addressLockAfter: 30,
  lockMs: 15 * 60_000,
  maxEntries: 100_000,
};

interface Failures {
  times: number[];
  lockedUntil: number;
}

export class Lockout {
  private accounts = new Map<string, Failures>();
  private addresses = new Map<string, Failures>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Milliseconds the caller must still wait before trying this email from this address; 0 when free. */
  waitMs(email: string, address: string): number {
    const now = this.now();
    const account = this.current(this.accounts, email, now);
    const addr = this.current(this.addresses, address, now);
    let until = Math.max(account?.lockedUntil ?? 0, addr?.lockedUntil ?? 0);
    if (account && account.times.length >= LOCKOUT.slowAfter) {
      const last = account.times[account.times.length - 1];
      until = Math.max(until, last + 1000 * 2 ** (account.times.length - LOCKOUT.slowAfter));
    }
    return Math.max(0, until - now);
  }

  fail(email: string, address: string): void {
    const now = this.now();
    this.add(this.accounts, email, now, LOCKOUT.lockAfter);
    this.add(this.addresses, address, now, LOCKOUT.addressLockAfter);
  }

  /** A right password clears the account's failures (not the address's: it may be guessing others). */
  succeed(email: string): void {
    this.accounts.delete(email);
  }

  private current(map: Map<string, Failures>, key: string, now: number): Failures | undefined {
    const f = map.get(key);
    if (!f) return undefined;
    f.times = f.times.filter((t) => now - t < LOCKOUT.windowMs);
    if (f.times.length === 0 && f.lockedUntil <= now) {
      map.delete(key);
      return undefined;
    }
    return f;
  }

  private add(map: Map<string, Failures>, key: string, now: number, lockAt: number): void {
    // Bounded: a flood of distinct emails must not grow memory without end.
    if (map.size >= LOCKOUT.maxEntries && !map.has(key)) map.delete(map.keys().next().value as string);
    const f = this.current(map, key, now) ?? { times: [], lockedUntil: 0 };
    f.times.push(now);
    if (f.times.length >= lockAt) {
      f.lockedUntil = now + LOCKOUT.lockMs;
      f.times = [];
    }
    map.set(key, f);
  }
}
