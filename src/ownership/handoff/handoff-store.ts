// Each service's last handoff status and when it was handed over, in the metadata store, so a
// change of status is noticed once across restarts and nodes.
import type { MetaStore } from '../../store/index.js';
import type { HandoffStatus } from './handoff.js';

const SCHEMA = [
  `CREATE TABLE service_handoffs (env_id TEXT NOT NULL, service TEXT NOT NULL, status TEXT NOT NULL, handed_over_at BIGINT, handed_over_by TEXT, changed_at BIGINT NOT NULL, PRIMARY KEY (env_id, service))`,
];

export interface HandoffRecord {
  status: HandoffStatus;
  handedOverAt?: number;
  handedOverBy?: string;
  changedAt: number;
}

export class HandoffStore {
  private constructor(private readonly meta: MetaStore) {}

  static async open(meta: MetaStore): Promise<HandoffStore> {
    await meta.migrate('ownership.handoffs.v1', SCHEMA);
    return new HandoffStore(meta);
  }

  async get(envId: string, service: string): Promise<HandoffRecord | undefined> {
    const rows = await this.meta.query('SELECT * FROM service_handoffs WHERE env_id = $1 AND service = $2', [envId, service]);
    if (!rows.length) return undefined;
    const r = rows[0];
    return {
      status: r.status as HandoffStatus, handedOverAt: r.handed_over_at == null ? undefined : Number(r.handed_over_at),
      handedOverBy: r.handed_over_by == null ? undefined : String(r.handed_over_by), changedAt: Number(r.changed_at),
    };
  }

  /** Records a status; true when it changed from what was stored (only one caller sees the change). */
  async set(envId: string, service: string, rec: HandoffRecord): Promise<boolean> {
    const rows = await this.meta.query(
      `INSERT INTO service_handoffs (env_id, service, status, handed_over_at, handed_over_by, changed_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (env_id, service) DO UPDATE SET status = excluded.status, handed_over_at = excluded.handed_over_at, handed_over_by = excluded.handed_over_by, changed_at = excluded.changed_at
       WHERE service_handoffs.status <> excluded.status OR service_handoffs.handed_over_at IS DISTINCT FROM excluded.handed_over_at
       RETURNING status`,
      [envId, service, rec.status, rec.handedOverAt ?? null, rec.handedOverBy ?? null, rec.changedAt],
    );
    return rows.length === 1;
  }
}
