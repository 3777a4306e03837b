// Builds the checks capability for a running node: the store, the monitor writing through the
// ingest pipeline, the service, and tend.yaml applied at start.
import type { FastifyBaseLogger } from 'fastify';
import type { AuthService } from '../auth/index.js';
import type { ChecksSettings } from '../config.js';
import type { ConfigReload } from '../config-file.js';
import { OverloadedError, type IngestPipeline } from '../ingest/index.js';
import { LEASE_RENEW_MS, LeaseLoop, Leases, shareChanges, type MetaStore } from '../store/index.js';
import type { MetricsRegistry } from '../telemetry/index.js';
import { BatchSink } from './batch-sink.js';
import { CheckStore } from './check-store.js';
import { systemClock, type Clock } from './clock.js';
import { readChecksFile } from './config-file.js';
import { CheckMonitor, type MonitorDeps } from './monitor.js';
import { ChecksService, type ApplySummary } from './service.js';

export interface Checks {
  service: ChecksService;
  /** What applying tend.yaml at start did; undefined when there was no file. */
  applied?: ApplySummary;
  /** Applies tend.yaml's checks again (a reload); undefined when there is no file. */
  applyFile(): Promise<ApplySummary | undefined>;
  /** Resolves when no check is running (tests step a manual clock between runs). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

export interface ChecksDeps {
  meta: MetaStore;
  auth: AuthService;
  pipeline: IngestPipeline;
  metrics: MetricsRegistry;
  settings: ChecksSettings;
  log: FastifyBaseLogger;
  clock?: Clock;
  /** Told of every check state change (the alerts capability). */
  onStateChange?: MonitorDeps['onStateChange'];
  /** This node's id: the checks lease's owner, and tend.node on results. */
  node: string;
  /** Where the checks register their part of a reload. */
  reload?: ConfigReload;
  /** Called when this node takes the checks over from another (the alerts capability adopts the check alerts it raised). */
  onTakeOver?: () => Promise<void>;
}

/**
 * Scheduled runs and heartbeat deadlines belong to the node holding this lease (LeaseLoop: a
 * dead node's checks move within 15 s).
 */
const LEASE = 'checks.scheduler';
/** Nodes tell each other of check changes on this channel; the payload is the node that made one. */
const CHECKS_CHANNEL = 'tend_checks';
/** ... and of a check status saved (a ping received, a result recorded): "<node> <check id>". */
const STATUS_CHANNEL = 'tend_check_status';

export async function startChecks(deps: ChecksDeps): Promise<Checks> {
  const store = await CheckStore.open(deps.meta);
  const lag = deps.metrics.histogram('tend_checks_schedule_lag_seconds', 'How late scheduled checks started', [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]);
  const dropped = deps.metrics.counter('tend_checks_events_dropped_total', 'Check events not written because ingest was overloaded');
  const batches = new BatchSink(async (env, dataset, events) => {
    try {
      await deps.pipeline.submit(env, dataset, events);
    } catch (err) {
      if (!(err instanceof OverloadedError)) throw err;
      dropped.inc(events.length);
    }
  });
  const leases = await Leases.open(deps.meta, deps.node);
  // Nothing to do at each round but hold the lease: the monitor runs the checks while it is held.
  const ownership = new LeaseLoop({
    leases, name: LEASE, everyMs: LEASE_RENEW_MS, log: deps.log, work: async () => undefined,
    // Taking the checks over: checks made through another node's API since this one loaded them,
    // and the alerts the last owner raised (so a check coming back up resolves them).
    onGained: async (takeover) => {
      if (!takeover) return;
      await service.load();
      await deps.onTakeOver?.();
    },
  });
  const announceStatus = await shareChanges(deps.meta, STATUS_CHANNEL, deps.node, async (id) => {
    const saved = id ? await store.status(id) : undefined;
    if (saved) monitor.refresh(id!, saved);
    else if (!id) await service.load();
  }, deps.log);
  const monitor: CheckMonitor = new CheckMonitor({
    node: deps.node,
    owns: () => ownership.owns,
    clock: deps.clock ?? systemClock,
    concurrency: deps.settings.concurrency,
    store,
    log: deps.log,
    onLag: (ms) => lag.observe(ms / 1000),
    onStateChange: deps.onStateChange,
    sink: (env, dataset, events, urgent) => batches.submit(env, dataset, events, urgent),
    onSaved: (id) => announceStatus(id),
  });
  const service = new ChecksService(store, monitor, deps.auth);
  // Several nodes: a check made, changed or deleted through one node's API reaches the others at once.
  service.onChanged = await shareChanges(deps.meta, CHECKS_CHANNEL, deps.node, () => service.load(), deps.log);
  // Before any check is loaded: the first node runs them from its start.
  await ownership.start();
  // Nodes starting (or reloading) together apply the same tend.yaml one after another, each
  // seeing what the one before it stored.
  const readFile = () => readChecksFile(deps.settings.configFile, !deps.settings.configFileNamed);
  const applyFile = (file = readFile()) =>
    leases.exclusive('checks.apply', 60_000, async () => {
      await service.load();
      if (!file) return undefined;
      const applied = await service.apply(await deps.auth.ensureEnvironment(file.environment), file);
      for (const hb of applied.heartbeats) deps.log.info({ check: hb.name, uuid: hb.uuid }, `heartbeat ${hb.name}: ping /ping/${hb.uuid}`);
      return applied;
    });
  const applied = await applyFile();
  deps.reload?.register({ name: 'checks', shared: true, read: readFile, apply: async (file) => void (await applyFile(file)) });
  return {
    service,
    applied,
    applyFile,
    idle: () => monitor.idle(),
    async stop() {
      // Another node takes the checks over at its next renewal, not when the lease runs out.
      await ownership.stop();
      const stopping = monitor.stop();
      batches.flush();
      await stopping;
      await monitor.flush();
    },
  };
}
