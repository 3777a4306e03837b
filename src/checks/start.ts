// Builds the checks capability for a running node: the store, the monitor writing through the
// ingest pipeline, the service, and tend.yaml applied at start.
import type { FastifyBaseLogger } from 'fastify';
import type { AuthService } from '../auth/index.js';
import type { ChecksSettings } from '../config.js';
import { OverloadedError, type IngestPipeline } from '../ingest/index.js';
import type { MetaStore } from '../store/index.js';
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
}

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
  const monitor = new CheckMonitor({
    clock: deps.clock ?? systemClock,
    concurrency: deps.settings.concurrency,
    store,
    log: deps.log,
    onLag: (ms) => lag.observe(ms / 1000),
    onStateChange: deps.onStateChange,
    sink: (env, dataset, events, urgent) => batches.submit(env, dataset, events, urgent),
  });
  const service = new ChecksService(store, monitor, deps.auth);
  await service.load();
  let applied: ApplySummary | undefined;
  const file = readChecksFile(deps.settings.configFile, !deps.settings.configFileNamed);
  if (file) {
    const env = await deps.auth.ensureEnvironment(file.environment);
    applied = await service.apply(env, file);
    for (const hb of applied.heartbeats) deps.log.info({ check: hb.name, uuid: hb.uuid }, `heartbeat ${hb.name}: ping /ping/${hb.uuid}`);
  }
  return {
    service,
    applied,
    idle: () => monitor.idle(),
    async stop() {
      const stopping = monitor.stop();
      batches.flush();
      await stopping;
      await monitor.flush();
    },
  };
}
