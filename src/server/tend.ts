// A running Tend node: opens the data folder, builds every capability, and serves them on
// one port. `tend serve` and the tests both start Tend through startTend().
import type { FastifyInstance } from 'fastify';
import type { TendConfig } from '../config.js';
import { ConfigReload } from '../config-file.js';
import {
  AuthService, bootstrapOnce, People, readOidcSettings, registerAuthRoutes, registerOidcRoutes, registerSessionRoutes, registerUserRoutes,
  type BootstrapResult, type OwnerBootstrap,
} from '../auth/index.js';
import { AuditLog, AuditRetention, registerAuditHook, registerAuditRoutes } from '../audit/index.js';
import { DiskWatch, diskAlerts, holdCheckpointsWhileLow } from '../disk/index.js';
import { readRetention, registerRetentionRoutes, Retention, RetentionPolicy } from '../retention/index.js';
import { createIngestContext, registerIngestRoutes, startOtlpGrpcServer, type IngestContext, type OtlpGrpcServer } from '../ingest/index.js';
import { registerTraceRoutes, TraceIndex } from '../traces/index.js';
import { Checkpoints, DatasetRegistry, DuckDatabase, DuckEventStore, LeaseLoop, Leases, openEventStore, openMetaStore, type EventStore, type MetaStore } from '../store/index.js';
import { MetricsRegistry } from '../telemetry/index.js';
import { MarkerStore, registerMarkerRoutes } from '../markers/index.js';
import { registerChecksRoutes, startChecks, type Checks } from '../checks/index.js';
import { startAlerts, type Alerts } from '../alerts/index.js';
import { startSlos, type Slos } from '../slos/index.js';
import { startOwnership, type OwnershipCapability } from '../ownership/index.js';
import { startDeploys, type DeploysCapability } from '../deploys/index.js';
import { loadDatasetFields } from '../dataset-fields/index.js';
import { startCustomers } from '../customers/index.js';
import { startCapacity } from '../capacity/index.js';
import { createBackups, type Backups } from '../backups/index.js';
import { registerStatus } from '../status/index.js';
import { startCluster, type Cluster } from '../cluster/index.js';
import { registerBubbleUpRoutes, registerEventSearchRoutes, registerQueryRoutes } from '../query/index.js';
import { loadWebBuild, RecentQueries, registerDatasetRoutes, registerRecentQueryRoutes, registerWebApp } from '../web-app/index.js';
import { createApp } from './app.js';
import { registerHealthRoutes } from './health-routes.js';

/** How long a stop lets requests in flight finish before closing their connections. */
const CLOSE_GRACE_MS = 10_000;
const RETENTION_SWEEP_MS = 3_600_000;

export interface Tend {
  config: TendConfig;
  app: FastifyInstance;
  db: DuckDatabase;
  /** Everything that is not an event: `db` itself, or PostgreSQL with --meta. */
  meta: MetaStore;
  store: EventStore;
  datasets: DatasetRegistry;
  auth: AuthService;
  ingest: IngestContext;
  metrics: MetricsRegistry;
  markers: MarkerStore;
  keys: BootstrapResult;
  people: People;
  /** The owner made at this start, with the password when it was generated (shown once). */
  owner?: OwnerBootstrap;
  audit: AuditLog;
  checks: Checks;
  alerts: Alerts;
  slos: Slos;
  ownership: OwnershipCapability;
  /** The nodes sharing the metadata store; reload() reads tend.yaml again on every node. */
  cluster: Cluster;
  deploys: DeploysCapability;
  backups: Backups;
  /** OTLP/gRPC, unless turned off (config.grpcPort null). */
  grpc: OtlpGrpcServer | null;
  /** The address the server listens on, e.g. http://127.0.0.1:4318. */
  url: string;
  close(): Promise<void>;
}

export async function startTend(config: TendConfig, env: NodeJS.ProcessEnv = process.env): Promise<Tend> {
  const db = await DuckDatabase.open(config.dataDir, { memoryLimit: config.memoryLimit });
  // Metadata: in the data folder's DuckDB file, or in PostgreSQL shared by several nodes (--meta).
  const shared = config.meta ? await openMetaStore(config.meta) : undefined;
  const meta: MetaStore = shared ?? db;
  // Events: in the data folder's DuckDB file, or in ClickHouse shared by several nodes (--events).
  // The embedded store stays open either way: its checkpoints fold the metadata's log in too.
  const embedded = await DuckEventStore.open(db);
  const sharedEvents = config.events ? await openEventStore(config.events) : undefined;
  const store: EventStore = sharedEvents ?? embedded;
  const datasets = await DatasetRegistry.open(meta);
  const auth = await AuthService.open(meta);
  const people = await People.open(meta, auth, { idleMs: config.auth.sessionIdleMs, maxMs: config.auth.sessionMaxMs });
  const { keys, owner } = await bootstrapOnce(meta, auth, people, config.dataDir, env);
  const markers = await MarkerStore.open(meta);
  const metrics = new MetricsRegistry();
  metrics.gauge('tend_store_bytes', 'Bytes the store uses on disk', () => store.sizeBytes());
  metrics.gauge('tend_store_wal_bytes', 'Bytes in the write-ahead log, replayed by a start after a crash', () => embedded.walBytes());
  const checkpointSeconds = metrics.histogram('tend_store_checkpoint_seconds', 'Time each background checkpoint held appends back', [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]);
  const disk = new DiskWatch(config.dataDir, config.minFreeDisk);
  const ingest = createIngestContext(store, datasets, config.ingest, metrics, () => disk.problem(), {
    worker: config.ingestWorker,
    onWorkerError: (err) => app.log.error({ err }, 'the ingest worker thread failed'),
  });

  const app = createApp(config, auth, people);
  const audit = new AuditLog((e, dataset, events) => ingest.pipeline.submit(e, dataset, events), (err) => app.log.error({ err }, 'audit log write failed'));
  registerAuditHook(app, audit, () => people.defaultEnvironment());
  const checkpoints = new Checkpoints(embedded, config.checkpoint, ({ ms, walBytes, error }) => {
    checkpointSeconds.observe(ms / 1000);
    if (error) app.log.error({ err: error }, 'checkpoint failed');
    else app.log.debug({ ms: Math.round(ms), walBytes }, 'checkpoint');
  });
  const health = registerHealthRoutes(app, metrics, { ingestBusy: ingest.busy, diskProblem: () => disk.problem() });
  registerAuthRoutes(app, auth);
  registerSessionRoutes(app, people);
  registerUserRoutes(app, people);
  const readOidc = () => readOidcSettings(config.checks.configFile, config.checks.configFileNamed, env);
  let oidc = readOidc();
  registerOidcRoutes(app, people, () => oidc);
  const traceIndex = new TraceIndex(store, datasets, (err) => app.log.error({ err }, 'trace index write failed'));
  registerIngestRoutes(app, ingest, traceIndex);
  registerTraceRoutes(app, { store, datasets, index: traceIndex });
  registerMarkerRoutes(app, markers, datasets);
  const queryDeps = { store, datasets, meta, markers: markers.overlapping.bind(markers) };
  await registerQueryRoutes(app, queryDeps);
  registerBubbleUpRoutes(app, queryDeps);
  registerEventSearchRoutes(app, queryDeps);
  // Every capability registers its part of tend.yaml here; a reload re-applies them all.
  const reload = new ConfigReload();
  const auditRetention = await AuditRetention.open(meta);
  const readRetentionPolicy = () => new RetentionPolicy(readRetention(config.checks.configFile, !config.checks.configFileNamed, config.retentionDays));
  const retention = new Retention(readRetentionPolicy(), {
    store, datasets, environments: () => auth.environments(), override: (envId, name) => auditRetention.override(envId, name), pruneTraces: (us) => traceIndex.prune(us),
  });
  reload.register({ name: 'retention', read: readRetentionPolicy, apply: async (policy) => void (retention.policy = policy) });
  reload.register({ name: 'auth.oidc', read: readOidc, apply: async (settings) => void (oidc = settings) });
  registerAuditRoutes(app, queryDeps, auditRetention, (name) => retention.policy.of(name).days);
  registerRetentionRoutes(app, datasets, retention);

  const sweep = async () => {
    const dropped = await retention.sweep();
    if (dropped) app.log.info({ dropped }, 'retention: dropped old day partitions');
  };
  // Events in ClickHouse are every node's: one node sweeps them at a time (a lease). Embedded
  // events are this node's own: it sweeps them, at start and every hour.
  let stopSweeps: () => Promise<void>;
  if (sharedEvents) {
    const sweeps = new LeaseLoop({ leases: await Leases.open(meta, config.alerts.nodeId), name: 'retention.sweep', everyMs: RETENTION_SWEEP_MS, firstAfterMs: 0, work: sweep, log: app.log });
    void sweeps.start();
    stopSweeps = () => sweeps.stop();
  } else {
    await sweep();
    const timer = setInterval(() => void sweep().catch((err) => app.log.error({ err }, 'retention sweep failed')), RETENTION_SWEEP_MS);
    timer.unref();
    stopSweeps = async () => clearInterval(timer);
  }

  const alerts = await startAlerts({
    meta, auth, pipeline: ingest.pipeline, query: queryDeps, settings: config.alerts, configFile: config.checks.configFile, configFileNamed: config.checks.configFileNamed, log: app.log, env, reload,
  });
  alerts.register(app);
  disk.onChange(diskAlerts(alerts.service, () => auth.environments(), config.dataDir, app.log));
  disk.onChange(holdCheckpointsWhileLow(checkpoints));
  await disk.start({ log: app.log, metrics });
  const slos = await startSlos({
    meta, auth, pipeline: ingest.pipeline, query: queryDeps, alerts: alerts.service, settings: config.slos, configFile: config.checks.configFile, configFileNamed: config.checks.configFileNamed, log: app.log,
    reload, onTakeOver: () => alerts.adopt('slo'),
  });
  slos.register(app);
  const ownership = await startOwnership({
    meta, auth, people, pipeline: ingest.pipeline, alerts, markers, datasets, query: queryDeps, configFile: config.checks.configFile, configFileNamed: config.checks.configFileNamed, nodeId: config.alerts.nodeId, log: app.log, reload,
    checkState: (envId, name) => {
      const rec = checks.service.find(envId, name);
      return rec && checks.service.view(rec);
    },
    sloStatus: (envId, name) => {
      const slo = slos.service.byName(envId, name);
      const status = slo && slos.service.statusOf(slo.id).status;
      return slo && { compliance: status?.compliance ?? null, budget_remaining: status?.budget_remaining ?? null };
    },
  });
  ownership.register(app);
  const datasetFields = await loadDatasetFields(config.checks.configFile, config.checks.configFileNamed, (name) => auth.ensureEnvironment(name), reload);
  startCustomers(app, {
    query: queryDeps, fields: datasetFields,
    slos: (envId) => slos.service.list(envId),
    services: (envId) => ownership.ownership.catalog.services(envId),
    incidents: (envId, service) => ownership.incidents.list(envId, { service }),
  });
  await startCapacity(app, {
    query: queryDeps, fields: datasetFields, configFile: config.checks.configFile, configFileNamed: config.checks.configFileNamed,
    ensureEnvironment: (name) => auth.ensureEnvironment(name),
    service: (envId, name) => ownership.ownership.catalog.service(envId, name),
    reload,
  });
  const deploys = await startDeploys({
    meta, auth, pipeline: ingest.pipeline, alerts, markers, query: queryDeps, fieldsOf: datasetFields, env,
    serviceOf: (envId, name) => ownership.ownership.catalog.service(envId, name),
    configFile: config.checks.configFile, configFileNamed: config.checks.configFileNamed, nodeId: config.alerts.nodeId, log: app.log, reload,
  });
  deploys.register(app);
  const checks = await startChecks({
    meta, auth, pipeline: ingest.pipeline, metrics, settings: config.checks, log: app.log, node: config.alerts.nodeId, reload,
    onTakeOver: () => alerts.adopt('check'),
    onStateChange: (rec, state, previous, reason) => {
      alerts.onCheckChange({ env: rec.env, name: rec.name, kind: rec.kind, labels: rec.definition.labels, state, previous, reason });
      ownership.onCheckChange(rec.env, rec.name, state, previous, reason);
    },
  });
  registerChecksRoutes(app, checks.service);
  const backups = createBackups({
    db, hold: (work) => checkpoints.hold(work), env: await people.defaultEnvironment(), submit: (e, dataset, events) => ingest.pipeline.submit(e, dataset, events),
    checks: checks.service, configFile: config.checks.configFile, configFileNamed: config.checks.configFileNamed, log: app.log, processEnv: env, reload, node: shared ? config.alerts.nodeId : undefined,
    eventsElsewhere: sharedEvents ? 'the events are in ClickHouse, which a backup of this node would not hold: back up ClickHouse and PostgreSQL with their own tools (docs/scale-out.md)' : undefined,
  });
  backups.register(app);
  await registerStatus(app, { meta, store, datasets, auth, checks: checks.service });
  const cluster = await startCluster({
    meta, nodeId: config.alerts.nodeId, configFile: config.checks.configFile, log: app.log, apply: (scope) => reload.apply(scope),
  });
  cluster.register(app);
  registerDatasetRoutes(app, queryDeps);
  registerWebApp(app, { build: loadWebBuild(), oidc: () => oidc !== undefined });
  registerRecentQueryRoutes(app, await RecentQueries.open(meta));

  const grpc =
    config.grpcPort === null
      ? null
      : await startOtlpGrpcServer({ ingest, traceIndex }, auth, { host: config.host, port: config.grpcPort, tls: config.auth.tls, logError: (err) => app.log.error({ err }, 'OTLP/gRPC export failed') });
  const address = await app.listen({ port: config.port, host: config.host }).catch(async (err) => {
    await grpc?.close();
    throw err;
  });
  const url = address.replace('[::1]', 'localhost');
  health.started();
  // Once serving: its modules load on another thread, and loaded with the server they slowed a start.
  ingest.pipeline.workerThread()?.start();
  await backups.start();
  // Only now: a log a crash left behind is folded in at once, which must not hold up the start.
  checkpoints.start();
  await cluster.start(url);
  alerts.start(url);
  slos.start();
  ownership.start(url);
  deploys.start(url);
  return {
    config, app, db, meta, cluster, store, datasets, auth, ingest, metrics, markers, keys, people, owner, audit, checks, alerts, slos, ownership, deploys, backups, grpc, url,
    async close() {
      health.stopping();
      cluster.stop();
      await stopSweeps();
      disk.stop();
      await backups.stop();
      await checks.stop();
      await deploys.stop();
      await ownership.stop();
      await slos.stop();
      await alerts.stop();
      // fastify closes the connections idle when it starts closing; a keep-alive connection whose
      // request is still in flight turns idle after its answer and would hold app.close() for the
      // keep-alive timeout (65 s): close such connections as they turn idle.
      const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
      // A connection that never turns idle (a live tail's stream) would hold close() for ever:
      // past the grace, every connection still open is closed.
      const force = setTimeout(() => app.server.closeAllConnections(), CLOSE_GRACE_MS);
      try {
        await app.close();
      } finally {
        clearInterval(sweep);
        clearTimeout(force);
      }
      await grpc?.close();
      await ingest.pipeline.idle();
      await ingest.close();
      // Everything is committed: fold the log in, so the next start has nothing to replay.
      await checkpoints.stop();
      db.close();
      await sharedEvents?.close();
      await shared?.close();
    },
  };
}
