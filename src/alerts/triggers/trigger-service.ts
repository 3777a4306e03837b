// Triggers of every environment: kept (tend.yaml and the Triggers API), scheduled at their
// frequency by whichever node holds the evaluation lease, evaluated through the query engine,
// turned into alerts (one per breakdown group), and recorded in tend.trigger_runs. Several
// nodes: definitions and states live in the metadata store; a node is told of changes made on
// another (load() again), and one taking the lease over reads both again before evaluating.
import type { QueryDeps } from '../../query/index.js';
import { LeaseLoop, type Environment, type Leases } from '../../store/index.js';
import type { AlertService } from '../alert-service.js';
import { event, TRIGGER_RUNS_DATASET, type EventWriter } from '../events.js';
import { cleanLabels, fingerprint, type Labels } from '../labels.js';
import type { AlertReport } from '../model.js';
import { exceeds, windowOf, type Trigger, type TriggerInput } from './definition.js';
import { evaluate, type Evaluation } from './evaluator.js';
import { renderAll } from './template.js';
import { newTriggerId, type TriggerState, type TriggerStore } from './trigger-store.js';

const LEASE = 'alerts.triggers';
/** First evaluations at a start are spread over this (or the trigger's period when shorter). */
const SPREAD_MS = 15_000;

export interface TriggerServiceDeps {
  store: TriggerStore;
  alerts: AlertService;
  query: QueryDeps;
  leases: Leases;
  write: EventWriter;
  environments: () => Promise<Environment[]>;
  log: { error(obj: object, msg: string): void };
  /** How often due triggers are looked for (ms). */
  tickMs: number;
  queryTimeoutMs: number;
  /** This node's id, recorded on every run as tend.node. */
  node: string;
  /** Called when this node takes evaluation over from another: alerts the last owner raised are read again. */
  onTakeOver?: () => Promise<void>;
  /** Told after every change of definitions or states made here, so the other nodes load() again. */
  onChanged?: () => void;
}

export class TriggerService {
  private triggers = new Map<string, Trigger>();
  private states = new Map<string, TriggerState>();
  private nextDue = new Map<string, number>();
  private envs = new Map<string, Environment>();
  private readonly loop: LeaseLoop;
  /** First evaluations are spread over up to this: 0 after a takeover (they are overdue). */
  private spreadMs = SPREAD_MS;

  constructor(private readonly deps: TriggerServiceDeps) {
    this.loop = new LeaseLoop({
      leases: deps.leases,
      name: LEASE,
      everyMs: deps.tickMs,
      work: () => this.tick(),
      onGained: (takeover) => this.gained(takeover),
      log: deps.log,
    });
  }

  /** Reads definitions and states from the store: at start, and when another node changed them. */
  async load(): Promise<void> {
    const stored = await this.deps.store.all();
    const ids = new Set(stored.map((t) => t.id));
    for (const id of [...this.triggers.keys()]) if (!ids.has(id)) await this.drop(id);
    for (const t of stored) this.keep(t);
    // The evaluating node's states are the newest: others take the stored ones.
    if (!this.loop.owns) this.states = await this.deps.store.states();
    await this.refreshEnvs();
  }

  private async gained(takeover: boolean): Promise<void> {
    this.states = await this.deps.store.states();
    await this.load();
    if (!takeover) return;
    await this.deps.onTakeOver?.();
    // Whether the last owner evaluated them before it stopped is unknown: evaluate every one
    // now (harmless: the states and alerts it left are what this evaluation starts from).
    this.spreadMs = 0;
    this.nextDue.clear();
  }

  private keep(t: Trigger): void {
    const old = this.triggers.get(t.id);
    this.triggers.set(t.id, t);
    // A changed question starts over: the old groups' alerts resolve at the next evaluation.
    if (old && JSON.stringify(old.query) !== JSON.stringify(t.query)) this.nextDue.delete(t.id);
  }

  private forget(id: string): void {
    this.triggers.delete(id);
    this.states.delete(id);
    this.nextDue.delete(id);
  }

  private async refreshEnvs(): Promise<void> {
    for (const e of await this.deps.environments()) this.envs.set(e.id, e);
  }

  list(envId: string, dataset?: string): Trigger[] {
    return [...this.triggers.values()].filter((t) => t.envId === envId && (dataset === undefined || t.dataset.toLowerCase() === dataset.toLowerCase()));
  }

  get(envId: string, id: string): Trigger | undefined {
    const t = this.triggers.get(id);
    return t && t.envId === envId ? t : undefined;
  }

  /** Whether any group of the trigger fires now. */
  triggered(id: string): boolean {
    return Object.values(this.states.get(id) ?? {}).some((g) => g.firing);
  }

  async put(env: Environment, dataset: string, input: TriggerInput, managedBy: Trigger['managedBy'], id = newTriggerId()): Promise<Trigger> {
    this.envs.set(env.id, env);
    const t: Trigger = { ...input, id, envId: env.id, dataset, managedBy };
    await this.deps.store.save(t);
    this.keep(t);
    this.deps.onChanged?.();
    return t;
  }

  async remove(env: Environment, id: string): Promise<void> {
    await this.deps.store.delete(id);
    await this.drop(id, env);
    this.deps.onChanged?.();
  }

  /**
   * Forgets a deleted trigger. The evaluating node resolves the alerts its groups raised (the
   * node it was deleted through may not be that one: it tells the evaluating node, whose load()
   * lands here).
   */
  private async drop(id: string, env = this.envs.get(this.triggers.get(id)?.envId ?? '')): Promise<void> {
    const state = this.states.get(id) ?? {};
    const known = this.triggers.has(id);
    this.forget(id);
    if (known && env && this.loop.owns) await this.deps.alerts.resolve(env, Object.keys(state).map((g) => fingerprint(JSON.parse(g) as Labels)));
  }

  /** Makes the environment's file-managed triggers exactly `inputs` (by name). */
  async applyFile(env: Environment, inputs: TriggerInput[]): Promise<void> {
    const existing = new Map(this.list(env.id).filter((t) => t.managedBy === 'file').map((t) => [t.name, t]));
    for (const input of inputs) {
      const old = existing.get(input.name);
      existing.delete(input.name);
      await this.put(env, input.dataset!, input, 'file', old?.id);
    }
    for (const gone of existing.values()) await this.remove(env, gone.id);
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** Evaluates the triggers that are due (this node holds the lease). */
  private async tick(): Promise<void> {
    const now = Date.now();
    const due: { t: Trigger; lagMs: number }[] = [];
    for (const t of this.triggers.values()) {
      if (t.disabled) continue;
      let at = this.nextDue.get(t.id);
      if (at === undefined) {
        // First evaluation soon, spread over the first period so triggers do not all start
        // together; at once after a takeover (spreadMs 0): they are overdue.
        at = now + Math.floor(Math.random() * Math.min(t.frequency * 1000, this.spreadMs));
        this.nextDue.set(t.id, at);
      }
      if (at > now) continue;
      due.push({ t, lagMs: now - at });
      let next = at + t.frequency * 1000;
      if (next <= now) next = now + t.frequency * 1000;
      this.nextDue.set(t.id, next);
    }
    this.spreadMs = SPREAD_MS;
    if (!due.length) return;
    await this.evaluateNow(due.map((d) => d.t), new Map(due.map((d) => [d.t.id, d.lagMs])));
  }

  /** Evaluates triggers now (all of them when none are named): what the scheduler and tests call. */
  async evaluateNow(which?: Trigger[], lags = new Map<string, number>()): Promise<Evaluation[]> {
    await this.refreshEnvs();
    const list = which ?? [...this.triggers.values()].filter((t) => !t.disabled);
    const nowMs = Date.now();
    const evaluations = await evaluate(this.deps.query, (id) => this.envs.get(id), list, nowMs / 1000, this.deps.queryTimeoutMs);
    const saved: [string, TriggerState][] = [];
    for (const ev of evaluations) {
      const env = this.envs.get(ev.trigger.envId);
      if (!env) continue;
      const { state, reports, runs } = this.judge(ev, this.states.get(ev.trigger.id) ?? {}, nowMs, lags.get(ev.trigger.id) ?? 0);
      this.states.set(ev.trigger.id, state);
      saved.push([ev.trigger.id, state]);
      const firing = reports.filter((r) => r.endsAt === undefined);
      const resolved = reports.filter((r) => r.endsAt !== undefined);
      await Promise.all([
        firing.length ? this.deps.alerts.report(env, 'trigger', firing, { renotify: ev.trigger.alert_type === 'on_true' }) : undefined,
        resolved.length ? this.deps.alerts.report(env, 'trigger', resolved) : undefined,
        this.deps.write(env, TRIGGER_RUNS_DATASET, runs).catch((err) => this.deps.log.error({ err }, 'could not write trigger runs')),
      ]);
    }
    await this.deps.store.saveStates(saved);
    if (saved.length) this.deps.onChanged?.();
    return evaluations;
  }

  /** One evaluation's verdict per group: the new state, alerts to report, and run events. */
  private judge(ev: Evaluation, prev: TriggerState, nowMs: number, lagMs: number) {
    const t = ev.trigger;
    const state: TriggerState = {};
    const reports: AlertReport[] = [];
    const runs = [];
    const base = { 'tend.node': this.deps.node, 'trigger.name': t.name, 'trigger.id': t.id, 'trigger.dataset': t.dataset, duration_ms: ev.durationMs, lag_ms: lagMs, 'trigger.window_s': windowOf(t) };
    const labelsOf = (groups: Record<string, string>): Labels => ({ ...cleanLabels(t.labels), ...cleanLabels(groups), alertname: t.name });
    const seen = new Set<string>();
    const fire = (labels: Labels, value: number | null) => reports.push({ labels, annotations: renderAll(t.annotations, labels, value), value });
    const resolve = (labels: Labels, value: number | null) => reports.push({ labels, endsAt: nowMs, value });
    if (ev.error) {
      runs.push(event(nowMs, { ...base, result: 'error', error: ev.error }));
      return { state: prev, reports, runs };
    }
    for (const g of ev.values) {
      const labels = labelsOf(g.groups);
      const key = JSON.stringify(labels);
      if (g.value === null) continue; // no data for this group: judged with the missing ones below
      seen.add(key);
      const over = exceeds(g.value, t.threshold.op, t.threshold.value);
      const was = prev[key] ?? { count: 0, firing: false };
      const count = over ? was.count + 1 : 0;
      const firing = count >= t.threshold.exceeded_limit || (was.firing && over);
      state[key] = { count, firing };
      if (firing) fire(labels, g.value);
      else if (was.firing) resolve(labels, g.value);
      const groupFields = Object.fromEntries(Object.entries(g.groups).map(([k, v]) => [`group.${k}`, v]));
      runs.push(event(nowMs, { ...base, ...groupFields, value: g.value, exceeded: over, result: firing ? 'triggered' : 'ok' }));
    }
    // Groups with no data now: what the trigger says no data means.
    const missing = Object.entries(prev).filter(([key]) => !seen.has(key));
    if (!t.query.breakdowns?.length && !seen.size && !missing.length) missing.push([JSON.stringify(labelsOf({})), { count: 0, firing: false }]);
    for (const [key, was] of missing) {
      const labels = JSON.parse(key) as Labels;
      if (t.no_data === 'keep') state[key] = was;
      else if (t.no_data === 'firing') {
        state[key] = { count: t.threshold.exceeded_limit, firing: true };
        fire(labels, null);
      } else if (was.firing) resolve(labels, null);
      runs.push(event(nowMs, { ...base, result: 'no_data', 'trigger.no_data': t.no_data }));
    }
    return { state, reports, runs };
  }
}
