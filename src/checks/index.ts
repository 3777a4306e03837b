// Checks and heartbeats: watch services from outside (http, tcp, tls, dns), wait for pings
// from jobs (heartbeat), keep every result as an event, and declare it all in tend.yaml.
import type { FastifyInstance } from 'fastify';
import { registerPingRoutes } from './ping-routes.js';
import { registerCheckRoutes } from './routes.js';
import type { ChecksService } from './service.js';

export { startChecks, type Checks, type ChecksDeps } from './start.js';
export { ChecksService, type ApplySummary } from './service.js';
export type { CheckRecord, StatusPageRecord } from './check-store.js';
export type { CheckView } from './monitor.js';
export type { CheckState } from './state-machine.js';
export { CHECKS_DATASET } from './events.js';
export { parseChecksFile } from './config-file.js';
export { ManualClock, type Clock } from './clock.js';
export { formatResult } from './format.js';

export function registerChecksRoutes(app: FastifyInstance, checks: ChecksService): void {
  registerCheckRoutes(app, checks);
  registerPingRoutes(app, checks);
}
export { probe, type CheckResult } from './kinds/index.js';
export { parseCheck, type CheckDefinition } from './definition.js';
