// Incidents and their timelines in the metadata store (portable SQL), so every node sees the
// same incidents and a restart keeps them.
import type { MetaStore, Row } from '../../store/index.js';
import type { Severity } from '../config.js';
import type { Incident, IncidentState, TimelineEntry } from './model.js';

const SCHEMA = [
  `CREATE TABLE incidents (id TEXT PRIMARY KEY, env_id TEXT NOT NULL, service TEXT NOT NULL, severity TEXT NOT NULL, state TEXT NOT NULL, title TEXT NOT NULL,
     group_key TEXT NOT NULL, fingerprints TEXT NOT NULL, alert_name TEXT, opened_at BIGINT NOT NULL, acknowledged_at BIGINT, acknowledged_by TEXT, mitigated_at BIGINT,
     resolved_at BIGINT, postmortem TEXT, updated_at BIGINT NOT NULL)`,
  `CREATE TABLE incident_timeline (id TEXT PRIMARY KEY, incident_id TEXT NOT NULL, at_ms BIGINT NOT NULL, kind TEXT NOT NULL, author TEXT NOT NULL, text TEXT NOT NULL)`,
];

const num = (v: unknown) => (v == null ? undefined : Number(v));
const toIncident = (r: Row): Incident => ({
  id: String(r.id), envId: String(r.env_id), service: String(r.service), severity: r.severity as Severity, state: r.state as IncidentState, title: String(r.title),
  groupKey: String(r.group_key), fingerprints: String(r.fingerprints).split(',').filter(Boolean), alertName: r.alert_name == null ? undefined : String(r.alert_name), openedAt: Number(r.opened_at),
  acknowledgedAt: num(r.acknowledged_at), acknowledgedBy: r.acknowledged_by == null ? undefined : String(r.acknowledged_by), mitigatedAt: num(r.mitigated_at),
  resolvedAt: num(r.resolved_at), postmortem: r.postmortem == null ? undefined : String(r.postmortem), updatedAt: Number(r.updated_at),
});

export interface IncidentFilter {
  service?: string;
  state?: IncidentState | 'open';
  limit?: number;
}

export class IncidentStore {
  private constructor(private readonly meta: MetaStore) {}

  static async open(meta: MetaStore): Promise<IncidentStore> {
    await meta.migrate('ownership.incidents.v1', SCHEMA);
    return new IncidentStore(meta);
  }

  async save(i: Incident, entries: (TimelineEntry & { id: string })[]): Promise<void> {
    await this.meta.transaction([
      {
        sql: `INSERT INTO incidents (id, env_id, service, severity, state, title, group_key, fingerprints, opened_at, acknowledged_at, acknowledged_by, mitigated_at, resolved_at, postmortem, updated_at, alert_name)
              VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
              ON CONFLICT (id) DO UPDATE SET severity = excluded.severity, state = excluded.state, title = excluded.title, fingerprints = excluded.fingerprints,
                acknowledged_at = excluded.acknowledged_at, acknowledged_by = excluded.acknowledged_by, mitigated_at = excluded.mitigated_at,
                resolved_at = excluded.resolved_at, postmortem = excluded.postmortem, updated_at = excluded.updated_at`,
        params: [i.id, i.envId, i.service, i.severity, i.state, i.title, i.groupKey, i.fingerprints.join(','), i.openedAt, i.acknowledgedAt ?? null,
          i.acknowledgedBy ?? null, i.mitigatedAt ?? null, i.resolvedAt ?? null, i.postmortem ?? null, i.updatedAt, i.alertName ?? null],
      },
      ...entries.map((e) => ({
        sql: 'INSERT INTO incident_timeline (id, incident_id, at_ms, kind, author, text) VALUES ($1, $2, $3, $4, $5, $6)',
        params: [e.id, i.id, e.at, e.kind, e.author, e.text],
      })),
    ]);
  }

  async get(envId: string, id: string): Promise<Incident | undefined> {
    const rows = await this.meta.query('SELECT * FROM incidents WHERE env_id = $1 AND id = $2', [envId, id]);
    return rows.length ? toIncident(rows[0]) : undefined;
  }

  async list(envId: string, f: IncidentFilter = {}): Promise<Incident[]> {
    const where = ['env_id = $1'];
    const params: unknown[] = [envId];
    if (f.service) where.push(`service = $${params.push(f.service)}`);
    if (f.state === 'open') where.push(`state <> 'resolved'`);
    else if (f.state) where.push(`state = $${params.push(f.state)}`);
    const rows = await this.meta.query(`SELECT * FROM incidents WHERE ${where.join(' AND ')} ORDER BY opened_at DESC LIMIT ${Math.floor(f.limit ?? 100)}`, params);
    return rows.map(toIncident);
  }

  async openFor(envId: string, service: string, groupKey: string): Promise<Incident | undefined> {
    const rows = await this.meta.query(`SELECT * FROM incidents WHERE env_id = $1 AND service = $2 AND group_key = $3 AND state <> 'resolved' ORDER BY opened_at DESC LIMIT 1`, [envId, service, groupKey]);
    return rows.length ? toIncident(rows[0]) : undefined;
  }

  /** Open incidents an alert joined. */
  async withFingerprint(envId: string, fp: string): Promise<Incident[]> {
    const rows = await this.meta.query(`SELECT * FROM incidents WHERE env_id = $1 AND state <> 'resolved' AND fingerprints LIKE $2`, [envId, `%${fp}%`]);
    return rows.map(toIncident).filter((i) => i.fingerprints.includes(fp));
  }

  /** Incidents of a service opened since `sinceMs` (faults are counted from these). */
  async openedSince(envId: string, service: string, sinceMs: number): Promise<Incident[]> {
    const rows = await this.meta.query('SELECT * FROM incidents WHERE env_id = $1 AND service = $2 AND opened_at >= $3', [envId, service, sinceMs]);
    return rows.map(toIncident);
  }

  async timeline(id: string): Promise<TimelineEntry[]> {
    const rows = await this.meta.query('SELECT at_ms, kind, author, text FROM incident_timeline WHERE incident_id = $1 ORDER BY at_ms, id', [id]);
    return rows.map((r) => ({ at: Number(r.at_ms), kind: String(r.kind), author: String(r.author), text: String(r.text) }));
  }
}
