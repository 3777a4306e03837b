// Capacity: a service's declared limits (tend.yaml `capacity:`), its peaks per hour against
// them over the last weeks, the headroom, the trend, and the plan for a multiplied load.
import type { FastifyInstance } from 'fastify';
import type { DatasetFieldsOf } from '../dataset-fields/index.js';
import type { QueryDeps } from '../query/index.js';
import { readCapacityFile } from './config.js';
import { registerCapacityRoutes } from './routes.js';

export { CapacityConfigError, parseCapacityFile, type Capacity } from './config.js';
export { capacityView, planCapacity, type CapacityView, type CapacityPlan } from './capacity.js';

export interface CapacityStartDeps {
  query: QueryDeps;
  fields: DatasetFieldsOf;
  configFile: string;
  configFileNamed: boolean;
  ensureEnvironment(name: string): Promise<{ id: string }>;
  service(envId: string, name: string): { name: string; datasets: string[] } | undefined;
}

/** Reads the limits from tend.yaml (a bad one stops the start) and registers the routes. */
export async function startCapacity(app: FastifyInstance, d: CapacityStartDeps): Promise<void> {
  const file = readCapacityFile(d.configFile, d.configFileNamed);
  const envId = (await d.ensureEnvironment(file.environment)).id;
  registerCapacityRoutes(app, {
    query: d.query, fields: d.fields, service: d.service,
    // Limits belong to the services of the file's environment.
    capacity: (env, name) => (env === envId ? file.services.get(name) : undefined),
  });
}
