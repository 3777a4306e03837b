// The capacity API:
//   GET /api/v1/services/:name/capacity?weeks=4                      peaks, headroom, trend
//   GET /api/v1/services/:name/capacity/plan?multiplier=5&at=ISO      which limit breaks first
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../auth/index.js';
import { parseTimeParam, validate } from '../http/index.js';
import { capacityView, planCapacity, type CapacityDeps } from './capacity.js';

type ServiceRoute = { Params: { name: string } };

/** Weeks of history read: up to 8 (a query covers at most 62 days). */
const Weeks = z.coerce.number().int().min(1).max(8).default(4);
const ViewParams = z.object({ weeks: Weeks });
const PlanParams = z.object({ weeks: Weeks, multiplier: z.coerce.number().positive().max(1_000_000), at: z.string().min(1).optional() });

export function registerCapacityRoutes(app: FastifyInstance, deps: CapacityDeps): void {
  app.get<ServiceRoute>('/api/v1/services/:name/capacity', async (request) => {
    const q = validate(ViewParams, request.query, 'query');
    return capacityView(deps, principalOf(request).env, request.params.name, q.weeks);
  });

  app.get<ServiceRoute>('/api/v1/services/:name/capacity/plan', async (request) => {
    const q = validate(PlanParams, request.query, 'query');
    const now = Date.now();
    const at = q.at === undefined ? now : parseTimeParam(q.at, 'at');
    const view = await capacityView(deps, principalOf(request).env, request.params.name, q.weeks, now);
    return planCapacity(view, q.multiplier, at, now);
  });
}
