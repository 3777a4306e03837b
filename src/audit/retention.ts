// The audit log's own retention, per environment, which only owners may change: the audit log
// may need to outlive the events (a year for an audit, 60 days of traces), or be kept shorter.
// Unset, it follows --retention-days like every dataset. Nobody can delete single entries.
import type { DatasetRegistry, EventStore, MetaStore } from '../store/index.js';
import { AUDIT_DATASET } from './audit-log.js';

export const AUDIT_SETTINGS_SCHEMA = [
  `CREATE TABLE audit_settings (env_id TEXT PRIMARY KEY, retention_days INTEGER NOT NULL, updated_at TEXT NOT NULL)`,
];

const DAY_MS = 86_400_000;

export class AuditRetention {
  private constructor(
    private readonly meta: MetaStore,
    private readonly store: EventStore,
    private readonly datasets: DatasetRegistry,
  ) {}

  static async open(meta: MetaStore, store: EventStore, datasets: DatasetRegistry): Promise<AuditRetention> {
    await meta.migrate('audit.v1', AUDIT_SETTINGS_SCHEMA);
    return new AuditRetention(meta, store, datasets);
  }

  /** Days the environment's audit log is kept, or null when it follows --retention-days. */
  async get(envId: string): Promise<number | null> {
    const rows = await this.meta.query('SELECT retention_days FROM audit_settings WHERE env_id = $1', [envId]);
    return rows.length ? Number(rows[0].retention_days) : null;
  }

  async set(envId: string, days: number | null): Promise<void> {
    if (days === null) {
      await this.meta.query('DELETE FROM audit_settings WHERE env_id = $1', [envId]);
      return;
    }
    await this.meta.transaction([
      { sql: 'DELETE FROM audit_settings WHERE env_id = $1', params: [envId] },
      { sql: 'INSERT INTO audit_settings (env_id, retention_days, updated_at) VALUES ($1, $2, $3)', params: [envId, days, new Date().toISOString()] },
    ]);
  }

  /** Audit datasets with a retention of their own, by dataset id -> days. */
  private async own(): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const row of await this.meta.query('SELECT env_id, retention_days FROM audit_settings')) {
      const dataset = await this.datasets.find(String(row.env_id), AUDIT_DATASET);
      if (dataset) out.set(dataset.id, Number(row.retention_days));
    }
    return out;
  }

  /** For the global sweep: every dataset but the audit logs that keep their own time. */
  async othersFilter(): Promise<(datasetId: string) => boolean> {
    const own = await this.own();
    return (id) => !own.has(id);
  }

  /** Drops audit days older than each environment's own retention; returns how many. */
  async sweep(nowMs = Date.now()): Promise<number> {
    let dropped = 0;
    for (const [id, days] of await this.own()) dropped += await this.store.dropBefore((nowMs - days * DAY_MS) * 1000, (d) => d === id);
    return dropped;
  }
}
