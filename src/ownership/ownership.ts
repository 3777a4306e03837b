// Ownership on one node: connects the catalog to alerts (an alert of a service opens or joins
// an incident), checks (state changes go on open incidents' timelines), escalation (pages
// through receivers with signed links), runbooks and the handoff rule (recomputed when
// incidents change and on every round, each change of status an event in tend.handoffs and a
// notification to the owning and building teams).
import type { Alert, Route } from '../alerts/index.js';
import type { Environment, StoredEvent } from '../store/index.js';
import type { Catalog } from './catalog/catalog.js';
import type { Severity, Service, Target } from './config.js';
import { pageNotification, type Page, type PageNotification } from './escalation/paging.js';
import type { Escalator } from './escalation/escalator.js';
import { judge, type Verdict } from './handoff/handoff.js';
import type { HandoffStore } from './handoff/handoff-store.js';
import type { IncidentService } from './incidents/incident-service.js';
import type { LinkSigner } from './incidents/links.js';
import { atLeast, severityOf, type Incident } from './incidents/model.js';
import type { OverrideStore } from './oncall/override-store.js';
import { onCallAt } from './oncall/shifts.js';
import { checkRunbook, type RunbookStatus } from './runbooks/runbook.js';

export const HANDOFFS_DATASET = 'tend.handoffs';
const WEEK_MS = 7 * 86_400_000;

export interface OwnershipDeps {
  catalog: Catalog;
  incidents: IncidentService;
  escalator: Escalator;
  overrides: OverrideStore;
  handoffs: HandoffStore;
  signer: LinkSigner;
  /** The routes of the alerting tree that take these labels. */
  routesFor(labels: Record<string, string>): Route[];
  /** The alerts firing now in an environment. */
  firing(envId: string): Alert[];
  /** A check's state now, when the check exists. */
  checkState(envId: string, name: string): { state: string; since: string } | undefined;
  /** An SLO's latest numbers, when the SLO exists. */
  sloStatus(envId: string, name: string): { compliance: number | null; budget_remaining: number | null } | undefined;
  deliver(env: Environment, n: PageNotification): Promise<void>;
  write(env: Environment, dataset: string, events: StoredEvent[]): Promise<void>;
  envOf(id: string): Promise<Environment | undefined>;
  names(): Promise<Map<string, string>>;
  externalUrl(): string;
  log: { error(obj: object, msg: string): void };
  now: () => number;
}

export class Ownership {
  constructor(private readonly d: OwnershipDeps) {}

  get catalog(): Catalog {
    return this.d.catalog;
  }

  // ---- alerts and checks -> incidents

  /** Whether an alert opens an incident: a route that takes it says so, else severity=critical. */
  private wantsIncident(routes: Route[], labels: Record<string, string>): boolean {
    const said = routes.map((r) => r.incident).filter((v): v is boolean => v !== undefined);
    return said.length ? said.some(Boolean) : labels.severity === 'critical';
  }

  async onAlert(env: Environment, alert: Alert, change: string): Promise<void> {
    if (change === 'resolved') {
      for (const i of await this.d.incidents.withFingerprint(env.id, alert.fingerprint)) {
        await this.d.incidents.note(env, i.id, 'alert.resolved', alert.source, `${alert.labels.alertname ?? alert.fingerprint} resolved`);
      }
      return;
    }
    if (change !== 'fired') return;
    const service = this.d.catalog.serviceOf(env.id, alert);
    if (!service) return;
    const routes = this.d.routesFor(alert.labels);
    if (!this.wantsIncident(routes, alert.labels)) return;
    const route = routes[0];
    const group = !route ? {} : route.groupBy === 'all' ? alert.labels : Object.fromEntries(route.groupBy.filter((k) => k in alert.labels).map((k) => [k, alert.labels[k]]));
    const name = alert.labels.alertname ?? alert.fingerprint;
    const summary = alert.annotations.summary ?? name;
    const { incident, opened } = await this.d.incidents.open(env, {
      service: service.name, severity: severityOf(alert.labels.severity, service.severity_map), title: summary,
      groupKey: `${route?.id ?? '0'}:${JSON.stringify(group)}`, fingerprint: alert.fingerprint, alertName: name, author: alert.source, text: `${name} firing: ${summary}`,
    });
    if (opened) await this.d.escalator.begin(env, incident.id);
  }

  async onCheckChange(env: Environment, check: string, state: string, previous: string, reason?: string): Promise<void> {
    for (const s of this.d.catalog.services(env.id).filter((x) => x.checks.includes(check))) {
      for (const i of await this.d.incidents.list(env.id, { service: s.name, state: 'open' })) {
        await this.d.incidents.note(env, i.id, 'check', 'check', `${check}: ${previous} -> ${state}${reason ? ` (${reason})` : ''}`);
      }
    }
  }

  /** Declared by a person: pages like one opened from an alert. */
  async declare(env: Environment, service: Service, severity: Severity, title: string, author: string): Promise<Incident> {
    const { incident } = await this.d.incidents.open(env, { service: service.name, severity, title, groupKey: `declared:${this.d.now()}:${Math.random()}`, author, text: `declared: ${title}` });
    await this.d.escalator.begin(env, incident.id);
    return incident;
  }

  /** After every incident change: stop paging once someone acted, and recompute the handoff status. */
  async afterIncidentChange(env: Environment, i: Incident): Promise<void> {
    if (i.state !== 'triggered') await this.d.escalator.cancel(env.id, i.id);
    const s = this.d.catalog.service(env.id, i.service);
    if (s) await this.reconcile(env, s);
  }

  /** The firing alerts that belong to a service (by label, or by the check, trigger or SLO that raised them). */
  alertsOf(envId: string, service: string): Alert[] {
    return this.d.firing(envId).filter((a) => this.d.catalog.serviceOf(envId, a)?.name === service);
  }

  checkStates(envId: string, s: Service) {
    return s.checks.map((name) => {
      const c = this.d.checkState(envId, name);
      return { name, state: c?.state ?? 'unknown', since: c?.since ?? null };
    });
  }

  sloStatuses(envId: string, s: Service) {
    return s.slos.map((name) => ({ name, ...(this.d.sloStatus(envId, name) ?? { compliance: null, budget_remaining: null }) }));
  }

  incidentsOf(envId: string, service: string): Promise<Incident[]> {
    return this.d.incidents.list(envId, { service, state: 'open' });
  }

  // ---- escalation steps

  async policyFor(envId: string, incidentId: string) {
    const i = await this.d.incidents.get(envId, incidentId);
    if (!i || i.state !== 'triggered') return undefined;
    const s = this.d.catalog.service(envId, i.service);
    if (!s) return undefined;
    const named = s.escalation_policy ? this.d.catalog.policy(envId, s.escalation_policy) : undefined;
    // No policy: the owning team's receiver, once.
    return named ?? { name: 'default', repeat: 0, steps: [{ notify: { team: s.owner }, wait: '0s' }] };
  }

  async onCallNow(envId: string, schedule: string, at = this.d.now()) {
    const sch = this.d.catalog.schedule(envId, schedule);
    if (!sch) return undefined;
    return onCallAt(sch, at, await this.d.overrides.list(envId, schedule));
  }

  /** The runbook, at the section of this alert when it has one. */
  runbookUrl(s: Service, alertname?: string): string | undefined {
    if (!s.runbook) return undefined;
    const rb = this.runbookOf(s);
    const anchor = rb.alerts.find((a) => a.name === alertname)?.anchor;
    return `${s.runbook}${anchor ? `#${anchor}` : ''}`;
  }

  async notify(envId: string, incidentId: string, target: Target, round: number, step: number): Promise<string> {
    const env = await this.d.envOf(envId);
    const i = await this.d.incidents.get(envId, incidentId);
    if (!env || !i) return 'the incident is gone';
    const s = this.d.catalog.service(envId, i.service);
    const owner = s ? this.d.catalog.team(envId, s.owner) : undefined;
    const personReceiver = this.d.catalog.file.paging.receiver ?? owner?.receiver;
    const base = {
      incidentId: i.id, service: i.service, severity: i.severity, title: i.title, openedAt: i.openedAt, externalUrl: this.d.externalUrl(),
      runbookUrl: s ? this.runbookUrl(s, i.alertName) : undefined,
    };
    const people: { email: string; why: string }[] = [];
    if ('person' in target) people.push({ email: target.person, why: 'named by the policy' });
    if ('schedule' in target) {
      const on = (await this.onCallNow(envId, target.schedule)) ?? [];
      people.push(...on.map((x) => ({ email: x.email, why: `${target.schedule} on call, layer ${x.layer}` })));
      if (!on.length) return `nobody is on call for ${target.schedule}`;
    }
    const sent: string[] = [];
    for (const p of people) {
      if (!personReceiver) {
        sent.push(`could not page ${p.email}: no paging.receiver and no receiver on team ${s?.owner}`);
        continue;
      }
      await this.send(env, { ...base, receiver: personReceiver, person: p.email, key: `${round}.${step}.${p.email}`, ...this.links(env, i, p.email) });
      sent.push(`paged ${p.email} (${p.why}) through ${personReceiver}`);
    }
    if ('team' in target) {
      const team = this.d.catalog.team(envId, target.team);
      const receiver = team?.receiver ?? this.d.catalog.file.paging.receiver;
      if (!receiver) return `could not notify team ${target.team}: it has no receiver`;
      await this.send(env, { ...base, receiver, team: target.team, key: `${round}.${step}.team`, ...this.links(env, i, `team:${target.team}`) });
      sent.push(`notified team ${target.team} through ${receiver}`);
    }
    return sent.join('; ');
  }

  private links(env: Environment, i: Incident, person: string): Pick<Page, 'ackUrl' | 'resolveUrl'> {
    const expires = this.d.now() + this.d.catalog.file.paging.linkTtlMs;
    const url = (action: 'acknowledge' | 'resolve') => `${this.d.externalUrl()}/api/v1/incident-links?token=${this.d.signer.sign({ env: env.id, incident: i.id, action, person, expires })}`;
    return { ackUrl: url('acknowledge'), resolveUrl: url('resolve') };
  }

  private async send(env: Environment, p: Page): Promise<void> {
    await this.d.deliver(env, pageNotification(p));
  }

  async record(envId: string, incidentId: string, text: string): Promise<void> {
    const env = await this.d.envOf(envId);
    if (env) await this.d.incidents.note(env, incidentId, 'escalation', 'escalation', text);
  }

  // ---- runbooks and the handoff rule

  runbookOf(s: Service): RunbookStatus {
    return checkRunbook(s.runbook, this.d.catalog.file.baseDir, this.d.catalog.file.handoff.runbook_sections, this.d.catalog.alertNames(s));
  }

  async faults(envId: string, s: Service): Promise<Incident[]> {
    const rule = this.d.catalog.file.handoff;
    const since = this.d.now() - rule.weeks * WEEK_MS;
    return (await this.d.incidents.openedSince(envId, s.name, since)).filter((i) => atLeast(i.severity, rule.severity_at_least));
  }

  async verdict(envId: string, s: Service): Promise<Verdict & { handed_over_at?: number }> {
    const rec = await this.d.handoffs.get(envId, s.name);
    const v = judge(this.d.catalog.file.handoff, this.d.catalog.file.scorecards, {
      service: s, runbook: this.runbookOf(s), faults: (await this.faults(envId, s)).length, handedOverAt: rec?.handedOverAt, previous: rec?.status,
    });
    return { ...v, handed_over_at: v.status === 'operated' ? rec?.handedOverAt : undefined };
  }

  /** Records the status when it changed: an event in tend.handoffs and a notice to both teams. */
  async reconcile(env: Environment, s: Service, author = 'tend'): Promise<Verdict & { handed_over_at?: number }> {
    const rec = await this.d.handoffs.get(env.id, s.name);
    const v = await this.verdict(env.id, s);
    const handedOverAt = v.status === 'operated' ? rec?.handedOverAt : undefined;
    const changed = await this.d.handoffs.set(env.id, s.name, { status: v.status, handedOverAt, handedOverBy: handedOverAt ? rec?.handedOverBy : undefined, changedAt: this.d.now() });
    if (changed && rec?.status !== v.status) await this.announce(env, s, rec?.status, v, author);
    return v;
  }

  /** `tend services handoff NAME`: only a ready service is handed over. */
  async handOver(env: Environment, s: Service, author: string): Promise<Verdict> {
    const v = await this.verdict(env.id, s);
    if (v.status !== 'ready') throw new Error(`service ${s.name} is ${v.status}${v.missing.length ? `: ${v.missing.join('; ')}` : ''}`);
    const rec = await this.d.handoffs.get(env.id, s.name);
    await this.d.handoffs.set(env.id, s.name, { status: 'operated', handedOverAt: this.d.now(), handedOverBy: author, changedAt: this.d.now() });
    const after = { ...v, status: 'operated' as const };
    await this.announce(env, s, rec?.status, after, author);
    return after;
  }

  private async announce(env: Environment, s: Service, previous: string | undefined, v: Verdict, author: string): Promise<void> {
    const now = this.d.now();
    const text = `${s.name}: ${previous ?? 'new'} -> ${v.status}${v.missing.length ? ` (${v.missing.join('; ')})` : ''}`;
    await this.d.write(env, HANDOFFS_DATASET, [{
      time: now * 1000, samplerate: 1,
      fields: { service: s.name, status: v.status, previous_status: previous ?? '', faults: v.faults, max_faults: v.max_faults, weeks: v.weeks, missing: v.missing.join('; '), actor: author, owner: s.owner, builders: s.builders ?? s.owner },
    }]).catch((err) => this.d.log.error({ err }, 'could not write handoff event'));
    for (const teamName of new Set([s.owner, s.builders ?? s.owner])) {
      const receiver = this.d.catalog.team(env.id, teamName)?.receiver;
      if (!receiver) continue;
      await this.d.deliver(env, pageNotification({
        receiver, service: s.name, severity: 'SEV4', title: text, openedAt: now, externalUrl: this.d.externalUrl(), team: teamName,
        key: `handoff.${now}`, alertname: 'handoff', summary: text,
      })).catch((err) => this.d.log.error({ err }, 'could not notify the handoff change'));
    }
  }

  /** Every service of every environment, once a round. */
  async reconcileAll(envs: Environment[]): Promise<void> {
    for (const env of envs) for (const s of this.d.catalog.services(env.id)) await this.reconcile(env, s);
  }
}
