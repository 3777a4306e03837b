// Markers: points or ranges in time (a deploy, a config change, an incident) drawn on every
// chart of their dataset. A marker belongs to one dataset, or to the whole environment when
// made on Honeycomb's `__all__`. Times are Unix seconds, as Honeycomb's Markers API has them.
import crypto from 'node:crypto';
import type { Dataset, Environment, MetaStore, Row } from '../store/index.js';

export const MARKER_SCHEMA = [
  `CREATE TABLE markers (id TEXT PRIMARY KEY, env_id TEXT NOT NULL, dataset_id TEXT, start_time BIGINT NOT NULL, end_time BIGINT, message TEXT, type TEXT, url TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
  `CREATE INDEX markers_by_env_time ON markers (env_id, start_time)`,
];

/** A marker as Honeycomb's API shows it: absent fields are left out, not null. */
export interface Marker {
  id: string;
  start_time: number;
  end_time?: number;
  message?: string;
  type?: string;
  url?: string;
  created_at: string;
  updated_at: string;
  /** The dataset the marker belongs to, or `__all__` for an environment-wide marker. */
  dataset: string;
}

export interface MarkerFields {
  start_time?: number;
  end_time?: number;
  message?: string;
  type?: string;
  url?: string;
}

/** Where a marker lives: an environment, and a dataset in it or none (environment-wide). */
export interface MarkerScope {
  envId: string;
  /** undefined for environment-wide markers. */
  datasetId?: string;
  /** The name shown in answers (`__all__` for environment-wide). */
  datasetName: string;
}

/** Most markers one list or one query window returns; the newest are kept. */
export const MAX_MARKERS = 1000;

export class MarkerStore {
  private constructor(private readonly meta: MetaStore) {}

  static async open(meta: MetaStore): Promise<MarkerStore> {
    await meta.migrate('markers.v1', MARKER_SCHEMA);
    return new MarkerStore(meta);
  }

  async create(scope: MarkerScope, fields: MarkerFields, nowMs = Date.now()): Promise<Marker> {
    const now = new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
    const id = crypto.randomBytes(4).toString('hex');
    const start = fields.start_time ?? Math.floor(nowMs / 1000);
    await this.meta.query(
      'INSERT INTO markers (id, env_id, dataset_id, start_time, end_time, message, type, url, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)',
      [id, scope.envId, scope.datasetId ?? null, start, fields.end_time ?? null, fields.message ?? null, fields.type ?? null, fields.url ?? null, now, now],
    );
    return (await this.get(scope, id))!;
  }

  async get(scope: MarkerScope, id: string): Promise<Marker | undefined> {
    const rows = await this.meta.query(`SELECT * FROM markers WHERE id = $1 AND env_id = $2 AND ${datasetClause(scope, 3)}`, [
      id,
      scope.envId,
      ...datasetParam(scope),
    ]);
    return rows.length ? toMarker(rows[0], scope.datasetName) : undefined;
  }

  /** The scope's markers, oldest first (at most MAX_MARKERS, the newest kept). */
  async list(scope: MarkerScope): Promise<Marker[]> {
    const rows = await this.meta.query(
      `SELECT * FROM markers WHERE env_id = $1 AND ${datasetClause(scope, 2)} ORDER BY start_time DESC, id LIMIT ${MAX_MARKERS}`,
      [scope.envId, ...datasetParam(scope)],
    );
    return rows.map((r) => toMarker(r, scope.datasetName)).reverse();
  }

  /**
   * Replaces the given fields; the others keep their values. One statement, so concurrent
   * updates of different fields all land. Undefined when there is no such marker, or when the
   * result would end before it starts (the caller checked against what it read).
   */
  async update(scope: MarkerScope, id: string, fields: MarkerFields, nowMs = Date.now()): Promise<Marker | undefined> {
    const rows = await this.meta.query(
      `UPDATE markers SET start_time = COALESCE($1, start_time), end_time = COALESCE($2, end_time), message = COALESCE($3, message),
              type = COALESCE($4, type), url = COALESCE($5, url), updated_at = $6
        WHERE id = $7 AND env_id = $8 AND ${datasetClause(scope, 9)}
          AND COALESCE($2, end_time, COALESCE($1, start_time)) >= COALESCE($1, start_time)
        RETURNING *`,
      [fields.start_time ?? null, fields.end_time ?? null, fields.message ?? null, fields.type ?? null, fields.url ?? null, new Date(nowMs).toISOString().replace(/\.\d{3}Z$/, 'Z'), id, scope.envId, ...datasetParam(scope)],
    );
    return rows.length ? toMarker(rows[0], scope.datasetName) : undefined;
  }

  /** Deletes and returns the marker; undefined when there is no such marker. */
  async delete(scope: MarkerScope, id: string): Promise<Marker | undefined> {
    const rows = await this.meta.query(`DELETE FROM markers WHERE id = $1 AND env_id = $2 AND ${datasetClause(scope, 3)} RETURNING *`, [
      id,
      scope.envId,
      ...datasetParam(scope),
    ]);
    return rows.length ? toMarker(rows[0], scope.datasetName) : undefined;
  }

  /**
   * Markers a chart over [fromSec, toSec) shows: those of these datasets and the
   * environment-wide ones whose span overlaps the window (a point marker is a span of zero
   * length). No datasets asks for the environment-wide markers only. The query engine calls
   * this to add markers to query results.
   */
  async overlapping(env: Pick<Environment, 'id'>, datasets: Pick<Dataset, 'id' | 'name'>[], fromSec: number, toSec: number): Promise<Marker[]> {
    const ids = datasets.map((d) => d.id);
    const names = new Map(datasets.map((d) => [d.id, d.name]));
    const inList = ids.map((_, i) => `$${i + 4}`).join(', ');
    const rows = await this.meta.query(
      `SELECT * FROM markers WHERE env_id = $1 AND start_time < $3 AND COALESCE(end_time, start_time) >= $2
         AND (dataset_id IS NULL${ids.length ? ` OR dataset_id IN (${inList})` : ''})
       ORDER BY start_time DESC, id LIMIT ${MAX_MARKERS}`,
      [env.id, Math.floor(fromSec), Math.ceil(toSec), ...ids],
    );
    return rows.map((r) => toMarker(r, r.dataset_id == null ? ALL : (names.get(String(r.dataset_id)) ?? ALL))).reverse();
  }
}

const ALL = '__all__';

function datasetClause(scope: MarkerScope, n: number): string {
  return scope.datasetId === undefined ? 'dataset_id IS NULL' : `dataset_id = $${n}`;
}

function datasetParam(scope: MarkerScope): unknown[] {
  return scope.datasetId === undefined ? [] : [scope.datasetId];
}

function toMarker(r: Row, datasetName: string): Marker {
  const m: Marker = { id: String(r.id), start_time: Number(r.start_time), created_at: String(r.created_at), updated_at: String(r.updated_at), dataset: datasetName };
  if (r.end_time != null) m.end_time = Number(r.end_time);
  if (r.message != null) m.message = String(r.message);
  if (r.type != null) m.type = String(r.type);
  if (r.url != null) m.url = String(r.url);
  return m;
}
