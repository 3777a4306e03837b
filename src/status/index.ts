// Public status: status pages (/status/:slug, HTML and JSON) with 90-day uptime bars and
// notices, and SVG badges per check.
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../auth/index.js';
import type { ChecksService } from '../checks/index.js';
import type { DatasetRegistry, EventStore, MetaStore } from '../store/index.js';
import { NoticeStore } from './notices.js';
import { registerStatusRoutes } from './routes.js';

export type { DayUptime } from './uptime.js';
export type { PageData } from './page-data.js';

export interface StatusCapabilityDeps {
  meta: MetaStore;
  store: EventStore;
  datasets: DatasetRegistry;
  auth: AuthService;
  checks: ChecksService;
}

export async function registerStatus(app: FastifyInstance, deps: StatusCapabilityDeps): Promise<void> {
  const notices = await NoticeStore.open(deps.meta);
  registerStatusRoutes(app, { ...deps, notices });
}
