// The audit log's own retention, per environment, which only owners may change: the audit log
// may need to outlive the events (a year for an audit, 60 days of traces), or be kept shorter.
// Unset, it follows the retention rules like every dataset (tend.yaml, --retention-days); set, it
// wins over them, and the general sweep (src/retention) drops its days. Nobody can delete single entries.
import type { MetaStore } from '../store/index.js';
import { AUDIT_DATASET } from './audit-log.js';

export const AUDIT_SETTINGS_SCHEMA = [
  `CREATE TABLE audit_settings (env_id TEXT PRIMARY KEY, retention_days INTEGER NOT NULL, updated_at TEXT NOT NULL)`,
];

export class AuditRetention {
  private constructor(private readonly meta: MetaStore) {}

  static async open(meta: MetaStore): Promise<AuditRetention> {
    await meta.migrate('audit.v1', AUDIT_SETTINGS_SCHEMA);
    return new AuditRetention(meta);
  }

  /** Days the environment's audit log is kept, or null when it follows the retention rules. */
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

  /** For the retention rules: the owners' setting when `dataset` is this environment's audit log. */
  async override(envId: string, dataset: string): Promise<{ days: number; rule: string } | null> {
    if (dataset.toLowerCase() !== AUDIT_DATASET) return null;
    const days = await this.get(envId);
    return days === null ? null : { days, rule: 'audit settings' };
  }
}
