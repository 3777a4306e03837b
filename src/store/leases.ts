// Work that must happen once across nodes (check runs, trigger and SLO evaluation, the first
// start's bootstrap...) is owned through a lease row in the metadata store: a node takes or
// renews the lease when it is free, expired or already its own, so the same code runs on one
// node or several, and a dead owner's work moves once its lease runs out. One statement,
// portable to PostgreSQL. The table keeps the name it had when only alerts used it.
import type { MetaStore } from './meta-store.js';

const SCHEMA = [`CREATE TABLE alert_leases (name TEXT PRIMARY KEY, owner TEXT NOT NULL, until_ms BIGINT NOT NULL)`];

export class Leases {
  private constructor(private readonly meta: MetaStore, readonly owner: string) {}

  static async open(meta: MetaStore, owner: string): Promise<Leases> {
    await meta.migrate('alerts.leases.v1', SCHEMA);
    return new Leases(meta, owner);
  }

  /** True when this node holds `name` until now + ttlMs. */
  async acquire(name: string, ttlMs: number, now = Date.now()): Promise<boolean> {
    const rows = await this.meta.query(
      `INSERT INTO alert_leases (name, owner, until_ms) VALUES ($1, $2, $3)
       ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms
       WHERE alert_leases.until_ms < $4 OR alert_leases.owner = excluded.owner
       RETURNING owner`,
      [name, this.owner, now + ttlMs, now],
    );
    return rows.length === 1 && rows[0].owner === this.owner;
  }

  async release(name: string): Promise<void> {
    await this.meta.query('DELETE FROM alert_leases WHERE name = $1 AND owner = $2', [name, this.owner]);
  }

  /** Runs `work` holding `name`, first waiting while another node holds it (or until its lease runs out). */
  async exclusive<T>(name: string, ttlMs: number, work: () => Promise<T>): Promise<T> {
    while (!(await this.acquire(name, ttlMs))) await new Promise((r) => setTimeout(r, 100));
    try {
      return await work();
    } finally {
      await this.release(name);
    }
  }

  /** Every lease held now: which node owns which work (GET /api/v1/cluster). */
  async held(now = Date.now()): Promise<{ name: string; owner: string; untilMs: number }[]> {
    const rows = await this.meta.query('SELECT name, owner, until_ms FROM alert_leases WHERE until_ms >= $1 ORDER BY name', [now]);
    return rows.map((r) => ({ name: String(r.name), owner: String(r.owner), untilMs: Number(r.until_ms) }));
  }
}

/** How long a lease outlives its holder's last renewal: a dead node's work moves within 15 s. */
export const LEASE_TTL_MS = 10_000;
/** How often a held lease is renewed, and a free one asked for. */
export const LEASE_RENEW_MS = 3_000;

export interface LeaseLoopOptions {
  leases: Leases;
  name: string;
  /** How often `work` runs while this node holds the lease. */
  everyMs: number;
  /** When the first round runs after start() (default one period, as a timer's would). */
  firstAfterMs?: number;
  /** One round of the work; the next waits for it, the lease is renewed meanwhile. */
  work: () => Promise<void>;
  /**
   * Called when this node takes the lease, before any work: what the last owner kept in memory
   * is to be read again from the store here. `takeover` is false when the lease was taken at
   * the loop's start (no other node was working, or it stopped and let go).
   */
  onGained?: (takeover: boolean) => Promise<void>;
  log: { error(obj: object, msg: string): void };
  now?: () => number;
}

/**
 * "Run every N s while holding lease L": the loop every scheduler of once-only work shares.
 * The lease is renewed every LEASE_RENEW_MS whatever the work's period, and independently of
 * a round still running (a long round must not let the lease lapse), so the work moves to
 * another node within LEASE_TTL_MS + LEASE_RENEW_MS of its owner's death.
 */
export class LeaseLoop {
  private timer: NodeJS.Timeout | undefined;
  private holding = false;
  private running: Promise<void> | undefined;
  private nextWorkAt = 0;
  /** Taken and not yet read again (onGained): 'start' or 'takeover'. */
  private fresh: 'start' | 'takeover' | undefined;
  /** False during the first round: a lease taken at the start is no takeover. */
  private takeoverAtOnce = false;
  private ticking: Promise<void> | undefined;
  private stopped = true;

  constructor(private readonly o: LeaseLoopOptions) {}

  /** Whether this node held the lease at its last renewal. */
  get owns(): boolean {
    return this.holding;
  }

  /** Starts the loop; resolves once its first round has asked for the lease (owns is known). */
  start(): Promise<void> {
    this.stopped = false;
    // The first round one period after the start, as a timer's would; a takeover's at once.
    this.nextWorkAt = (this.o.now ?? Date.now)() + (this.o.firstAfterMs ?? this.o.everyMs);
    this.takeoverAtOnce = false;
    const step = Math.min(this.o.everyMs, LEASE_RENEW_MS);
    const loop = () => {
      this.timer = setTimeout(() => {
        this.ticking = this.round().finally(() => !this.stopped && loop());
      }, step);
      this.timer.unref();
    };
    this.ticking = this.round().finally(() => {
      this.takeoverAtOnce = true;
      if (!this.stopped) loop();
    });
    return this.ticking;
  }

  /** Stops renewing, waits for the round in flight, and frees the lease for another node at once. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    await this.running;
    if (this.holding) await this.o.leases.release(this.o.name).catch(() => undefined);
    this.holding = false;
  }

  private async round(): Promise<void> {
    if (this.stopped) return;
    const now = (this.o.now ?? Date.now)();
    const was = this.holding;
    this.holding = await this.o.leases.acquire(this.o.name, LEASE_TTL_MS, now).catch((err) => {
      this.o.log.error({ err, lease: this.o.name }, 'could not renew the lease');
      return false;
    });
    // Taken now (not held at the last renewal): what the last owner knew is read again first.
    if (this.holding && !was) {
      this.fresh = this.takeoverAtOnce ? 'takeover' : 'start';
      if (this.takeoverAtOnce) this.nextWorkAt = 0;
    }
    if (!this.holding || this.running || this.stopped || now < this.nextWorkAt) return;
    this.nextWorkAt = now + this.o.everyMs;
    const fresh = this.fresh;
    this.fresh = undefined;
    this.running = (async () => {
      if (fresh) await this.o.onGained?.(fresh === 'takeover');
      await this.o.work();
    })()
      .catch((err) => {
        // Read again at the next round when the reading itself failed.
        this.fresh ??= fresh;
        this.o.log.error({ err, lease: this.o.name }, 'work under a lease failed');
      })
      .finally(() => (this.running = undefined));
  }
}
