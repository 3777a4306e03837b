// GET /1/datasets as Honeycomb answers it (name, slug, created_at, last_written_at,
// regular_columns_count), for the home page and for clients of Honeycomb's Datasets API.
// last_written_at is the newest event's time within the retention window (null when none).
import type { FastifyInstance } from 'fastify';
import { principalOf } from '../auth/index.js';
import { searchEvents, type QueryDeps } from '../query/index.js';

/** How far back the newest event is looked for: the longest window a query may cover. */
const LAST_EVENT_WINDOW_SECONDS = 62 * 86_400;

export function registerDatasetRoutes(app: FastifyInstance, deps: QueryDeps): void {
  app.get('/1/datasets', async (request) => {
    const env = principalOf(request).env;
    const datasets = await deps.datasets.list(env.id);
    return Promise.all(
      datasets.map(async (d) => {
        const columns = await deps.store.columns(d.id);
        const newest = columns.length
          ? await searchEvents(deps, env, d.name, { time_range: LAST_EVENT_WINDOW_SECONDS, limit: 1, columns: [columns[0].name] })
          : undefined;
        return {
          name: d.name,
          slug: d.slug,
          created_at: d.createdAt,
          last_written_at: newest?.events[0]?.time ?? null,
          regular_columns_count: columns.length,
        };
      }),
    );
  });
}
