// The alerts of every environment: sources report what they see, the service decides what
// changed (fired, resolved, refreshed), writes the change to the metadata store and to
// tend.alerts, and tells its listeners (the dispatcher that routes and notifies).
import type { Environment, StoredEvent } from '../store/index.js';
import type { AlertStore } from './alert-store.js';
import { alertEvent, ALERTS_DATASET, type EventWriter } from './events.js';
import { fingerprint } from './labels.js';
import { matchesAll, type Matcher } from './matchers.js';
import type { Alert, AlertReport, AlertSource, AlertState } from './model.js';

const SAVE_DELAY_MS = 200;
const SAVE_BATCH = 5000;

export type AlertChange = 'fired' | 'resolved' | 'refreshed' | 'acknowledged' | 'unacknowledged';

/** `renotify`: an on_true trigger asks for a notification at every evaluation while it holds. */
export type AlertListener = (env: Environment, alert: Alert, change: AlertChange, renotify: boolean) => void;

export interface AlertFilter {
  state?: AlertState;
  source?: AlertSource;
  matchers?: Matcher[];
}

export interface ReportOptions {
  /** Pushed alerts without endsAt resolve when not refreshed within this (ms). */
  resolveTimeoutMs?: number;
  renotify?: boolean;
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  let n = 0;
  for (const k in a) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  return n === Object.keys(b).length;
}

const keyOf = (a: Alert) => `${a.envId}\u0000${a.fingerprint}`;

export class AlertService {
  private readonly byEnv = new Map<string, Map<string, Alert>>();
  private readonly listeners: AlertListener[] = [];
  /**
   * Alert rows not yet saved. What a 2xx promises: a state change (fired, resolved, an ack) is
   * answered once its row and its tend.alerts event are stored, so a crash loses no change
   * anyone was told of. A refresh that only moves an alert's times (what Prometheus sends every
   * resend interval) is answered at once and saved within SAVE_DELAY_MS: a crash in between
   * leaves the alert firing with its previous expiry, which the next resend moves again. Saves
   * run one at a time, each taking every row changed until it starts (group commit): a commit
   * per push held Prometheus' pushes to ~100 alerts/s (bench:alerts, part c).
   */
  private dirty = new Map<string, Alert>();
  /**
   * tend.alerts events of state changes, written by the next save beside its rows: requests
   * answered by the same save share one events commit too, instead of each joining whichever
   * commit of the ingest pipeline is next (half as many commits; bench:alerts, part c).
   */
  private history = new Map<string, { env: Environment; events: StoredEvent[] }>();
  /** Keys of alerts this node made that were never saved: their rows are inserted, not upserted. */
  private readonly unsaved = new Set<string>();
  private saveTimer: NodeJS.Timeout | undefined;
  private saving: Promise<void> = Promise.resolve();
  /** The save queued behind the running one, not yet holding its rows: later callers join it. */
  private nextSave: Promise<void> | undefined;
  /** Told of the alerts (`[envId, fingerprint]`) each save stored, so the other nodes read them. */
  onSaved?: (keys: [string, string][]) => void;

  constructor(
    private readonly store: AlertStore,
    private readonly write: EventWriter,
    private readonly log: { error(obj: object, msg: string): void },
    private readonly now: () => number = Date.now,
  ) {}

  async load(): Promise<void> {
    for (const a of await this.store.all()) this.envMap(a.envId).set(a.fingerprint, a);
  }

  /**
   * Takes these stored alerts as they are (another node raised them, and this one now
   * evaluates their source): later reports then compare with what that node told receivers.
   */
  adopt(alerts: Alert[]): Alert[] {
    const taken = alerts.filter((a) => !this.dirty.has(keyOf(a)));
    for (const a of taken) this.envMap(a.envId).set(a.fingerprint, a);
    return taken;
  }

  onChange(listener: AlertListener): void {
    this.listeners.push(listener);
  }

  private envMap(envId: string): Map<string, Alert> {
    let m = this.byEnv.get(envId);
    if (!m) this.byEnv.set(envId, (m = new Map()));
    return m;
  }

  list(envId: string, filter: AlertFilter = {}): Alert[] {
    const out: Alert[] = [];
    for (const a of this.byEnv.get(envId)?.values() ?? []) {
      if (filter.state && a.state !== filter.state) continue;
      if (filter.source && a.source !== filter.source) continue;
      if (filter.matchers && !matchesAll(filter.matchers, a.labels)) continue;
      out.push(a);
    }
    return out.sort((x, y) => y.startsAt - x.startsAt || (x.fingerprint < y.fingerprint ? -1 : 1));
  }

  get(envId: string, fp: string): Alert | undefined {
    return this.byEnv.get(envId)?.get(fp);
  }

  /** Applies what a source reports; resolves once the changes are stored and written as events. */
  async report(env: Environment, source: AlertSource, reports: AlertReport[], opts: ReportOptions = {}): Promise<Alert[]> {
    const now = this.now();
    const changed: { alert: Alert; change: AlertChange }[] = [];
    const touched: Alert[] = [];
    const map = this.envMap(env.id);
    for (const r of reports) {
      const fp = fingerprint(r.labels);
      const old = map.get(fp);
      const resolved = r.endsAt !== undefined && r.endsAt <= now;
      const state: AlertState = resolved ? 'resolved' : 'firing';
      const restart = !old || (old.state === 'resolved' && !resolved);
      const alert: Alert = {
        envId: env.id,
        fingerprint: fp,
        // The objects already held when nothing in them changed: a refresh then allocates less,
        // and the store reuses their JSON (alert-store.ts).
        labels: old?.labels ?? r.labels,
        annotations: old && (r.annotations === undefined || sameRecord(r.annotations, old.annotations)) ? old.annotations : (r.annotations ?? {}),
        state,
        source,
        startsAt: restart ? (r.startsAt ?? now) : (old?.startsAt ?? now),
        endsAt: resolved ? r.endsAt : undefined,
        updatedAt: now,
        generatorUrl: r.generatorUrl ?? old?.generatorUrl,
        expiresAt: !resolved && opts.resolveTimeoutMs !== undefined ? (r.endsAt ?? now + opts.resolveTimeoutMs) : undefined,
        value: r.value === undefined ? old?.value : r.value,
        // A new episode starts unacknowledged.
        ackedBy: restart ? undefined : old?.ackedBy,
        ackedAt: restart ? undefined : old?.ackedAt,
      };
      if (resolved && (!old || old.state === 'resolved')) continue; // nothing was firing
      if (!old) this.unsaved.add(keyOf(alert));
      map.set(fp, alert);
      touched.push(alert);
      if (!old || old.state !== alert.state) changed.push({ alert, change: state === 'firing' ? 'fired' : 'resolved' });
      else if (opts.renotify) changed.push({ alert, change: 'refreshed' });
    }
    // Listeners first: routing works on the alerts in memory, and a notification need not wait
    // for the history's commit (the answer to the source still does).
    for (const c of changed) this.emit(env, c.alert, c.change, opts.renotify ?? false);
    await this.persist(env, touched, changed.filter((c) => c.change !== 'refreshed'), now);
    return touched;
  }

  /** Resolves these alerts when they are firing (a trigger group that went away, a check back up). */
  async resolve(env: Environment, fps: string[]): Promise<void> {
    const firing = fps.map((fp) => this.get(env.id, fp)).filter((a): a is Alert => a?.state === 'firing');
    await this.reportBySource(env, firing, () => this.now());
  }

  private async reportBySource(env: Environment, alerts: Alert[], endsAt: (a: Alert) => number): Promise<void> {
    const bySource = new Map<AlertSource, AlertReport[]>();
    for (const a of alerts) bySource.set(a.source, [...(bySource.get(a.source) ?? []), { labels: a.labels, endsAt: endsAt(a) }]);
    for (const [src, rs] of bySource) await this.report(env, src, rs);
  }

  async acknowledge(env: Environment, fp: string, by: string | undefined): Promise<Alert | undefined> {
    const a = this.get(env.id, fp);
    if (!a) return undefined;
    const now = this.now();
    const next: Alert = { ...a, ackedBy: by, ackedAt: by === undefined ? undefined : now, updatedAt: now };
    this.envMap(env.id).set(fp, next);
    const change = by === undefined ? 'unacknowledged' : 'acknowledged';
    await this.persist(env, [next], [{ alert: next, change }], now);
    this.emit(env, next, change, false);
    return next;
  }

  /**
   * Resolves pushed alerts whose refresh is overdue (`resolveOverdue`: on the one node that does,
   * so an alert every node holds resolves, and is notified, once); forgets resolved alerts older
   * than `keepMs`.
   */
  async sweep(environments: Environment[], keepMs: number, resolveOverdue = true): Promise<void> {
    const now = this.now();
    for (const env of environments) {
      const overdue = [...(this.byEnv.get(env.id)?.values() ?? [])].filter((a) => a.state === 'firing' && a.expiresAt !== undefined && a.expiresAt <= now);
      if (resolveOverdue) await this.reportBySource(env, overdue, (a) => a.expiresAt!);
      const map = this.byEnv.get(env.id);
      for (const [fp, a] of map ?? []) if (a.state === 'resolved' && a.updatedAt < now - keepMs) map!.delete(fp);
    }
    await this.store.deleteResolvedBefore(now - keepMs);
  }

  private async persist(env: Environment, alerts: Alert[], changes: { alert: Alert; change: AlertChange }[], now: number): Promise<void> {
    for (const a of alerts) this.dirty.set(keyOf(a), a);
    if (!changes.length) {
      if (this.dirty.size >= SAVE_BATCH) void this.flush();
      else if (this.dirty.size) this.saveTimer ??= setTimeout(() => void this.flush(), SAVE_DELAY_MS).unref();
      return;
    }
    const pending = this.history.get(env.id);
    const events = pending?.events ?? [];
    for (const c of changes) events.push(alertEvent(now, c.alert, c.change));
    if (!pending) this.history.set(env.id, { env, events });
    await this.save();
  }

  /** Saves every row changed before the call; resolves once they are stored (a failure is logged). */
  flush(): Promise<void> {
    return this.save().catch(() => undefined);
  }

  /**
   * Like flush(), but rejects when the save failed. The failed rows stay queued (unless changed
   * again since) and are tried again after SAVE_DELAY_MS. The events of state changes go with
   * the rows; a failure to store them is logged and does not fail the save (as when they had
   * a commit of their own).
   */
  private save(): Promise<void> {
    if (!this.dirty.size && !this.history.size) return this.saving;
    clearTimeout(this.saveTimer);
    this.saveTimer = undefined;
    if (this.nextSave) return this.nextSave;
    // After the running save, and after the current turn of the event loop, so pushes read
    // in the same turn share the save.
    const save = this.saving.then(() => new Promise((resolve) => setImmediate(resolve))).then(async () => {
      this.nextSave = undefined;
      const batch = this.dirty;
      const history = this.history;
      this.dirty = new Map();
      this.history = new Map();
      const events = [...history.values()].map((h) => this.write(h.env, ALERTS_DATASET, h.events).catch((err) => this.log.error({ err }, 'could not write alert events')));
      try {
        await Promise.all([this.store.save([...batch.values()], (a) => this.unsaved.has(keyOf(a))), ...events]);
        for (const key of batch.keys()) this.unsaved.delete(key);
        this.onSaved?.([...batch.values()].map((a) => [a.envId, a.fingerprint]));
      } catch (err) {
        for (const [key, a] of batch) if (!this.dirty.has(key)) this.dirty.set(key, a);
        this.saveTimer ??= setTimeout(() => void this.flush(), SAVE_DELAY_MS).unref();
        this.log.error({ err }, 'could not save alerts');
        throw err;
      }
    });
    this.nextSave = save;
    this.saving = save.catch(() => undefined);
    return save;
  }

  private emit(env: Environment, alert: Alert, change: AlertChange, renotify: boolean): void {
    for (const l of this.listeners) {
      try {
        l(env, alert, change, renotify);
      } catch (err) {
        this.log.error({ err, fingerprint: alert.fingerprint }, 'alert listener failed');
      }
    }
  }
}
