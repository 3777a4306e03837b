// Alerts as rows of the metadata store (portable SQL), so they survive a restart and every node
// sees the same ones. The service keeps them in memory too and writes each change through.
import type { MetaStore, Row } from '../store/index.js';
import type { Alert, AlertSource, AlertState } from './model.js';

const SCHEMA = [
  `CREATE TABLE alerts (env_id TEXT NOT NULL, fingerprint TEXT NOT NULL, labels TEXT NOT NULL, annotations TEXT NOT NULL, state TEXT NOT NULL, source TEXT NOT NULL, starts_at BIGINT NOT NULL, ends_at BIGINT, updated_at BIGINT NOT NULL, generator_url TEXT, expires_at BIGINT, value DOUBLE PRECISION, acked_by TEXT, acked_at BIGINT, PRIMARY KEY (env_id, fingerprint))`,
];

const COLUMNS = 'env_id, fingerprint, labels, annotations, state, source, starts_at, ends_at, updated_at, generator_url, expires_at, value, acked_by, acked_at';
const KEY = ['env_id', 'fingerprint'];

const opt = <T>(v: unknown, f: (x: unknown) => T): T | undefined => (v === null || v === undefined ? undefined : f(v));

function toAlert(r: Row): Alert {
  return {
    envId: String(r.env_id),
    fingerprint: String(r.fingerprint),
    labels: JSON.parse(String(r.labels)),
    annotations: JSON.parse(String(r.annotations)),
    state: r.state as AlertState,
    source: r.source as AlertSource,
    startsAt: Number(r.starts_at),
    endsAt: opt(r.ends_at, Number),
    updatedAt: Number(r.updated_at),
    generatorUrl: opt(r.generator_url, String),
    expiresAt: opt(r.expires_at, Number),
    value: opt(r.value, Number),
    ackedBy: opt(r.acked_by, String),
    ackedAt: opt(r.acked_at, Number),
  };
}

/** JSON of label and annotation objects already written: a refresh keeps its alert's objects. */
const written = new WeakMap<object, string>();
function json(o: Record<string, string>): string {
  let text = written.get(o);
  if (text === undefined) written.set(o, (text = JSON.stringify(o)));
  return text;
}

function params(a: Alert): unknown[] {
  return [
    a.envId, a.fingerprint, json(a.labels), json(a.annotations), a.state, a.source, a.startsAt, a.endsAt ?? null,
    a.updatedAt, a.generatorUrl ?? null, a.expiresAt ?? null, a.value ?? null, a.ackedBy ?? null, a.ackedAt ?? null,
  ];
}

export class AlertStore {
  private constructor(private readonly meta: MetaStore) {}

  static async open(meta: MetaStore): Promise<AlertStore> {
    await meta.migrate('alerts.v1', SCHEMA);
    return new AlertStore(meta);
  }

  async all(): Promise<Alert[]> {
    return (await this.meta.query(`SELECT ${COLUMNS} FROM alerts`)).map(toAlert);
  }

  /** The stored rows of these alerts (`[envId, fingerprint]`): what another node saved. */
  async some(keys: [string, string][]): Promise<Alert[]> {
    if (!keys.length) return [];
    const fps = [...new Set(keys.map(([, fp]) => fp))];
    const wanted = new Set(keys.map(([env, fp]) => `${env}\u0000${fp}`));
    const rows = await this.meta.query(`SELECT ${COLUMNS} FROM alerts WHERE fingerprint IN (${fps.map((_, i) => `$${i + 1}`).join(', ')})`, fps);
    return rows.map(toAlert).filter((a) => wanted.has(`${a.envId}\u0000${a.fingerprint}`));
  }

  /**
   * Writes alerts in bulk: one upsert per row cost about 10 ms each in DuckDB, so a pushed
   * batch of 100 took a second, and a parameter per value still bounded how fast pushes
   * could come in (bench:alerts, part c; bench/meta-upsert.ts). `isNew` names the alerts
   * never stored before (the store inserts them without looking for a stored row first).
   */
  async save(alerts: Alert[], isNew: (a: Alert) => boolean = () => false): Promise<void> {
    // One row per alert: a statement may not update the same key twice.
    const latest = [...new Map(alerts.map((a) => [`${a.envId}\u0000${a.fingerprint}`, a])).values()];
    const [created, changed] = [latest.filter(isNew), latest.filter((a) => !isNew(a))];
    await this.meta.upsert('alerts', COLUMNS.split(', '), KEY, changed.map(params), created.map(params));
  }

  async deleteResolvedBefore(ms: number): Promise<void> {
    await this.meta.query(`DELETE FROM alerts WHERE state = 'resolved' AND updated_at < $1`, [ms]);
  }
}
