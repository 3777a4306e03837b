// SLOs and their rollups as rows of the metadata store (SQL PostgreSQL also runs). Rollups are
// kept per SLO and hour: 60 minutes of good and eligible counts in one row, stamped with the
// SLI they were computed for, so a changed SLI (or derived column) rebuilds instead of mixing.
import crypto from 'node:crypto';
import type { MetaStore, Row } from '../store/index.js';
import type { Slo } from './definition.js';
import { MinuteSeries } from './rollups/minute-series.js';
import type { SloStatus } from './burn/status.js';

/** An SLO's latest evaluation, as every node shows it (whichever node evaluated). */
export interface SloEvaluation {
  status?: SloStatus;
  /** Why the evaluation failed, if it did. */
  error?: string;
  /** Burn alerts firing, by their labels (JSON). */
  firing: string[];
}

const SCHEMA = [
  `CREATE TABLE slos (id TEXT PRIMARY KEY, env_id TEXT NOT NULL, name TEXT NOT NULL, definition TEXT NOT NULL, managed_by TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL)`,
  `CREATE TABLE slo_rollups (slo_id TEXT NOT NULL, hour BIGINT NOT NULL, sli_hash TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (slo_id, hour))`,
];

/** Rows per INSERT when many hours are written at once (the first full computation). */
const ROWS_PER_STATEMENT = 200;

export const newSloId = (): string => crypto.randomBytes(6).toString('base64url');

function toSlo(r: Row): Slo {
  const def = JSON.parse(String(r.definition)) as Omit<Slo, 'id' | 'envId' | 'managedBy' | 'createdAt' | 'updatedAt'>;
  return { ...def, id: String(r.id), envId: String(r.env_id), managedBy: r.managed_by as Slo['managedBy'], createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) };
}

/** 60 pairs, null for a minute not computed. */
function encode(block: Float64Array): string {
  const out: (number | null)[] = [];
  for (let i = 0; i < 120; i++) out.push(Number.isNaN(block[i]) ? null : block[i]);
  return JSON.stringify(out);
}

function decode(text: string): Float64Array {
  return Float64Array.from(JSON.parse(text) as (number | null)[], (v) => (v === null ? NaN : v));
}

export class SloStore {
  private constructor(private readonly meta: MetaStore) {}

  static async open(meta: MetaStore): Promise<SloStore> {
    await meta.migrate('slos.v1', SCHEMA);
    // The latest evaluation of each SLO, written by the node evaluating, read by the others.
    await meta.migrate('slos.v2', ['CREATE TABLE slo_evaluations (slo_id TEXT PRIMARY KEY, data TEXT NOT NULL)']);
    return new SloStore(meta);
  }

  async all(): Promise<Slo[]> {
    return (await this.meta.query('SELECT * FROM slos ORDER BY name')).map(toSlo);
  }

  async save(s: Slo): Promise<void> {
    const { id, envId, managedBy, createdAt, updatedAt, ...def } = s;
    await this.meta.query(
      `INSERT INTO slos (id, env_id, name, definition, managed_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, definition = excluded.definition, managed_by = excluded.managed_by, updated_at = excluded.updated_at`,
      [id, envId, s.name, JSON.stringify(def), managedBy, createdAt, updatedAt],
    );
  }

  async delete(id: string): Promise<void> {
    await this.meta.transaction([
      { sql: 'DELETE FROM slos WHERE id = $1', params: [id] },
      { sql: 'DELETE FROM slo_rollups WHERE slo_id = $1', params: [id] },
      { sql: 'DELETE FROM slo_evaluations WHERE slo_id = $1', params: [id] },
    ]);
  }

  /** The rollups kept for this SLI; those of another SLI are deleted. */
  async loadRollups(sloId: string, sliHash: string): Promise<MinuteSeries> {
    const series = new MinuteSeries();
    for (const r of await this.meta.query('SELECT hour, sli_hash, data FROM slo_rollups WHERE slo_id = $1', [sloId])) {
      if (r.sli_hash === sliHash) series.blocks.set(Number(r.hour), decode(String(r.data)));
    }
    await this.meta.query('DELETE FROM slo_rollups WHERE slo_id = $1 AND sli_hash <> $2', [sloId, sliHash]);
    return series;
  }

  /** Statements writing these hours of the series and forgetting hours that fell out of it (run in one transaction per round). */
  rollupStatements(sloId: string, sliHash: string, series: MinuteSeries, hours: number[], dropped: number[]): { sql: string; params: unknown[] }[] {
    const statements: { sql: string; params: unknown[] }[] = [];
    for (let i = 0; i < hours.length; i += ROWS_PER_STATEMENT) {
      const chunk = hours.slice(i, i + ROWS_PER_STATEMENT).filter((h) => series.blocks.has(h));
      if (!chunk.length) continue;
      const params: unknown[] = [];
      const values = chunk.map((h) => {
        params.push(sloId, h, sliHash, encode(series.blocks.get(h)!));
        const n = params.length;
        return `($${n - 3}, $${n - 2}, $${n - 1}, $${n})`;
      });
      statements.push({
        sql: `INSERT INTO slo_rollups (slo_id, hour, sli_hash, data) VALUES ${values.join(', ')}
              ON CONFLICT (slo_id, hour) DO UPDATE SET sli_hash = excluded.sli_hash, data = excluded.data`,
        params,
      });
    }
    if (dropped.length) statements.push({ sql: 'DELETE FROM slo_rollups WHERE slo_id = $1 AND hour < $2', params: [sloId, Math.max(...dropped) + 1] });
    return statements;
  }

  async evaluations(): Promise<Map<string, SloEvaluation>> {
    const rows = await this.meta.query('SELECT slo_id, data FROM slo_evaluations');
    return new Map(rows.map((r) => [String(r.slo_id), JSON.parse(String(r.data)) as SloEvaluation]));
  }

  /** One statement storing a round's evaluations (none when there are none). */
  evaluationStatements(evaluations: Map<string, SloEvaluation>): { sql: string; params: unknown[] }[] {
    if (!evaluations.size) return [];
    const params: unknown[] = [];
    const values = [...evaluations].map(([id, e]) => {
      params.push(id, JSON.stringify(e));
      return `($${params.length - 1}, $${params.length})`;
    });
    return [{ sql: `INSERT INTO slo_evaluations (slo_id, data) VALUES ${values.join(', ')} ON CONFLICT (slo_id) DO UPDATE SET data = excluded.data`, params }];
  }

  async run(statements: { sql: string; params: unknown[] }[]): Promise<void> {
    if (statements.length) await this.meta.transaction(statements);
  }
}
