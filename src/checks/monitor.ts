// The running side of checks: one scheduler job per check, the state machine fed by every
// result, heartbeat deadlines and pings, and the events each of them writes. Definitions
// come from the service (file or API); the monitor only runs what it is given.
import type { CheckRecord, CheckStore, StatusRow } from './check-store.js';
import type { Clock } from './clock.js';
import { targetOf, ms, type HeartbeatDefinition } from './definition.js';
import { CHECKS_DATASET, PINGS_DATASET, STATES_DATASET, pingEvent, resultEvent, stateEvent, type EventSink, type PingFields } from './events.js';
import { applyPing, deadline, lateVerdict, newRuntime, type HeartbeatRuntime, type PingKind } from './heartbeat.js';
import { probe, type CheckResult } from './kinds/index.js';
import { inMaintenance } from './maintenance.js';
import { nextTurn, Scheduler, type Job } from './scheduler.js';
import { initialCounters, nextCounters, type CheckState, type StateCounters } from './state-machine.js';

/** A check's latest result and when it was taken (ms since epoch). */
export interface LastResult extends CheckResult {
  at: number;
}

interface Entry {
  rec: CheckRecord;
  counters: StateCounters;
  since: number;
  heartbeat: HeartbeatRuntime;
  pausedByApi: boolean;
  last?: LastResult;
  /** Status writes for this check, in order. */
  saving: Promise<void>;
}

/** What the API, CLI and status pages show about a check. */
export interface CheckView {
  state: CheckState;
  since: string;
  pausedByApi: boolean;
  last?: LastResult & { at_iso: string };
  heartbeat?: { lastPingAt?: string; runningSince?: string; lateAt?: string };
}

export interface MonitorDeps {
  clock: Clock;
  concurrency: number;
  sink: EventSink;
  store: CheckStore;
  log: { error(obj: object, msg: string): void };
  /** Called with each scheduled run's lag, for metrics. */
  onLag?: (lagMs: number) => void;
  /** Called on every state change (alerts subscribe: a check going down fires an alert). */
  onStateChange?: (rec: CheckRecord, state: CheckState, previous: CheckState, reason?: string) => void;
  rng?: () => number;
  /** This node's id, recorded on every result as tend.node. */
  node?: string;
  /**
   * False while another node holds the checks (several nodes on one PostgreSQL): scheduled runs
   * and heartbeat deadlines are skipped here, so each check runs once per period.
   */
  owns?: () => boolean;
  /** Told once a check's status is saved (another node then refresh()es it: a ping it did not receive). */
  onSaved?: (id: string) => void;
}

interface SavedData {
  failures: number;
  successes: number;
  heartbeat: HeartbeatRuntime;
  pausedByApi: boolean;
  last?: LastResult;
}

/** An entry's state as saved in the store. */
function fromSaved(saved: StatusRow): Pick<Entry, 'counters' | 'since' | 'heartbeat' | 'pausedByApi' | 'last'> {
  const data = JSON.parse(saved.data) as SavedData;
  return {
    counters: { state: saved.state as CheckState, failures: data.failures, successes: data.successes },
    since: Date.parse(saved.since),
    heartbeat: data.heartbeat ?? newRuntime(),
    pausedByApi: data.pausedByApi,
    last: data.last,
  };
}

export class CheckMonitor {
  private entries = new Map<string, Entry>();
  private readonly scheduler: Scheduler;
  private readonly rng: () => number;
  /** Set by stop(): runs still in flight finish without writing anything. */
  private stopped = false;
  /**
   * Writes of scheduled results, awaited outside the run so a run frees its concurrency slot
   * as soon as the probe is done, not when the batch holding its event commits.
   */
  private writes = new Set<Promise<void>>();

  constructor(private readonly deps: MonitorDeps) {
    this.scheduler = new Scheduler(deps.clock, deps.concurrency, (err, job) => deps.log.error({ err, check: job.id }, 'check run failed'));
    this.rng = deps.rng ?? Math.random;
  }

  /** Starts watching a check (or applies its new definition), restoring saved state if given. */
  upsert(rec: CheckRecord, saved?: StatusRow): void {
    const existing = this.entries.get(rec.id);
    let entry: Entry;
    if (existing) {
      const kindChanged = existing.rec.kind !== rec.kind;
      entry = { ...existing, rec, heartbeat: kindChanged ? newRuntime() : existing.heartbeat };
      if (kindChanged) entry.counters = initialCounters();
    } else if (saved) {
      entry = { rec, ...fromSaved(saved), saving: Promise.resolve() };
    } else {
      entry = { rec, counters: initialCounters(), since: this.deps.clock.now(), heartbeat: newRuntime(), pausedByApi: false, saving: Promise.resolve() };
    }
    this.entries.set(rec.id, entry);
    this.scheduleEntry(entry, existing === undefined);
  }

  /**
   * Takes a status another node saved (a ping it received, a result it recorded): a heartbeat's
   * deadline moves with it. The node running the checks tells of the state change it finds,
   * so a check's alerts are raised and resolved by one node.
   */
  refresh(id: string, saved: StatusRow): void {
    const e = this.entries.get(id);
    if (!e) return;
    const previous = e.counters.state;
    Object.assign(e, fromSaved(saved));
    if (e.rec.definition.kind === 'heartbeat') this.scheduler.schedule(this.heartbeatJob(e), deadline(e.rec.definition, e.heartbeat));
    if (e.counters.state !== previous && this.deps.owns?.() === true) this.deps.onStateChange?.(e.rec, e.counters.state, previous, e.last?.error);
  }

  remove(id: string): void {
    this.entries.delete(id);
    this.scheduler.remove(id);
  }

  get(id: string): CheckRecord | undefined {
    return this.entries.get(id)?.rec;
  }

  records(): CheckRecord[] {
    return [...this.entries.values()].map((e) => e.rec);
  }

  byUuid(uuid: string): CheckRecord | undefined {
    for (const e of this.entries.values()) if (e.rec.definition.kind === 'heartbeat' && e.rec.definition.uuid === uuid) return e.rec;
    return undefined;
  }

  view(id: string): CheckView | undefined {
    const e = this.entries.get(id);
    if (!e) return undefined;
    const view: CheckView = {
      state: this.displayState(e),
      since: new Date(e.since).toISOString(),
      pausedByApi: e.pausedByApi,
      last: e.last && { ...e.last, at_iso: new Date(e.last.at).toISOString() },
    };
    if (e.rec.definition.kind === 'heartbeat') {
      const starts = Object.values(e.heartbeat.starts);
      const late = deadline(e.rec.definition, e.heartbeat);
      view.heartbeat = {
        lastPingAt: e.heartbeat.lastPingAt !== undefined ? new Date(e.heartbeat.lastPingAt).toISOString() : undefined,
        runningSince: starts.length ? new Date(Math.min(...starts)).toISOString() : undefined,
        lateAt: late !== undefined ? new Date(late).toISOString() : undefined,
      };
    }
    return view;
  }

  /** Runs a probing check now (outside its schedule) and records the result. */
  async runNow(id: string): Promise<CheckResult> {
    const e = this.entries.get(id);
    if (!e) throw new Error(`check ${id} is not loaded`);
    if (e.rec.definition.kind === 'heartbeat') throw new Error('heartbeats are not run: they wait for pings');
    const result = await probe(e.rec.definition);
    await this.record(e, result, 'manual', true);
    return result;
  }

  /**
   * Applies a heartbeat ping: writes the ping event and feeds a finishing ping to the state
   * machine. Resolves once its events are committed.
   */
  async ping(id: string, kind: PingKind, opts: { rid?: string; exitStatus?: number }, fields: Omit<PingFields, 'name' | 'kind' | 'uuid' | 'durationMs'>): Promise<void> {
    const e = this.entries.get(id);
    if (!e || e.rec.definition.kind !== 'heartbeat') throw new Error(`check ${id} is not a loaded heartbeat`);
    const def = e.rec.definition;
    const now = this.deps.clock.now();
    const { runtime, verdict } = applyPing(def, e.heartbeat, kind, now, opts);
    e.heartbeat = runtime;
    const written = this.write(e, PINGS_DATASET, true, [pingEvent(now, { ...fields, name: e.rec.name, kind, uuid: def.uuid ?? '', exitStatus: opts.exitStatus, rid: opts.rid, durationMs: verdict?.durationMs })]);
    const recorded = verdict ? this.record(e, { ok: verdict.ok, error: verdict.error, durationMs: verdict.durationMs ?? 0 }, 'ping', true) : this.save(e);
    this.scheduler.schedule(this.heartbeatJob(e), deadline(def, e.heartbeat));
    await Promise.all([written, recorded]);
  }

  async setPaused(id: string, paused: boolean): Promise<void> {
    const e = this.entries.get(id);
    if (!e) return;
    e.pausedByApi = paused;
    const previous = e.counters.state;
    e.counters = paused ? nextCounters(e.counters, true, this.thresholds(e), 'paused') : initialCounters();
    if (e.rec.definition.paused) e.counters = nextCounters(e.counters, true, this.thresholds(e), 'paused');
    await this.changed(e, previous, true, paused ? 'paused through the API' : 'resumed through the API');
  }

  /** Stops scheduling; resolves when runs in flight have ended (they write nothing more). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.scheduler.stop();
    await this.idle();
  }

  /** Resolves when no check is running and every scheduled result is written. */
  async idle(): Promise<void> {
    await this.scheduler.idle();
    await Promise.all(this.writes);
  }

  private track(write: Promise<void>): void {
    this.writes.add(write);
    void write.finally(() => this.writes.delete(write));
  }

  /** Resolves when every pending status write has finished. */
  async flush(): Promise<void> {
    await Promise.all([...this.entries.values()].map((e) => e.saving));
  }

  private isPaused(e: Entry): boolean {
    return e.pausedByApi || e.rec.definition.paused;
  }

  private displayState(e: Entry): CheckState {
    if (this.isPaused(e)) return 'paused';
    if (inMaintenance(e.rec.definition.maintenance, this.deps.clock.now())) return 'maintenance';
    // A hold that no longer applies shows as pending until the next result decides.
    return e.counters.state === 'paused' || e.counters.state === 'maintenance' ? 'pending' : e.counters.state;
  }

  private thresholds(e: Entry) {
    return { failuresBeforeDown: e.rec.definition.failures_before_down, successesBeforeUp: e.rec.definition.successes_before_up };
  }

  private scheduleEntry(e: Entry, fresh: boolean): void {
    const def = e.rec.definition;
    if (def.kind === 'heartbeat') {
      this.scheduler.schedule(this.heartbeatJob(e), deadline(def, e.heartbeat));
      return;
    }
    const interval = ms(def.interval);
    // Spread first runs over one interval so checks added together do not fire together.
    const first = this.deps.clock.now() + (fresh ? Math.floor(this.rng() * interval) : Math.floor(this.rng() * Math.min(interval, 1000)));
    const job: Job = {
      id: e.rec.id,
      run: async (lagMs) => {
        const live = this.entries.get(e.rec.id);
        if (!live || this.isPaused(live) || live.rec.definition.kind === 'heartbeat' || this.deps.owns?.() === false) return;
        this.deps.onLag?.(lagMs);
        const result = await probe(live.rec.definition);
        this.track(this.record(live, result, 'scheduled', false, lagMs));
      },
      nextDue: (dueAt, now) => nextTurn(dueAt, interval, now),
    };
    this.scheduler.schedule(job, first);
  }

  private heartbeatJob(e: Entry): Job {
    return {
      id: e.rec.id,
      run: async () => {
        const live = this.entries.get(e.rec.id);
        if (!live || live.rec.definition.kind !== 'heartbeat' || this.deps.owns?.() === false) return;
        const def: HeartbeatDefinition = live.rec.definition;
        const due = deadline(def, live.heartbeat);
        if (due === undefined || due > this.deps.clock.now()) return;
        const verdict = lateVerdict(def, live.heartbeat, due);
        live.heartbeat = { ...live.heartbeat, lateReported: due };
        this.track(this.record(live, { ok: false, error: verdict.error, durationMs: 0 }, 'deadline', false));
      },
      nextDue: () => {
        const live = this.entries.get(e.rec.id);
        return live && live.rec.definition.kind === 'heartbeat' ? deadline(live.rec.definition, live.heartbeat) : undefined;
      },
    };
  }

  /** Feeds one result to the state machine; resolves once its events are written. */
  private async record(e: Entry, result: CheckResult, trigger: string, urgent: boolean, lagMs?: number): Promise<void> {
    if (this.stopped) return;
    const now = this.deps.clock.now();
    const maintenance = inMaintenance(e.rec.definition.maintenance, now);
    const hold = this.isPaused(e) ? 'paused' : maintenance ? 'maintenance' : undefined;
    const previous = e.counters.state;
    e.counters = nextCounters(e.counters, result.ok, this.thresholds(e), hold);
    e.last = { at: now, ok: result.ok, durationMs: result.durationMs, error: result.error, httpStatus: result.httpStatus, certDaysLeft: result.certDaysLeft };
    const written = this.write(e, CHECKS_DATASET, urgent, [
      resultEvent(now, result, { name: e.rec.name, kind: e.rec.kind, target: targetOf(e.rec.definition), state: e.counters.state, maintenance, lagMs, trigger, node: this.deps.node }),
    ]);
    if (e.counters.state !== previous) await Promise.all([written, this.changed(e, previous, urgent, result.error)]);
    else await Promise.all([written, e.rec.kind === 'heartbeat' ? this.save(e) : undefined]);
  }

  private async changed(e: Entry, previous: CheckState, urgent: boolean, reason?: string): Promise<void> {
    if (e.counters.state === previous) return;
    const now = this.deps.clock.now();
    e.since = now;
    // A node not running the checks (it received a ping) leaves it to the one that does, told by refresh().
    if (this.deps.owns?.() !== false) this.deps.onStateChange?.(e.rec, e.counters.state, previous, reason);
    await Promise.all([this.write(e, STATES_DATASET, urgent, [stateEvent(now, e.rec.name, e.rec.kind, e.counters.state, previous, reason)]), this.save(e)]);
  }

  private save(e: Entry): Promise<void> {
    const data: SavedData = { failures: e.counters.failures, successes: e.counters.successes, heartbeat: e.heartbeat, pausedByApi: e.pausedByApi, last: e.last };
    const row = { state: e.counters.state, since: new Date(e.since).toISOString(), data: JSON.stringify(data) };
    e.saving = e.saving
      .then(async () => {
        if (!this.entries.get(e.rec.id)) return;
        await this.deps.store.saveStatus(e.rec.id, row);
        this.deps.onSaved?.(e.rec.id);
      })
      .catch((err) => this.deps.log.error({ err, check: e.rec.name }, 'could not save check status'));
    return e.saving;
  }

  private write(e: Entry, dataset: string, urgent: boolean, events: Parameters<EventSink>[2]): Promise<void> {
    return this.deps.sink(e.rec.env, dataset, events, urgent).catch((err) => this.deps.log.error({ err, check: e.rec.name, dataset }, 'could not write check events'));
  }
}
