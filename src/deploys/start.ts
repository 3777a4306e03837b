// Builds the deploys capability for a running node: tend.yaml's `deploys:` section, the store,
// the service, its routes, and the round that makes due reports.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { Alerts } from '../alerts/index.js';
import { LeaseLoop, Leases } from '../store/index.js';
import type { AuthService } from '../auth/index.js';
import type { DatasetFieldsOf } from '../dataset-fields/index.js';
import type { IngestPipeline } from '../ingest/index.js';
import type { MarkerStore } from '../markers/index.js';
import type { QueryDeps } from '../query/index.js';
import type { MetaStore } from '../store/index.js';
import type { ConfigReload } from '../config-file.js';
import { readDeploysFile, type DeploySettings } from './config.js';
import { DeployService } from './deploy-service.js';
import { DeployStore } from './deploy-store.js';
import { registerDeployRoutes } from './routes.js';

export interface DeploysStartDeps {
  meta: MetaStore;
  auth: AuthService;
  pipeline: IngestPipeline;
  alerts: Alerts;
  markers: MarkerStore;
  query: QueryDeps;
  fieldsOf: DatasetFieldsOf;
  serviceOf(envId: string, name: string): { datasets: string[]; owner: string } | undefined;
  configFile: string;
  configFileNamed: boolean;
  nodeId: string;
  log: FastifyBaseLogger;
  env?: NodeJS.ProcessEnv;
  /** How often due reports are looked for (ms). */
  pollMs?: number;
  reload?: ConfigReload;
}

export interface DeploysCapability {
  service: DeployService;
  register(app: FastifyInstance): void;
  start(url: string): void;
  stop(): Promise<void>;
}

export async function startDeploys(d: DeploysStartDeps): Promise<DeploysCapability> {
  const read = () => readDeploysFile(d.configFile, d.configFileNamed, d.env);
  // Every node applies a reload from its own copy of the file: settings live in memory.
  let settings = read();
  d.reload?.register({ name: 'deploys', read, apply: async (next: DeploySettings) => void (settings = next) });
  const store = await DeployStore.open(d.meta);
  const leases = await Leases.open(d.meta, d.nodeId);
  const pollMs = d.pollMs ?? 15_000;
  let externalUrl = d.alerts.config.external_url ?? '';
  const service = new DeployService({
    store, markers: d.markers, query: d.query, fieldsOf: d.fieldsOf, settings: () => settings, serviceOf: d.serviceOf,
    envOf: async (id) => (await d.auth.environments()).find((e) => e.id === id),
    write: (env, dataset, events) => d.pipeline.submit(env, dataset, events),
    alerts: {
      report: (env, reports, ttl) => d.alerts.service.report(env, 'deploy', reports, { resolveTimeoutMs: ttl }),
      firing: (envId) => d.alerts.service.list(envId, { state: 'firing' }),
    },
    ownsRound: async () => loop.owns,
    externalUrl: () => externalUrl,
    log: d.log,
  });
  // A round at start (reports that fell due while no node ran), then every pollMs.
  const loop = new LeaseLoop({
    leases, name: 'deploys.reports', everyMs: pollMs, firstAfterMs: 0, log: d.log,
    work: async () => {
      service.kick();
      await service.idle();
    },
  });
  return {
    service,
    register(app) {
      registerDeployRoutes(app, { service, store, settings: () => settings, fileEnvironment: () => d.auth.ensureEnvironment(settings.environment) });
    },
    start(url) {
      externalUrl ||= url;
      loop.start();
    },
    async stop() {
      await loop.stop();
      await service.idle();
    },
  };
}
