// The customer API: the customers hurt most in a window, and one customer's page.
//   GET /api/v1/customers?dataset=checkout&window=1h&sort=most_affected&limit=20
//   GET /api/v1/customers/:id?dataset=checkout&window=6h   (or start=...&end=...)
// Both take `timeout_ms`, each query's time limit, as the query API does.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../auth/index.js';
import { validate } from '../http/index.js';
import { MAX_QUERY_TIMEOUT_MS } from '../query/index.js';
import type { CustomerDeps } from './context.js';
import { ListParams, mostAffected } from './most-affected.js';
import { customerPage } from './page.js';
import { parseWindow } from './window.js';

const WindowParams = z.object({
  dataset: z.string().min(1).max(255),
  window: z.string().optional(),
  start: z.string().optional(),
  end: z.string().optional(),
  timeout_ms: z.coerce.number().int().min(1).max(MAX_QUERY_TIMEOUT_MS).optional(),
});

export function registerCustomerRoutes(app: FastifyInstance, deps: CustomerDeps): void {
  app.get('/api/v1/customers', async (request) => {
    const q = validate(WindowParams.extend(ListParams.shape), request.query, 'query');
    return mostAffected(deps, principalOf(request).env, q.dataset, parseWindow(q), q, q.timeout_ms);
  });

  app.get<{ Params: { id: string } }>('/api/v1/customers/:id', async (request) => {
    const q = validate(WindowParams, request.query, 'query');
    return customerPage(deps, principalOf(request).env, q.dataset, request.params.id, parseWindow(q), q.timeout_ms);
  });
}
