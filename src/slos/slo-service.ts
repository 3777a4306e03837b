// SLOs of every environment: kept (tend.yaml and the API), evaluated every `slo_interval` by
// whichever node holds the evaluation lease. Each round computes only the minutes it lacks
// (new ones, those a late event landed in, all of them after a change of SLI) through the
// query engine, keeps them as per-minute rollups, and from those derives every number, the
// burn alerts (reported to the alerts capability with source `slo`) and one tend.slos event.
import crypto from 'node:crypto';
import type { AlertReport, Labels } from '../alerts/index.js';
import { cleanLabels } from '../alerts/index.js';
import type { QueryDeps } from '../query/index.js';
import type { Written } from '../ingest/index.js';
import { LeaseLoop, type Environment, type FieldValue, type Leases, type StoredEvent } from '../store/index.js';
import { judgeBurnAlert } from './burn/burn-alerts.js';
import { endMinuteOf, sloStatus, type SloStatus } from './burn/status.js';
import { spanMinutes, type Slo } from './definition.js';
import type { DerivedColumns } from './derived-columns.js';
import { computeMinutes, SliError } from './rollups/compute.js';
import { MinuteSeries } from './rollups/minute-series.js';
import type { SloEvaluation, SloStore } from './slo-store.js';

export const SLOS_DATASET = 'tend.slos';
const LEASE = 'slos.evaluation';
/** Rollups read back from the metadata store (after a start) have their newest minutes recomputed: late events written just before a crash were noted only in memory. */
const RECHECK_AFTER_LOAD_MINUTES = 60;
/** Runs of missing minutes this close together are computed by one query (a query costs about the same for 1 or 120 minutes). */
const MERGE_GAP_MINUTES = 120;

/** Where burn alerts go: the alerts capability's service (report firing and resolved alike). */
export interface AlertSink {
  report(env: Environment, source: 'slo', reports: AlertReport[]): Promise<unknown>;
}

export interface SloServiceDeps {
  store: SloStore;
  derived: DerivedColumns;
  query: QueryDeps;
  leases: Leases;
  alerts: AlertSink;
  write: (env: Environment, dataset: string, events: StoredEvent[]) => Promise<void>;
  environments: () => Promise<Environment[]>;
  log: { error(obj: object, msg: string): void };
  intervalMs: number;
  queryTimeoutMs: number;
  now?: () => number;
  /** Called when this node takes evaluation over from another: burn alerts it raised are read again. */
  onTakeOver?: () => Promise<void>;
  /** Told after every SLO stored or removed here, so the other nodes load() again. */
  onChanged?: () => void;
  /** Told after a round stored its evaluations, so the other nodes loadEvaluations() again. */
  onEvaluated?: () => void;
}

interface Kept {
  sliHash?: string;
  series?: MinuteSeries;
  status?: SloStatus;
  error?: string;
  /** Burn alerts firing now, by fingerprint-making labels. */
  firing: Set<string>;
  /** Whether its burn alerts were judged on this node yet. */
  judged?: boolean;
}

/** An SLO's part in a round: the minutes it lacks, and their counts as they are computed. */
interface Need {
  slo: Slo;
  kept: Kept;
  exprs: { dataset: string; expression: string }[];
  hash: string;
  from: number;
  end: number;
  runs: [number, number][];
  good: Float64Array;
  eligible: Float64Array;
}

export interface RoundReport {
  slos: number;
  minutesComputed: number;
  queries: number;
  durationMs: number;
}

export class SloService {
  private slos = new Map<string, Slo>();
  private kept = new Map<string, Kept>();
  /** Every SLO's latest evaluation, by whichever node made it: what statusOf answers. */
  private evaluations = new Map<string, SloEvaluation>();
  /** `envId/dataset slug` -> minutes written since the last round (late events among them). */
  private written = new Map<string, Set<number>>();
  private readonly loop: LeaseLoop;
  private running: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;

  constructor(private readonly deps: SloServiceDeps) {
    this.now = deps.now ?? Date.now;
    this.loop = new LeaseLoop({
      leases: deps.leases, name: LEASE, everyMs: deps.intervalMs, log: deps.log, now: this.now,
      work: async () => void (await this.evaluateNow()),
      onGained: async (takeover) => {
        if (takeover) await this.deps.onTakeOver?.();
      },
    });
  }

  /** Reads the SLOs from the store: at start, and when another node changed them. */
  async load(): Promise<void> {
    const stored = await this.deps.store.all();
    const ids = new Set(stored.map((s) => s.id));
    for (const id of this.slos.keys()) if (!ids.has(id)) this.slos.delete(id);
    for (const s of stored) this.slos.set(s.id, s);
  }

  /** Reads the latest evaluations from the store: at start, and when the evaluating node made new ones. */
  async loadEvaluations(): Promise<void> {
    this.evaluations = await this.deps.store.evaluations();
  }

  list(envId: string): Slo[] {
    return [...this.slos.values()].filter((s) => s.envId === envId).sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  get(envId: string, id: string): Slo | undefined {
    const s = this.slos.get(id);
    return s && s.envId === envId ? s : undefined;
  }

  byName(envId: string, name: string): Slo | undefined {
    return this.list(envId).find((s) => s.name === name);
  }

  /** The latest evaluation on any node (no status before the first), and why it failed if it did. */
  statusOf(id: string): SloEvaluation {
    return this.evaluations.get(id) ?? { firing: [] };
  }

  async put(slo: Slo): Promise<Slo> {
    await this.deps.store.save(slo);
    this.slos.set(slo.id, slo);
    this.deps.onChanged?.();
    return slo;
  }

  async remove(env: Environment, id: string): Promise<void> {
    const slo = this.slos.get(id);
    await this.deps.store.delete(id);
    this.slos.delete(id);
    this.deps.onChanged?.();
    const firing = this.kept.get(id)?.firing ?? new Set();
    this.kept.delete(id);
    this.evaluations.delete(id);
    const now = this.now();
    if (slo && firing.size) await this.deps.alerts.report(env, 'slo', [...firing].map((l) => ({ labels: JSON.parse(l) as Labels, endsAt: now })));
  }

  /** Makes the environment's file-managed SLOs exactly `slos` (by name). */
  async applyFile(env: Environment, slos: Omit<Slo, 'id' | 'envId' | 'managedBy' | 'createdAt' | 'updatedAt'>[]): Promise<void> {
    const existing = new Map(this.list(env.id).filter((s) => s.managedBy === 'file').map((s) => [s.name, s]));
    const now = this.now();
    for (const def of slos) {
      const old = existing.get(def.name) ?? this.byName(env.id, def.name);
      existing.delete(def.name);
      await this.put({ ...def, id: old?.id ?? crypto.randomBytes(6).toString('base64url'), envId: env.id, managedBy: 'file', createdAt: old?.createdAt ?? now, updatedAt: now });
    }
    for (const gone of existing.values()) await this.remove(env, gone.id);
  }

  /** The write path's note of what it committed: the minutes each dataset got events in. */
  noteWrites(writes: Written[]): void {
    // Another node evaluates: what this one noted would only pile up.
    if (this.slos.size === 0 || !this.loop.owns) return;
    for (const w of writes) {
      const key = `${w.dataset.envId}/${w.dataset.slug}`;
      let minutes = this.written.get(key);
      if (!minutes) this.written.set(key, (minutes = new Set()));
      let last = NaN;
      for (let i = 0; i < w.times.length; i++) {
        const m = Math.floor(w.times[i] / 60_000_000);
        if (m !== last) minutes.add((last = m));
      }
    }
  }

  start(): void {
    this.loop.start();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.running;
  }

  /** One round over every SLO (or those named): what the scheduler, tests and the benchmark call. */
  evaluateNow(ids?: string[], nowMs = this.now()): Promise<RoundReport> {
    const round = this.running.then(() => this.round(ids, nowMs));
    this.running = round.catch(() => undefined);
    return round;
  }

  private async round(ids: string[] | undefined, nowMs: number): Promise<RoundReport> {
    const started = performance.now();
    const written = this.written;
    this.written = new Map();
    const envs = new Map((await this.deps.environments()).map((e) => [e.id, e]));
    const slos = (ids ? ids.map((id) => this.slos.get(id)) : [...this.slos.values()]).filter((s): s is Slo => s !== undefined && envs.has(s.envId));
    const report: RoundReport = { slos: slos.length, minutesComputed: 0, queries: 0, durationMs: 0 };
    const needs: Need[] = [];
    for (const slo of slos) {
      const kept = this.kept.get(slo.id) ?? { firing: new Set<string>() };
      this.kept.set(slo.id, kept);
      try {
        needs.push(await this.need(slo, kept, written, nowMs));
      } catch (err) {
        this.failed(slo, kept, err);
      }
    }
    report.queries = await this.compute(envs, needs.filter((n) => n.runs.length));
    const statements = [];
    for (const n of needs) {
      if (n.kept.error !== undefined) continue;
      report.minutesComputed += n.runs.reduce((sum, [a, b]) => sum + b - a, 0);
      statements.push(...this.keep(n, nowMs));
    }
    await this.deps.store.run(statements);
    const durationMs = performance.now() - started;
    const events = new Map<string, StoredEvent[]>();
    const reports = new Map<string, AlertReport[]>();
    const evaluated = new Map<string, SloEvaluation>();
    for (const slo of slos) {
      const kept = this.kept.get(slo.id)!;
      const event = this.judge(slo, kept, nowMs, reports, durationMs);
      (events.get(slo.envId) ?? events.set(slo.envId, []).get(slo.envId)!).push(event);
      evaluated.set(slo.id, { status: kept.status, error: kept.error, firing: [...kept.firing] });
    }
    // Stored for the other nodes, which answer the SLO API from them (they do not evaluate).
    await this.deps.store.run(this.deps.store.evaluationStatements(evaluated));
    for (const [id, e] of evaluated) this.evaluations.set(id, e);
    if (evaluated.size) this.deps.onEvaluated?.();
    for (const [envId, list] of events) {
      const env = envs.get(envId)!;
      const rs = reports.get(envId) ?? [];
      await Promise.all([
        rs.length ? this.deps.alerts.report(env, 'slo', rs) : undefined,
        this.deps.write(env, SLOS_DATASET, list).catch((err) => this.deps.log.error({ err }, 'could not write tend.slos events')),
      ]);
    }
    report.durationMs = performance.now() - started;
    return report;
  }

  private failed(slo: Slo, kept: Kept, err: unknown): void {
    if (!(err instanceof SliError)) this.deps.log.error({ err, slo: slo.name }, 'SLO rollups failed');
    kept.error = (err as Error).message;
    kept.status = undefined;
  }

  /** The SLI's expression on each of its datasets (an alias is looked up in the derived columns). */
  private expressions(slo: Slo): { dataset: string; expression: string }[] {
    return slo.datasets.map((dataset) => {
      if (typeof slo.sli === 'string') return { dataset, expression: slo.sli };
      const dc = this.deps.derived.resolve(slo.envId, dataset, slo.sli.alias);
      if (!dc) throw new SliError(`sli.alias: no derived column "${slo.sli.alias}" on dataset "${dataset}"`);
      return { dataset, expression: dc.expression };
    });
  }

  /** What an SLO lacks at `nowMs`: the minutes of its span not computed (new, late, or all of them for a new SLI). */
  private async need(slo: Slo, kept: Kept, written: Map<string, Set<number>>, nowMs: number): Promise<Need> {
    const exprs = this.expressions(slo);
    const hash = crypto.createHash('sha256').update(JSON.stringify(exprs.map((e) => [e.dataset.toLowerCase(), e.expression]))).digest('hex').slice(0, 16);
    const end = endMinuteOf(nowMs);
    const from = end - spanMinutes(slo);
    if (kept.sliHash !== hash || !kept.series) {
      kept.series = await this.deps.store.loadRollups(slo.id, hash);
      kept.sliHash = hash;
      for (let m = end - RECHECK_AFTER_LOAD_MINUTES; m < end; m++) kept.series.invalidate(m);
    }
    for (const e of exprs) {
      for (const m of written.get(`${slo.envId}/${e.dataset.toLowerCase()}`) ?? []) if (m >= from && m < end) kept.series.invalidate(m);
    }
    kept.error = undefined;
    const runs = kept.series.missing(from, end);
    return { slo, kept, exprs, hash, from, end, runs, good: new Float64Array(end - from), eligible: new Float64Array(end - from) };
  }

  /**
   * Computes what the SLOs need, one dataset at a time: every SLI over a dataset shares its
   * queries, over the union of the minutes they lack. Answers the number of queries.
   */
  private async compute(envs: Map<string, Environment>, needs: Need[]): Promise<number> {
    const byDataset = new Map<string, { env: Environment; dataset: string; members: { need: Need; expression: string }[] }>();
    for (const need of needs) {
      for (const e of need.exprs) {
        const key = `${need.slo.envId}/${e.dataset.toLowerCase()}`;
        const group = byDataset.get(key) ?? byDataset.set(key, { env: envs.get(need.slo.envId)!, dataset: e.dataset, members: [] }).get(key)!;
        group.members.push({ need, expression: e.expression });
      }
    }
    let queries = 0;
    for (const group of byDataset.values()) {
      const runs = mergeRuns(group.members.flatMap((m) => m.need.runs).sort((x, y) => x[0] - y[0]));
      for (const [a, b] of runs) {
        let members = group.members.filter((m) => m.need.kept.error === undefined && m.need.runs.some(([x, y]) => x < b && y > a));
        let computed;
        try {
          computed = await computeMinutes(this.deps.query, group.env, group.dataset, members.map((m) => m.expression), a, b, this.deps.queryTimeoutMs);
        } catch (err) {
          if (!(err instanceof SliError) || members.length === 1) {
            for (const m of members) this.failed(m.need.slo, m.need.kept, err);
            continue;
          }
          // One SLI the engine refuses must not cost the others theirs: each alone.
          const alone = [];
          for (const m of members) {
            try {
              const one = await computeMinutes(this.deps.query, group.env, group.dataset, [m.expression], a, b, this.deps.queryTimeoutMs);
              queries += one.queries;
              alone.push({ m, counts: one.counts[0] });
            } catch (e) {
              this.failed(m.need.slo, m.need.kept, e);
            }
          }
          members = alone.map((x) => x.m);
          computed = { counts: alone.map((x) => x.counts), queries: 0 };
        }
        queries += computed.queries;
        members.forEach((m, k) => {
          const c = computed.counts[k];
          const n = m.need;
          for (const [x, y] of n.runs) {
            for (let minute = Math.max(x, a); minute < Math.min(y, b); minute++) {
              n.good[minute - n.from] += c.good[minute - a];
              n.eligible[minute - n.from] += c.eligible[minute - a];
            }
          }
        });
      }
    }
    return queries;
  }

  /** Puts what was computed into the SLO's rollups and derives its numbers; answers the statements that persist the hours touched. */
  private keep(n: Need, nowMs: number): { sql: string; params: unknown[] }[] {
    const series = n.kept.series!;
    const hours = new Set<number>();
    for (const [a, b] of n.runs) {
      for (let m = a; m < b; m++) series.set(m, n.good[m - n.from], n.eligible[m - n.from]);
      for (let h = Math.floor(a / 60); h * 60 < b; h++) hours.add(h);
    }
    const dropped = series.dropBefore(n.from);
    n.kept.status = sloStatus(n.slo, (a, b) => series.sum(a, b), nowMs);
    return this.deps.store.rollupStatements(n.slo.id, n.hash, series, [...hours], dropped);
  }

  /** Burn alert verdicts (collected as alert reports) and the round's tend.slos event. */
  private judge(slo: Slo, kept: Kept, nowMs: number, reports: Map<string, AlertReport[]>, durationMs: number): StoredEvent {
    const rs = reports.get(slo.envId) ?? reports.set(slo.envId, []).get(slo.envId)!;
    const firing = new Set<string>();
    const status = kept.status;
    const base = { ...cleanLabels(slo.labels), alertname: slo.name, slo: slo.name, dataset: slo.datasets.join(',') };
    if (status && kept.series) {
      const series = kept.series;
      for (const a of slo.burn_alerts) {
        const v = judgeBurnAlert(slo, a, (x, y) => series.sum(x, y), nowMs);
        const labels: Labels = { ...base, burn_alert: a.kind, window: v.window, severity: a.severity };
        const key = JSON.stringify(labels);
        // Changes only: the alerts capability keeps what is firing. The first judgement on this
        // node reports every verdict, so an alert left firing by another node or before a
        // restart resolves (resolving what is not firing costs nothing).
        if (v.firing) {
          firing.add(key);
          if (!kept.firing.has(key) || !kept.judged) rs.push({ labels, annotations: { summary: v.summary, description: slo.description }, value: v.value });
        } else if (kept.firing.has(key) || !kept.judged) rs.push({ labels, endsAt: nowMs, value: v.value });
      }
    } else {
      // No numbers this round (the SLI fails): alerts keep their state until it can be judged again.
      for (const key of kept.firing) firing.add(key);
    }
    // A burn alert removed from the SLO while it fired resolves.
    for (const key of kept.firing) if (!firing.has(key) && !rs.some((r) => JSON.stringify(r.labels) === key)) rs.push({ labels: JSON.parse(key) as Labels, endsAt: nowMs });
    kept.firing = firing;
    if (status) kept.judged = true;
    return sloEvent(slo, status, kept.error, nowMs, durationMs);
  }
}

function mergeRuns(runs: [number, number][]): [number, number][] {
  const out: [number, number][] = [];
  for (const r of runs) {
    const last = out[out.length - 1];
    if (last && r[0] - last[1] <= MERGE_GAP_MINUTES) last[1] = r[1];
    else out.push([r[0], r[1]]);
  }
  return out;
}

function sloEvent(slo: Slo, s: SloStatus | undefined, error: string | undefined, nowMs: number, durationMs: number): StoredEvent {
  const fields: Record<string, FieldValue | null | undefined> = {
    'slo.name': slo.name,
    'slo.id': slo.id,
    'slo.dataset': slo.datasets.join(','),
    'slo.target': slo.target,
    'slo.period_days': slo.period_days,
    eligible: s?.eligible,
    good: s?.good,
    compliance: s?.compliance,
    budget: s?.budget,
    budget_remaining: s?.budget_remaining,
    exhaustion_at: s?.exhaustion_at === null || !s ? undefined : new Date(s.exhaustion_at).toISOString(),
    duration_ms: Math.round(durationMs * 1000) / 1000,
    error,
  };
  for (const [w, v] of Object.entries(s?.burn_rates ?? {})) fields[`burn_rate.${w}`] = v;
  for (const [k, v] of Object.entries(slo.labels)) fields[`label.${k}`] = v;
  const clean: Record<string, FieldValue> = {};
  for (const [k, v] of Object.entries(fields)) if (v !== undefined && v !== null) clean[k] = v;
  return { time: Math.round(nowMs * 1000), samplerate: 1, fields: clean };
}
