// Work that must happen once across nodes (trigger evaluation) is owned through a lease row in
// the metadata store: a node takes or renews the lease when it is free, expired or already its
// own, so the same code runs on one node or several. One statement, portable to PostgreSQL.
import type { MetaStore } from '../store/index.js';

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
}
