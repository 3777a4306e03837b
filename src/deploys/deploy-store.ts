// Deploys and their reports, in the metadata store: a deploy is pending until its report is made
// (once its comparison window has passed), then done with the report kept beside it.
import crypto from 'node:crypto';
import type { MetaStore, Row } from '../store/index.js';

const SCHEMA = [
  `CREATE TABLE deploys (id TEXT PRIMARY KEY, env_id TEXT NOT NULL, service TEXT NOT NULL, build TEXT NOT NULL, commit_sha TEXT, message TEXT, url TEXT,
     time_ms BIGINT NOT NULL, window_ms BIGINT NOT NULL, datasets TEXT NOT NULL, source TEXT NOT NULL, created_at TEXT NOT NULL,
     status TEXT NOT NULL, report TEXT, reported_at TEXT)`,
  `CREATE INDEX deploys_by_env_time ON deploys (env_id, time_ms)`,
  `CREATE INDEX deploys_by_status ON deploys (status, time_ms)`,
];

export type DeploySource = 'api' | 'github' | 'gitlab';

export interface NewDeploy {
  service: string;
  build: string;
  commit?: string;
  message?: string;
  url?: string;
  /** ms since epoch */
  time: number;
  source: DeploySource;
}

export interface Deploy extends NewDeploy {
  id: string;
  envId: string;
  windowMs: number;
  /** The service's datasets the deploy was marked on and is reported for. */
  datasets: string[];
  createdAt: number;
  status: 'pending' | 'done';
}

/** Most deploys one list returns. */
export const MAX_LIST = 500;

export class DeployStore {
  private constructor(private readonly meta: MetaStore) {}

  static async open(meta: MetaStore): Promise<DeployStore> {
    await meta.migrate('deploys.v1', SCHEMA);
    return new DeployStore(meta);
  }

  async create(envId: string, d: NewDeploy, windowMs: number, datasets: string[], now = Date.now()): Promise<Deploy> {
    const id = crypto.randomBytes(6).toString('hex');
    await this.meta.query(
      `INSERT INTO deploys (id, env_id, service, build, commit_sha, message, url, time_ms, window_ms, datasets, source, created_at, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'pending')`,
      [id, envId, d.service, d.build, d.commit ?? null, d.message ?? null, d.url ?? null, d.time, windowMs, JSON.stringify(datasets), d.source, new Date(now).toISOString()],
    );
    return (await this.get(envId, id))!;
  }

  async get(envId: string, id: string): Promise<Deploy | undefined> {
    const rows = await this.meta.query('SELECT * FROM deploys WHERE env_id = $1 AND id = $2', [envId, id]);
    return rows.length ? toDeploy(rows[0]) : undefined;
  }

  /** The report kept for a done deploy. */
  async report(envId: string, id: string): Promise<unknown> {
    const rows = await this.meta.query('SELECT report FROM deploys WHERE env_id = $1 AND id = $2', [envId, id]);
    return rows[0]?.report == null ? undefined : JSON.parse(String(rows[0].report));
  }

  /** Newest first. */
  async list(envId: string, service?: string, limit = MAX_LIST): Promise<Deploy[]> {
    const rows = await this.meta.query(
      `SELECT * FROM deploys WHERE env_id = $1 ${service ? 'AND service = $2' : ''} ORDER BY time_ms DESC, id LIMIT ${Math.min(limit, MAX_LIST)}`,
      service ? [envId, service] : [envId],
    );
    return rows.map(toDeploy);
  }

  /** Pending deploys (any environment) whose window ended by `nowMs`, oldest first. */
  async due(nowMs: number, limit = 10): Promise<Deploy[]> {
    const rows = await this.meta.query(
      `SELECT * FROM deploys WHERE status = 'pending' AND time_ms + window_ms <= $1 ORDER BY time_ms LIMIT ${limit}`,
      [nowMs],
    );
    return rows.map(toDeploy);
  }

  async complete(id: string, report: unknown, now = Date.now()): Promise<void> {
    await this.meta.query(`UPDATE deploys SET status = 'done', report = $1, reported_at = $2 WHERE id = $3`, [JSON.stringify(report), new Date(now).toISOString(), id]);
  }
}

function toDeploy(r: Row): Deploy {
  const opt = (v: unknown) => (v == null ? undefined : String(v));
  return {
    id: String(r.id), envId: String(r.env_id), service: String(r.service), build: String(r.build),
    commit: opt(r.commit_sha), message: opt(r.message), url: opt(r.url),
    time: Number(r.time_ms), windowMs: Number(r.window_ms), datasets: JSON.parse(String(r.datasets)) as string[],
    source: String(r.source) as DeploySource, createdAt: Date.parse(String(r.created_at)), status: r.status === 'done' ? 'done' : 'pending',
  };
}

/** A deploy as the API shows it. */
export function deployJson(d: Deploy) {
  return {
    id: d.id, service: d.service, build: d.build, commit: d.commit ?? null, message: d.message ?? null, url: d.url ?? null,
    time: new Date(d.time).toISOString(), window_seconds: d.windowMs / 1000, datasets: d.datasets, source: d.source, status: d.status,
    created_at: new Date(d.createdAt).toISOString(),
  };
}
