// Builds the alerts capability for a running node: alerts, triggers, silences, the route tree
// and dispatcher, durable delivery, tend.yaml's alerting and triggers applied at start and at
// every reload, the hook that turns check state changes into alerts, and what several nodes
// share (silences and triggers made on another node, alerts of a trigger owner that died).
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import type { AuthService } from '../auth/index.js';
import type { AlertsSettings } from '../config.js';
import type { ConfigReload } from '../config-file.js';
import type { IngestPipeline } from '../ingest/index.js';
import type { QueryDeps } from '../query/index.js';
import { LeaseLoop, Leases, shareChanges, type Environment, type MetaStore, type StoredEvent } from '../store/index.js';
import { AlertService } from './alert-service.js';
import { AlertStore } from './alert-store.js';
import { registerAlertmanagerApi } from './alertmanager-api/routes.js';
import { checkAlert, type CheckChange } from './check-alerts.js';
import { AlertingConfig, readAlertsFile, type AlertsFile } from './config.js';
import { DeliveryQueue } from './delivery/delivery-queue.js';
import { parseDuration } from './duration.js';
import type { AlertSource, ServiceOf } from './model.js';
import { registerAlertRoutes } from './routes.js';
import { Dispatcher, type Enqueue, type Routing } from './routing/dispatcher.js';
import { compileRules } from './routing/inhibit.js';
import { buildRoute } from './routing/route-tree.js';
import { Silences } from './silences/silence-store.js';
import { registerTriggerRoutes } from './triggers/routes.js';
import { TriggerService } from './triggers/trigger-service.js';
import { TriggerStore } from './triggers/trigger-store.js';
import { registerReceiverRoutes } from './receivers/routes.js';

export interface AlertsDeps {
  meta: MetaStore;
  auth: AuthService;
  pipeline: IngestPipeline;
  query: QueryDeps;
  settings: AlertsSettings;
  configFile: string;
  configFileNamed: boolean;
  log: FastifyBaseLogger;
  env?: NodeJS.ProcessEnv;
  /** Where this capability registers its part of a reload (routes, receivers, triggers). */
  reload: ConfigReload;
}

/** Nodes announce silences and triggers made on them on these channels; the payload is the node. */
const SILENCES_CHANNEL = 'tend_silences';
const TRIGGERS_CHANNEL = 'tend_triggers';
/** Nodes announce the alerts each save stored on this one (PostgreSQL's payloads hold 8000 bytes). */
const ALERTS_CHANNEL = 'tend_alerts';
const MAX_ANNOUNCED = 7000;

export interface Alerts {
  service: AlertService;
  triggers: TriggerService;
  silences: Silences;
  dispatcher: Dispatcher;
  deliveries: DeliveryQueue;
  /** tend.yaml's alerting section as last applied (at start or by a reload). */
  readonly config: AlertingConfig;
  /**
   * Reads this source's alerts again from the store and takes them as told (this node takes
   * over evaluating that source from a node that stopped), so none is notified twice.
   */
  adopt(source: AlertSource): Promise<void>;
  /** Feed for the checks capability: a check's state changed. */
  onCheckChange(change: CheckChange): void;
  /** Set by the ownership capability: which catalog service an alert belongs to. */
  setServiceOf(serviceOf: ServiceOf): void;
  register(app: FastifyInstance): void;
  /** Starts timers (trigger evaluation, delivery, sweeps): once the server listens. */
  start(url: string): void;
  stop(): Promise<void>;
}

export function routingOf(c: AlertingConfig, externalUrl: string): Routing {
  const intervals = new Map([...c.time_intervals, ...c.mute_time_intervals].map((t) => [t.name, t.time_intervals]));
  return { route: buildRoute(c.route ?? { receiver: '' }), inhibit: compileRules(c.inhibit_rules), intervals, externalUrl };
}

export async function startAlerts(deps: AlertsDeps): Promise<Alerts> {
  const readFile = () => readAlertsFile(deps.configFile, !deps.configFileNamed, deps.env);
  const file = readFile();
  let config = file?.alerting ?? AlertingConfig.parse({});
  const envs = new Map<string, Environment>();
  const envOf = async (id: string) => {
    if (!envs.has(id)) for (const e of await deps.auth.environments()) envs.set(e.id, e);
    return envs.get(id);
  };
  const write = (env: Environment, dataset: string, events: StoredEvent[]) => deps.pipeline.submit(env, dataset, events);
  const store = await AlertStore.open(deps.meta);
  const service = new AlertService(store, write, deps.log);
  await service.load();
  const silences = await Silences.open(deps.meta);
  const leases = await Leases.open(deps.meta, deps.settings.nodeId);
  const deliveries = await DeliveryQueue.open(deps.meta, deps.settings.nodeId, config, deps.settings.delivery, write, envOf, deps.log);
  let externalUrl = deps.settings.externalUrl ?? config.external_url ?? '';
  // A notification is queued only once the alerts it tells of are stored: a node taking their
  // source over (a trigger owner that died) then finds them, and does not tell them again.
  const enqueue: Enqueue = (env, n, kinds) => service.flush().then(() => deliveries.enqueue(env, n, kinds));
  const dispatcher = new Dispatcher(routingOf(config, externalUrl), service, silences, enqueue, deps.log);
  service.onChange((env, alert, change, renotify) => {
    if (change === 'fired' || change === 'resolved' || change === 'refreshed') dispatcher.add(env, alert, renotify);
    if (change === 'acknowledged') dispatcher.acknowledged(env, alert).catch((err) => deps.log.error({ err }, 'could not queue the acknowledgement'));
  });
  silences.onChange(() => dispatcher.poke());
  silences.onSaved = await shareChanges(deps.meta, SILENCES_CHANNEL, deps.settings.nodeId, () => silences.reload(), deps.log);
  const adopt = async (source: AlertSource) => {
    const stored = (await store.all()).filter((a) => a.source === source);
    service.adopt(stored);
    for (const env of await deps.auth.environments()) dispatcher.restore(env, stored.filter((a) => a.envId === env.id && a.state === 'firing'));
  };
  // An alert pushed to (or acknowledged on) one node is the same alert on every node: each save
  // is announced with the alerts it stored, and the others take those rows as they are, so the
  // same push reaching another node is a refresh there, not a new alert notified again. The push
  // itself waits on no announcement (it is sent after the save, which a push shares with others).
  // Their groups here take them as told, as after a restart, so whichever node later sees them
  // resolve tells it; one resolved elsewhere was told there, and leaves the groups here.
  const announceAlerts = await shareChanges(deps.meta, ALERTS_CHANNEL, deps.settings.nodeId, async (what) => {
    const stored = what ? await store.some(JSON.parse(what) as [string, string][]) : await store.all();
    const envs = await deps.auth.environments();
    const taken = service.adopt(stored);
    for (const env of envs) {
      const mine = taken.filter((a) => a.envId === env.id);
      dispatcher.restore(env, mine.filter((a) => a.state === 'firing'));
      dispatcher.forget(env, new Set(mine.filter((a) => a.state === 'resolved').map((a) => a.fingerprint)));
    }
  }, deps.log);
  service.onSaved = (keys) => {
    const what = JSON.stringify(keys);
    // Too many for one payload: the others read every alert.
    announceAlerts(what.length <= MAX_ANNOUNCED ? what : undefined);
  };
  const triggers: TriggerService = new TriggerService({
    store: await TriggerStore.open(deps.meta),
    alerts: service,
    query: deps.query,
    leases,
    write,
    environments: () => deps.auth.environments(),
    log: deps.log,
    tickMs: deps.settings.triggerTickMs,
    queryTimeoutMs: 30_000,
    node: deps.settings.nodeId,
    onTakeOver: () => adopt('trigger'),
    onChanged: () => announceTriggers(),
  });
  const announceTriggers = await shareChanges(deps.meta, TRIGGERS_CHANNEL, deps.settings.nodeId, () => triggers.load(), deps.log);
  await triggers.load();
  let resolveTimeoutMs = 0;
  let configText = '';
  // What tend.yaml's alerting section says (kept in memory), at start and at every reload.
  const applyAlerting = async (f: AlertsFile | undefined) => {
    config = f?.alerting ?? AlertingConfig.parse({});
    resolveTimeoutMs = parseDuration(config.resolve_timeout)!;
    configText = f ? JSON.stringify({ route: config.route, receivers: config.receivers.map((r) => r.name), inhibit_rules: config.inhibit_rules }) : '';
    externalUrl = deps.settings.externalUrl ?? config.external_url ?? startedUrl;
    deliveries.setConfig(config);
    dispatcher.setRouting(routingOf(config, externalUrl));
  };
  // tend.yaml's triggers, rows every node shares.
  const applyTriggers = async (f: AlertsFile | undefined) => {
    if (!f) return;
    const env = await deps.auth.ensureEnvironment(f.environment);
    // Nodes applying together (starting together, or reloaded through two nodes at once) take
    // turns, each seeing what the one before stored: two would both make a trigger the file names.
    await leases.exclusive('triggers.apply', 60_000, async () => {
      await triggers.load();
      await triggers.applyFile(env, f.triggers);
    });
  };
  let startedUrl = '';
  await applyAlerting(file);
  await applyTriggers(file);
  deps.reload.register({ name: 'alerting', read: readFile, apply: applyAlerting });
  deps.reload.register({ name: 'triggers', shared: true, read: readFile, apply: applyTriggers });
  const startedAt = Date.now();
  let sweepTimer: NodeJS.Timeout | undefined;
  // Every node holds every pushed alert: one of them (this lease's owner) resolves the overdue ones.
  const expiries = new LeaseLoop({ leases, name: 'alerts.expiry', everyMs: 60_000, work: async () => undefined, log: deps.log });
  let serviceOf: ServiceOf = () => undefined;

  return {
    service, triggers, silences, dispatcher, deliveries, adopt,
    get config() {
      return config;
    },
    onCheckChange(change) {
      const report = checkAlert(change);
      if (!report) return;
      const work = report.resolve ? service.resolve(change.env, [report.fingerprint]) : service.report(change.env, 'check', [report.alert]).then(() => undefined);
      work.catch((err) => deps.log.error({ err, check: change.name }, 'could not raise the check alert'));
    },
    setServiceOf(fn) {
      serviceOf = fn;
    },
    register(app) {
      registerAlertRoutes(app, service, deliveries, () => serviceOf);
      registerTriggerRoutes(app, triggers);
      registerAlertmanagerApi(app, { alerts: service, silences, dispatcher, resolveTimeoutMs: () => resolveTimeoutMs, configText: () => configText, startedAt });
      registerReceiverRoutes(app, () => config, deps.settings.delivery.attemptTimeoutMs, () => externalUrl);
    },
    start(url) {
      startedUrl = url;
      if (!externalUrl) {
        externalUrl = url;
        dispatcher.setRouting(routingOf(config, externalUrl));
      }
      void deps.auth.environments().then((list) => list.forEach((env) => dispatcher.restore(env, service.list(env.id, { state: 'firing' }))));
      triggers.start();
      deliveries.start();
      const sweep = async () => {
        await service.sweep(await deps.auth.environments(), deps.settings.keepResolvedMs, expiries.owns);
        await deliveries.prune(Date.now() - deps.settings.keepResolvedMs);
      };
      void expiries.start();
      sweepTimer = setInterval(() => void sweep().catch((err) => deps.log.error({ err }, 'alert sweep failed')), Math.min(resolveTimeoutMs, 60_000) / 4 || 1000);
      sweepTimer.unref();
    },
    async stop() {
      clearInterval(sweepTimer);
      await expiries.stop();
      dispatcher.stop();
      await triggers.stop();
      await deliveries.stop();
      await service.flush();
    },
  };
}
