// Builds the SLOs capability for a running node: SLOs and derived columns from tend.yaml and
// the API, the evaluation loop (owned through a lease row), the write path's note of late
// minutes, and the routes.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { AuthService } from '../auth/index.js';
import type { SlosSettings } from '../config.js';
import type { ConfigReload } from '../config-file.js';
import type { IngestPipeline } from '../ingest/index.js';
import type { QueryDeps } from '../query/index.js';
import { Leases, shareChanges, type MetaStore } from '../store/index.js';
import { readSlosFile } from './config.js';
import { DerivedColumns } from './derived-columns.js';
import { registerSloRoutes } from './routes.js';
import { checkExpression } from './sli.js';
import { SloService, type AlertSink } from './slo-service.js';
import { SloStore } from './slo-store.js';

export interface SlosDeps {
  meta: MetaStore;
  auth: AuthService;
  pipeline: IngestPipeline;
  query: QueryDeps;
  alerts: AlertSink;
  settings: SlosSettings;
  configFile: string;
  configFileNamed: boolean;
  log: FastifyBaseLogger;
  /** The clock (tests move it). */
  now?: () => number;
  /** Where the SLOs register their part of a reload. */
  reload?: ConfigReload;
  /** Called when this node takes evaluation over from another (the alerts capability adopts its burn alerts). */
  onTakeOver?: () => Promise<void>;
}

/** Nodes announce SLOs and derived columns stored or removed through them on this channel. */
const SLOS_CHANNEL = 'tend_slos';
/** The node evaluating announces each round's stored evaluations on this one. */
const EVALUATIONS_CHANNEL = 'tend_slo_evaluations';

export interface Slos {
  service: SloService;
  derived: DerivedColumns;
  register(app: FastifyInstance): void;
  start(): void;
  stop(): Promise<void>;
}

export async function startSlos(deps: SlosDeps): Promise<Slos> {
  const readFile = () => {
    const file = readSlosFile(deps.configFile, !deps.configFileNamed);
    file?.slos.forEach((s, i) => {
      if (typeof s.sli === 'string') checkExpression(s.sli, `${deps.configFile}: slos[${i}].sli`, true);
    });
    file?.derivedColumns.forEach((c, i) => checkExpression(c.expression, `${deps.configFile}: derived_columns[${i}].expression`, false));
    return file;
  };
  const file = readFile();
  const derived = await DerivedColumns.open(deps.meta);
  const leases = await Leases.open(deps.meta, deps.settings.nodeId);
  const service = new SloService({
    store: await SloStore.open(deps.meta),
    derived,
    query: deps.query,
    leases,
    alerts: deps.alerts,
    write: (env, dataset, events) => deps.pipeline.submit(env, dataset, events),
    environments: () => deps.auth.environments(),
    log: deps.log,
    intervalMs: file?.intervalMs ?? deps.settings.intervalMs,
    queryTimeoutMs: deps.settings.queryTimeoutMs,
    now: deps.now,
    onTakeOver: deps.onTakeOver,
    onChanged: () => announce(),
    onEvaluated: () => announceEvaluated(),
  });
  const announce = await shareChanges(deps.meta, SLOS_CHANNEL, deps.settings.nodeId, async () => {
    await derived.load();
    await service.load();
  }, deps.log);
  const announceEvaluated = await shareChanges(deps.meta, EVALUATIONS_CHANNEL, deps.settings.nodeId, () => service.loadEvaluations(), deps.log);
  derived.onChanged = announce;
  await service.load();
  await service.loadEvaluations();
  const applyFile = async (f: typeof file) => {
    if (!f) return;
    const env = await deps.auth.ensureEnvironment(f.environment);
    // Nodes applying together take turns, each seeing what the one before stored.
    await leases.exclusive('slos.apply', 60_000, async () => {
      await derived.load();
      await service.load();
      await derived.applyFile(env.id, f.derivedColumns);
      await service.applyFile(env, f.slos);
    });
  };
  await applyFile(file);
  deps.reload?.register({ name: 'slos', shared: true, read: readFile, apply: applyFile });
  deps.pipeline.onCommitted((writes) => service.noteWrites(writes));
  return {
    service,
    derived,
    register: (app) => registerSloRoutes(app, service, derived),
    start: () => service.start(),
    stop: () => service.stop(),
  };
}
