// Stored query specs and query results for Honeycomb's Query Data API flow: a spec is saved
// once (POST /1/queries), run any number of times (POST /1/query_results), and each result is
// kept for a day so it can be fetched by id. Rows are scoped to an environment and dataset.
import crypto from 'node:crypto';
import type { MetaStore } from '../store/index.js';

export const QUERY_STORE_SCHEMA = [
  `CREATE TABLE query_specs (id TEXT PRIMARY KEY, env_id TEXT NOT NULL, dataset TEXT NOT NULL, spec TEXT NOT NULL, created_at TEXT NOT NULL)`,
  `CREATE TABLE query_results (id TEXT PRIMARY KEY, env_id TEXT NOT NULL, dataset TEXT NOT NULL, query_id TEXT NOT NULL, result TEXT NOT NULL, created_at TEXT NOT NULL)`,
];

/** Query results are kept this long after they were made. */
export const RESULT_TTL_MS = 24 * 3600 * 1000;

const newId = () => crypto.randomBytes(8).toString('base64url');

/** Saved query specs and recent query results, per environment and dataset. */
export class QueryStore {
  private constructor(private readonly meta: MetaStore) {}

  static async open(meta: MetaStore): Promise<QueryStore> {
    await meta.migrate('query.v1', QUERY_STORE_SCHEMA);
    return new QueryStore(meta);
  }

  async saveSpec(envId: string, dataset: string, spec: unknown): Promise<string> {
    const id = newId();
    await this.meta.query('INSERT INTO query_specs (id, env_id, dataset, spec, created_at) VALUES ($1, $2, $3, $4, $5)', [
      id, envId, dataset.toLowerCase(), JSON.stringify(spec), new Date().toISOString(),
    ]);
    return id;
  }

  async spec(envId: string, dataset: string, id: string): Promise<unknown | undefined> {
    const rows = await this.meta.query('SELECT spec FROM query_specs WHERE id = $1 AND env_id = $2 AND dataset = $3', [id, envId, dataset.toLowerCase()]);
    return rows.length ? JSON.parse(String(rows[0].spec)) : undefined;
  }

  async saveResult(envId: string, dataset: string, queryId: string, result: unknown): Promise<string> {
    const id = newId();
    const now = Date.now();
    await this.meta.transaction([
      { sql: 'DELETE FROM query_results WHERE created_at < $1', params: [new Date(now - RESULT_TTL_MS).toISOString()] },
      {
        sql: 'INSERT INTO query_results (id, env_id, dataset, query_id, result, created_at) VALUES ($1, $2, $3, $4, $5, $6)',
        params: [id, envId, dataset.toLowerCase(), queryId, JSON.stringify(result), new Date(now).toISOString()],
      },
    ]);
    return id;
  }

  async result(envId: string, dataset: string, id: string): Promise<{ queryId: string; result: unknown } | undefined> {
    const rows = await this.meta.query('SELECT query_id, result FROM query_results WHERE id = $1 AND env_id = $2 AND dataset = $3', [
      id, envId, dataset.toLowerCase(),
    ]);
    return rows.length ? { queryId: String(rows[0].query_id), result: JSON.parse(String(rows[0].result)) } : undefined;
  }
}
