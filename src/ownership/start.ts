// Builds the ownership capability for a running node: the catalog from tend.yaml and imports,
// incidents opened from alerts, escalation owned through lease rows, on-call, runbooks and the
// handoff rule recomputed every round (one node at a time, through a lease), and the routes.
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { readAlertsFile, type Alerts } from '../alerts/index.js';
import type { AuthService, People } from '../auth/index.js';
import type { IngestPipeline } from '../ingest/index.js';
import type { MarkerStore } from '../markers/index.js';
import type { QueryDeps } from '../query/index.js';
import type { ConfigReload } from '../config-file.js';
import { LeaseLoop, Leases, shareChanges, type DatasetRegistry, type Environment, type MetaStore } from '../store/index.js';
import { Catalog } from './catalog/catalog.js';
import { registerCatalogRoutes } from './catalog/routes.js';
import { MovableClock } from './clock.js';
import { checkReceivers, readOwnershipFile } from './config.js';
import { Escalator } from './escalation/escalator.js';
import { HandoffStore } from './handoff/handoff-store.js';
import { IncidentService } from './incidents/incident-service.js';
import { IncidentStore } from './incidents/incident-store.js';
import { LinkSigner } from './incidents/links.js';
import { customersAffected } from './incidents/customers.js';
import { registerIncidentRoutes } from './incidents/routes.js';
import { CalendarTokens } from './oncall/calendar-tokens.js';
import { OverrideStore } from './oncall/override-store.js';
import { registerOncallRoutes } from './oncall/routes.js';
import { Ownership } from './ownership.js';

export interface OwnershipStartDeps {
  meta: MetaStore;
  auth: AuthService;
  people: People;
  pipeline: IngestPipeline;
  alerts: Alerts;
  markers: MarkerStore;
  datasets: DatasetRegistry;
  query: QueryDeps;
  /** A check's state now (the checks capability starts after ownership, which feeds it). */
  checkState(envId: string, name: string): { state: string; since: string } | undefined;
  sloStatus(envId: string, name: string): { compliance: number | null; budget_remaining: number | null } | undefined;
  configFile: string;
  configFileNamed: boolean;
  nodeId: string;
  log: FastifyBaseLogger;
  /** How often due escalation steps are looked for (ms). */
  pollMs?: number;
  /** How often the handoff rule is recomputed for every service (ms). */
  roundMs?: number;
  /** Where ownership registers its part of a reload (teams, services, schedules, policies). */
  reload?: ConfigReload;
}

/** Nodes announce catalog imports made through them on this channel; the payload is the node. */
const CATALOG_CHANNEL = 'tend_catalog';

export interface OwnershipCapability {
  ownership: Ownership;
  incidents: IncidentService;
  escalator: Escalator;
  clock: MovableClock;
  /** Feed for the checks capability: a check's state changed. */
  onCheckChange(env: Environment, check: string, state: string, previous: string, reason?: string): void;
  register(app: FastifyInstance): void;
  start(url: string): void;
  stop(): Promise<void>;
}

export async function startOwnership(d: OwnershipStartDeps): Promise<OwnershipCapability> {
  const readFile = (receivers = d.alerts.config.receivers) => {
    const f = readOwnershipFile(d.configFile, !d.configFileNamed);
    checkReceivers(f, receivers.map((r) => r.name), d.configFile);
    return f;
  };
  let file = readFile();
  const clock = new MovableClock();
  const now = clock.now;
  const fileEnv = await d.auth.ensureEnvironment(file.environment);
  const catalog = await Catalog.open(d.meta, file, fileEnv.id);
  catalog.onImported = await shareChanges(d.meta, CATALOG_CHANNEL, d.nodeId, () => catalog.load(), d.log);
  d.reload?.register({
    name: 'ownership',
    // Checked against the receivers the same reload brings (alerting applies first).
    read: () => readFile(readAlertsFile(d.configFile, !d.configFileNamed)?.alerting.receivers ?? []),
    apply: async (f) => {
      file = f;
      catalog.setFile(f, (await d.auth.ensureEnvironment(f.environment)).id);
    },
  });
  const write = (env: Environment, dataset: string, events: Parameters<IngestPipeline['submit']>[2]) => d.pipeline.submit(env, dataset, events);
  const incidents = new IncidentService(await IncidentStore.open(d.meta), write, d.log, now);
  const overrides = await OverrideStore.open(d.meta);
  const signer = await LinkSigner.open(d.meta);
  const envOf = async (id: string) => (await d.auth.environments()).find((e) => e.id === id);
  const names = async () => new Map((await d.people.list()).map((u) => [u.email, u.name]));
  let externalUrl = d.alerts.config.external_url ?? '';
  // The escalator and ownership need each other: steps ask ownership whom to page (called only
  // once both exist).
  const escalator = await Escalator.open(d.meta, d.nodeId, {
    policyFor: (envId, id) => o.policyFor(envId, id),
    notify: (envId, id, target, round, step) => o.notify(envId, id, target, round, step),
    record: (envId, id, text) => o.record(envId, id, text),
  }, d.log, now);
  const o = new Ownership({
    catalog, incidents, escalator, overrides, signer, handoffs: await HandoffStore.open(d.meta),
    routesFor: (labels) => d.alerts.dispatcher.routesFor(labels),
    firing: (envId) => d.alerts.service.list(envId, { state: 'firing' }),
    checkState: d.checkState,
    sloStatus: d.sloStatus,
    deliver: (env, n) => d.alerts.deliveries.enqueue(env, n),
    write, envOf, names, externalUrl: () => externalUrl, log: d.log, now,
  });
  incidents.onChange((env, i) => o.afterIncidentChange(env, i));
  // /api/v1/alerts names each alert's service from the catalog (alerts cannot import ownership).
  d.alerts.setServiceOf((envId, alert) => catalog.serviceOf(envId, alert)?.name);
  d.alerts.service.onChange((env, alert, change) => {
    o.onAlert(env, alert, change).catch((err) => d.log.error({ err, alert: alert.fingerprint }, 'could not open or update an incident'));
  });
  const tokens = await CalendarTokens.open(d.meta);
  const leases = await Leases.open(d.meta, d.nodeId);
  const roundMs = d.roundMs ?? 60_000;
  const handoffs = new LeaseLoop({ leases, name: 'ownership.handoff', everyMs: roundMs, log: d.log, now, work: async () => o.reconcileAll(await d.auth.environments()) });
  const deploys = async (env: Environment, names: string[], fromMs: number, toMs: number) => {
    const sets = (await Promise.all(names.map((n) => d.datasets.find(env.id, n)))).filter((x) => x !== undefined);
    if (!sets.length) return [];
    const markers = await d.markers.overlapping(env, sets, fromMs / 1000, toMs / 1000);
    return markers.filter((m) => m.type === 'deploy' && m.dataset !== '__all__').map((m) => ({ at: m.start_time * 1000, kind: 'deploy', author: 'marker', text: `${m.dataset}: ${m.message ?? 'deploy'}` }));
  };

  return {
    ownership: o, incidents, escalator, clock,
    onCheckChange(env, check, state, previous, reason) {
      o.onCheckChange(env, check, state, previous, reason).catch((err) => d.log.error({ err, check }, 'could not add a check change to incidents'));
    },
    register(app) {
      registerCatalogRoutes(app, o);
      registerOncallRoutes(app, { ownership: o, overrides, tokens, people: d.people, names, now });
      registerIncidentRoutes(app, {
        ownership: o, incidents, signer, envOf, deploys, now,
        customers: (env, sets, from, to) => customersAffected(d.query, env, sets, from, to, file.incidents),
      });
    },
    start(url) {
      externalUrl ||= url;
      escalator.start(d.pollMs ?? 1000);
      handoffs.start();
    },
    async stop() {
      await handoffs.stop();
      await escalator.stop();
    },
  };
}
