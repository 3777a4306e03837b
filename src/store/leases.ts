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
