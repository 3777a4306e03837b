// Capacity: a service's declared limits (tend.yaml `capacity:`), its peaks per hour against
// them over the last weeks, the headroom, the trend, and the plan for a multiplied load.
import type { FastifyInstance } from 'fastify';
import type { DatasetFieldsOf } from '../dataset-fields/index.js';
import type { QueryDeps } from '../query/index.js';
import type { ConfigReload } from '../config-file.js';
import { readCapacityFile, type CapacityFile } from './config.js';
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
  reload?: ConfigReload;
}

/**
 * Reads the limits from tend.yaml (a bad one stops the start) and registers the routes. A reload
 * reads them again; every node applies them from its own copy of the file.
 */
export async function startCapacity(app: FastifyInstance, d: CapacityStartDeps): Promise<void> {
  const read = () => readCapacityFile(d.configFile, d.configFileNamed);
  let limits: { envId: string; file: CapacityFile };
  const apply = async (file: CapacityFile) => {
    limits = { envId: (await d.ensureEnvironment(file.environment)).id, file };
  };
  await apply(read());
  d.reload?.register({ name: 'capacity', read, apply });
  registerCapacityRoutes(app, {
    query: d.query, fields: d.fields, service: d.service,
    // Limits belong to the services of the file's environment.
    capacity: (env, name) => (env === limits.envId ? limits.file.services.get(name) : undefined),
  });
}
