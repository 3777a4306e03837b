// GET /api/v1/datasets: the environment's datasets with the retention each has now
// ({"datasets": [{name, slug, created_at, retention_days, retention_rule}], "default_retention_days"}).
// retention_days is null for a dataset kept for ever; retention_rule says what decided it.
import type { FastifyInstance } from 'fastify';
import { principalOf } from '../auth/index.js';
import type { DatasetRegistry } from '../store/index.js';
import type { Retention } from './retention.js';

const orNull = (days: number) => (days > 0 ? days : null);

export function registerRetentionRoutes(app: FastifyInstance, datasets: DatasetRegistry, retention: Retention): void {
  app.get('/api/v1/datasets', async (request) => {
    const env = principalOf(request).env;
    const list = await datasets.list(env.id);
    return {
      datasets: await Promise.all(
        list.map(async (d) => {
          const { days, rule } = await retention.of(env.id, d.name);
          return { name: d.name, slug: d.slug, created_at: d.createdAt, retention_days: orNull(days), retention_rule: rule };
        }),
      ),
      default_retention_days: orNull(retention.policy.defaultDays),
    };
  });
}
