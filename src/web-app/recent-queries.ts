// Recent queries, kept on the server per person and environment (the query page's "Recent
// queries", the same on every browser the person signs in from): the newest 20, a query run
// again moving to the top. Only people have them; keys are told to sign in.
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../auth/index.js';
import { badRequest, HttpError, parseJsonBody, validate } from '../http/index.js';
import { parseQuerySpec, type QuerySpec } from '../query/index.js';
import type { MetaStore } from '../store/index.js';

export const RECENT_QUERIES_KEPT = 20;

const SCHEMA = [
  `CREATE TABLE ui_recent_queries (user_id TEXT NOT NULL, env_id TEXT NOT NULL, query_key TEXT NOT NULL, dataset TEXT NOT NULL, spec TEXT NOT NULL, at_ms BIGINT NOT NULL, PRIMARY KEY (user_id, env_id, query_key))`,
];
const Body = z.strictObject({ dataset: z.string().min(1).max(255), spec: z.unknown() });

export interface RecentQuery {
  dataset: string;
  spec: QuerySpec;
  at: string;
}

export class RecentQueries {
  /** Two queries kept in the same millisecond still have an order. */
  private last = 0;

  private constructor(private readonly meta: MetaStore) {}

  static async open(meta: MetaStore): Promise<RecentQueries> {
    await meta.migrate('web-app.recent-queries.v1', SCHEMA);
    return new RecentQueries(meta);
  }

  async list(userId: string, envId: string): Promise<RecentQuery[]> {
    const rows = await this.meta.query('SELECT dataset, spec, at_ms FROM ui_recent_queries WHERE user_id = $1 AND env_id = $2 ORDER BY at_ms DESC LIMIT $3', [userId, envId, RECENT_QUERIES_KEPT]);
    return rows.map((r) => ({ dataset: String(r.dataset), spec: JSON.parse(String(r.spec)) as QuerySpec, at: new Date(Number(r.at_ms)).toISOString() }));
  }

  /** Keeps a query (the same dataset and spec as one kept already moves to the top) and forgets the oldest past 20. */
  async remember(userId: string, envId: string, dataset: string, spec: QuerySpec): Promise<void> {
    const now = (this.last = Math.max(Date.now(), this.last + 1));
    const text = JSON.stringify(spec);
    const key = crypto.createHash('sha256').update(`${dataset}\n${text}`).digest('hex');
    await this.meta.transaction([
      {
        sql: `INSERT INTO ui_recent_queries (user_id, env_id, query_key, dataset, spec, at_ms) VALUES ($1, $2, $3, $4, $5, $6)
              ON CONFLICT (user_id, env_id, query_key) DO UPDATE SET at_ms = excluded.at_ms`,
        params: [userId, envId, key, dataset, text, now],
      },
      {
        sql: `DELETE FROM ui_recent_queries WHERE user_id = $1 AND env_id = $2 AND query_key NOT IN
              (SELECT query_key FROM ui_recent_queries WHERE user_id = $1 AND env_id = $2 ORDER BY at_ms DESC LIMIT $3)`,
        params: [userId, envId, RECENT_QUERIES_KEPT],
      },
    ]);
  }
}

function personOf(request: Parameters<typeof principalOf>[0]) {
  const { actor, env } = principalOf(request);
  if (actor.kind !== 'user') throw badRequest('recent queries belong to people: sign in (a key has none)');
  return { userId: actor.id, envId: env.id };
}

export function registerRecentQueryRoutes(app: FastifyInstance, recent: RecentQueries): void {
  app.get('/api/v1/ui/recent-queries', async (request) => {
    const { userId, envId } = personOf(request);
    return { recent: await recent.list(userId, envId) };
  });

  app.post('/api/v1/ui/recent-queries', async (request, reply) => {
    const { userId, envId } = personOf(request);
    const body = validate(Body, parseJsonBody(request.body), 'recent query');
    let spec: QuerySpec;
    try {
      spec = parseQuerySpec(body.spec ?? {});
    } catch (err) {
      if (err instanceof HttpError) throw badRequest(`spec.${err.message}`);
      throw err;
    }
    await recent.remember(userId, envId, body.dataset, spec);
    reply.code(201);
    return { recent: await recent.list(userId, envId) };
  });
}
