// Deploys as a capability: recording one (its markers on the service's datasets, an event in
// tend.deploys), making each report once its window has passed (one node at a time, through a
// lease), and raising an alert (source `deploy`) routed by the service's labels to its owners
// when a report finds a regression beyond the service's thresholds.
import type { AlertReport, Alert } from '../alerts/index.js';
import type { DatasetFieldsOf } from '../dataset-fields/index.js';
import type { MarkerStore } from '../markers/index.js';
import type { QueryDeps } from '../query/index.js';
import type { Environment, FieldValue, StoredEvent } from '../store/index.js';
import { notFound } from '../http/index.js';
import type { Finding } from './compare.js';
import { settingsFor, type DeploySettings, type Thresholds } from './config.js';
import type { Deploy, DeployStore, NewDeploy } from './deploy-store.js';
import { makeReport, pendingReport, type DeployReport } from './report.js';

export const DEPLOYS_DATASET = 'tend.deploys';
export const DEPLOY_ALERT = 'DeployRegression';
/** A deploy's alert resolves by itself after this long, or at the service's next clean report. */
const ALERT_TTL_MS = 24 * 3_600_000;

export interface DeployServiceDeps {
  store: DeployStore;
  markers: MarkerStore;
  query: QueryDeps;
  fieldsOf: DatasetFieldsOf;
  /** tend.yaml's `deploys:` section as it is now (a reload replaces it). */
  settings: () => DeploySettings;
  /** The catalog's service: its datasets and owning team (undefined when the catalog has none by that name). */
  serviceOf(envId: string, name: string): { datasets: string[]; owner: string } | undefined;
  envOf(id: string): Promise<Environment | undefined>;
  write(env: Environment, dataset: string, events: StoredEvent[]): Promise<void>;
  alerts: {
    report(env: Environment, reports: AlertReport[], resolveTimeoutMs: number): Promise<unknown>;
    firing(envId: string): Alert[];
  };
  /** Whether this node makes the reports of this round (a lease in the metadata store). */
  ownsRound(): Promise<boolean>;
  externalUrl(): string;
  log: { error(obj: object, msg: string): void };
  now?: () => number;
}

export class DeployService {
  private readonly now: () => number;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly d: DeployServiceDeps) {
    this.now = d.now ?? Date.now;
  }

  /** Records a deploy: markers of type `deploy` on the service's datasets that exist, and the record. */
  async record(env: Environment, nd: NewDeploy): Promise<Deploy> {
    const own = this.d.serviceOf(env.id, nd.service);
    // A service outside the catalog is the dataset of its name (OpenTelemetry's service.name).
    const names = own?.datasets.length ? own.datasets : [nd.service];
    const found = (await Promise.all(names.map((n) => this.d.query.datasets.find(env.id, n)))).filter((x) => x !== undefined);
    const deploy = await this.d.store.create(env.id, nd, settingsFor(this.d.settings(), nd.service).windowMs, found.map((ds) => ds.name), this.now());
    const message = `${nd.service} build ${nd.build}${nd.message ? `: ${nd.message}` : ''}`;
    for (const ds of found) {
      await this.d.markers.create({ envId: env.id, datasetId: ds.id, datasetName: ds.name }, { type: 'deploy', message, url: nd.url, start_time: Math.floor(nd.time / 1000) }, this.now());
    }
    await this.d.write(env, DEPLOYS_DATASET, [event(deploy.time, { event: 'deploy', deploy_id: deploy.id, service: nd.service, build: nd.build, commit: nd.commit, message: nd.message, url: nd.url, source: nd.source, datasets: deploy.datasets.join(',') })]);
    // A deploy recorded late (its window already over) gets its report now.
    this.kick();
    return deploy;
  }

  async report(env: Environment, id: string): Promise<DeployReport> {
    const deploy = await this.d.store.get(env.id, id);
    if (!deploy) throw notFound(`no deploy "${id}" in this environment`);
    if (deploy.status === 'pending') return pendingReport(deploy, this.d.settings().alpha);
    return (await this.d.store.report(env.id, id)) as DeployReport;
  }

  /** Resolves once no round is running. */
  async idle(): Promise<void> {
    await this.running;
  }

  /** Runs a round now, or once more after the one running. */
  kick(): void {
    if (this.running) {
      // The running round may have listed due deploys before this one: one more round after it.
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        await this.round().catch((err) => this.d.log.error({ err }, 'deploy reports round failed'));
      } while (this.again);
    })().finally(() => (this.running = undefined));
  }

  /** Makes the reports whose window has passed (a little after, so late events are in). */
  async round(): Promise<void> {
    if (!(await this.d.ownsRound())) return;
    for (const deploy of await this.d.store.due(this.now())) {
      const env = await this.d.envOf(deploy.envId);
      if (!env) continue;
      try {
        const report = await makeReport(this.d.query, this.d.fieldsOf, env, deploy, this.d.settings().alpha);
        // Its event and alert come before the report shows as done, so whoever sees "done" also
        // sees them; a crash in between makes the report again, and the alert's fingerprint is the same.
        await this.afterReport(env, deploy, report);
        await this.d.store.complete(deploy.id, report, this.now());
      } catch (err) {
        this.d.log.error({ err, deploy: deploy.id }, 'deploy report failed');
      }
    }
  }

  private async afterReport(env: Environment, deploy: Deploy, report: DeployReport): Promise<void> {
    const { thresholds } = settingsFor(this.d.settings(), deploy.service);
    const beyond = report.findings.filter((f) => breaks(f, thresholds));
    const worse = report.findings.filter((f) => f.verdict === 'worse').length;
    await this.d.write(env, DEPLOYS_DATASET, [event(this.now(), {
      event: 'report', deploy_id: deploy.id, service: deploy.service, build: deploy.build,
      findings: report.findings.length, worse, better: report.findings.length - worse, beyond_thresholds: beyond.length, tests: report.windows.statistics.tests,
    })]);
    const reports: AlertReport[] = [];
    // Earlier deploys' alerts of the service resolve once a later report is clean or replaces them.
    for (const a of this.d.alerts.firing(env.id)) {
      if (a.source === 'deploy' && a.labels.service === deploy.service && a.labels.deploy !== deploy.id) reports.push({ labels: a.labels, endsAt: this.now() });
    }
    if (beyond.length) {
      const owner = this.d.serviceOf(env.id, deploy.service)?.owner;
      const labels: Record<string, string> = { alertname: DEPLOY_ALERT, service: deploy.service, deploy: deploy.id, build: deploy.build, severity: 'warning' };
      if (owner) labels.team = owner;
      const base = this.d.externalUrl();
      reports.push({
        labels,
        annotations: {
          summary: `Deploy of ${deploy.service} build ${deploy.build} made ${beyond.length} thing${beyond.length === 1 ? '' : 's'} worse beyond its thresholds`,
          description: beyond.slice(0, 10).map(describe).join('\n'),
        },
        generatorUrl: base ? `${base}/deploys/${deploy.id}` : undefined,
        value: beyond.length,
      });
    }
    if (reports.length) await this.d.alerts.report(env, reports, ALERT_TTL_MS);
  }
}

/** A worse finding against the window before (or the other build) past the service's threshold. */
export function breaks(f: Finding, t: Thresholds): boolean {
  if (f.verdict !== 'worse' || f.against === 'week_before') return false;
  if (f.metric === 'error_rate') return f.change >= t.error_rate;
  if (f.metric === 'throughput') return -f.change >= t.throughput;
  return f.change >= t.latency;
}

const pct = (x: number) => `${Math.round(x * 1000) / 10}%`;

export function describe(f: Finding): string {
  const value = (x: number) => (f.metric === 'error_rate' ? pct(x) : f.metric === 'throughput' ? `${Math.round(x * 100) / 100}/s` : `${Math.round(x * 10) / 10} ms`);
  const change = f.metric === 'error_rate' ? `${f.change >= 0 ? '+' : ''}${Math.round(f.change * 1000) / 10} points` : `${f.change >= 0 ? '+' : ''}${pct(f.change)}`;
  return `${f.kind} ${f.key}: ${f.metric} ${value(f.before)} -> ${value(f.after)} (${change}, p=${f.p_value.toPrecision(2)}, against ${f.against})`;
}

function event(ms: number, fields: Record<string, FieldValue | undefined>): StoredEvent {
  const clean: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) clean[k] = v;
  return { time: Math.round(ms * 1000), samplerate: 1, fields: clean };
}
