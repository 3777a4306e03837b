// Overrides of on-call schedules (a person takes a layer's place from one time to another), kept
// in the metadata store per environment and schedule.
import crypto from 'node:crypto';
import type { MetaStore } from '../../store/index.js';
import type { Override } from './shifts.js';

const SCHEMA = [
  `CREATE TABLE oncall_overrides (id TEXT PRIMARY KEY, env_id TEXT NOT NULL, schedule TEXT NOT NULL, layer TEXT NOT NULL, email TEXT NOT NULL, from_ms BIGINT NOT NULL, to_ms BIGINT NOT NULL, created_by TEXT, created_at BIGINT NOT NULL)`,
];

export class OverrideStore {
  private constructor(private readonly meta: MetaStore) {}

  static async open(meta: MetaStore): Promise<OverrideStore> {
    await meta.migrate('ownership.overrides.v1', SCHEMA);
    return new OverrideStore(meta);
  }

  async list(envId: string, schedule: string): Promise<Override[]> {
    const rows = await this.meta.query('SELECT * FROM oncall_overrides WHERE env_id = $1 AND schedule = $2 ORDER BY from_ms', [envId, schedule]);
    return rows.map((r) => ({
      id: String(r.id), layer: String(r.layer), email: String(r.email), from: Number(r.from_ms), to: Number(r.to_ms), createdBy: r.created_by == null ? undefined : String(r.created_by),
    }));
  }

  async add(envId: string, schedule: string, o: Omit<Override, 'id'>, now = Date.now()): Promise<Override> {
    const id = crypto.randomUUID();
    await this.meta.query(
      'INSERT INTO oncall_overrides (id, env_id, schedule, layer, email, from_ms, to_ms, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)',
      [id, envId, schedule, o.layer, o.email, o.from, o.to, o.createdBy ?? null, now],
    );
    return { id, ...o };
  }

  async remove(envId: string, schedule: string, id: string): Promise<boolean> {
    const rows = await this.meta.query('DELETE FROM oncall_overrides WHERE env_id = $1 AND schedule = $2 AND id = $3 RETURNING id', [envId, schedule, id]);
    return rows.length === 1;
  }
}
