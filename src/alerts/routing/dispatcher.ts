// Routes alerts and groups them, as Alertmanager's dispatcher does: every route an alert
// matches puts it in the group of its group_by labels; a new group waits group_wait, then
// notifies; later changes go out at most every group_interval, and an unchanged firing group
// again after repeat_interval. Silenced and inhibited alerts are recorded but left out; a
// muted route sends nothing. Each notification is handed to the durable delivery queue.
import type { Environment } from '../../store/index.js';
import type { AlertService } from '../alert-service.js';
import { formatLabels, type Labels } from '../labels.js';
import type { Alert } from '../model.js';
import type { Silences } from '../silences/silence-store.js';
import type { CompiledRule } from './inhibit.js';
import { inhibitedBy } from './inhibit.js';
import { buildNotification, type Notification } from './notification.js';
import { groupLabels, matchRoutes, type Route } from './route-tree.js';
import { anyHolds } from './time-intervals.js';
import type { ReceiverKind, TimeInterval } from '../config.js';

export interface Routing {
  route: Route;
  inhibit: CompiledRule[];
  intervals: Map<string, TimeInterval[]>;
  externalUrl: string;
}

interface Group {
  key: string;
  env: Environment;
  route: Route;
  labels: Labels;
  fps: Set<string>;
  /** What the receiver was last told about each alert. */
  notified: Map<string, 'firing' | 'resolved'>;
  lastNotifyAt: number;
  flushedOnce: boolean;
  lastFlushAt: number;
  force: boolean;
  timer?: NodeJS.Timeout;
}

/** Queues a notification for its receiver's integrations (only those of `kinds` when given). */
export type Enqueue = (env: Environment, n: Notification, kinds?: ReceiverKind[]) => Promise<void>;

export class Dispatcher {
  private groups = new Map<string, Group>();
  private stopped = false;

  constructor(
    private routing: Routing,
    private readonly alerts: AlertService,
    private readonly silences: Silences,
    private readonly enqueue: Enqueue,
    private readonly log: { error(obj: object, msg: string): void },
  ) {}

  setRouting(r: Routing): void {
    this.routing = r;
  }

  /** The routes that take an alert (what `amtool config routes test` prints, receiver by receiver). */
  routesFor(labels: Labels): Route[] {
    return matchRoutes(this.routing.route, labels);
  }

  /** Silences and inhibiting alerts muting an alert now. */
  mutedBy(a: Alert): { silencedBy: string[]; inhibitedBy: string[] } {
    const firing = this.alerts.list(a.envId, { state: 'firing' });
    return { silencedBy: this.silences.silencing(a.envId, a.labels), inhibitedBy: inhibitedBy(this.routing.inhibit, a, firing) };
  }

  /** Groups holding alerts now, for /api/v2/alerts/groups. */
  groupsOf(envId: string): { labels: Labels; receiver: string; alerts: Alert[] }[] {
    return [...this.groups.values()]
      .filter((g) => g.env.id === envId)
      .map((g) => ({ labels: g.labels, receiver: g.route.receiver, alerts: [...g.fps].map((fp) => this.alerts.get(envId, fp)).filter((a): a is Alert => a !== undefined) }));
  }

  /** An alert changed: it joins the group of every route that takes it. */
  add(env: Environment, alert: Alert, renotify: boolean): void {
    if (this.stopped) return;
    const now = Date.now();
    for (const route of this.routesFor(alert.labels)) {
      const labels = groupLabels(route, alert.labels);
      const key = `${env.id}:${route.id}:${formatLabels(labels)}`;
      let g = this.groups.get(key);
      if (!g) {
        if (alert.state === 'resolved') continue; // never notified as firing by this group
        g = { key, env, route, labels, fps: new Set(), notified: new Map(), lastNotifyAt: 0, flushedOnce: false, lastFlushAt: 0, force: false };
        this.groups.set(key, g);
      }
      g.fps.add(alert.fingerprint);
      if (renotify) g.force = true;
      this.schedule(g, g.flushedOnce ? Math.max(now, g.lastFlushAt + route.groupIntervalMs) : now + route.groupWaitMs);
    }
  }

  /**
   * After a start: firing alerts rejoin their groups as already told (their notifications were
   * queued durably before the stop), so their resolution is told and repeats keep their pace,
   * without telling every receiver again that they fire.
   */
  restore(env: Environment, alerts: Alert[]): void {
    const now = Date.now();
    for (const alert of alerts) {
      if (alert.state !== 'firing') continue;
      for (const route of this.routesFor(alert.labels)) {
        const labels = groupLabels(route, alert.labels);
        const key = `${env.id}:${route.id}:${formatLabels(labels)}`;
        let g = this.groups.get(key);
        if (!g) {
          g = { key, env, route, labels, fps: new Set(), notified: new Map(), lastNotifyAt: now, flushedOnce: true, lastFlushAt: now, force: false };
          this.groups.set(key, g);
        }
        g.fps.add(alert.fingerprint);
        g.notified.set(alert.fingerprint, 'firing');
        this.schedule(g, now + route.groupIntervalMs);
      }
    }
  }

  /**
   * Another node saw these alerts resolve, and tells it (its groups held them as told): this
   * node's groups forget them, so the resolution is not told twice.
   */
  forget(env: Environment, fps: Set<string>): void {
    for (const g of this.groups.values()) {
      if (g.env.id !== env.id) continue;
      for (const fp of fps) {
        g.fps.delete(fp);
        g.notified.delete(fp);
      }
    }
  }

  /**
   * Someone acknowledged a firing alert: integrations that track acknowledgement (PagerDuty)
   * are told at once, outside grouping; the others learn nothing new.
   */
  async acknowledged(env: Environment, alert: Alert): Promise<void> {
    if (alert.state !== 'firing' || !alert.ackedBy) return;
    for (const route of this.routesFor(alert.labels)) {
      const labels = groupLabels(route, alert.labels);
      await this.enqueue(env, buildNotification(route.receiver, `${env.id}:${route.id}:${formatLabels(labels)}`, labels, [alert], this.routing.externalUrl), ['pagerduty']);
    }
  }

  /** Silences changed: look at every group again now (an expired silence lets alerts through). */
  poke(): void {
    for (const g of this.groups.values()) if (g.flushedOnce) this.schedule(g, Date.now(), true);
  }

  stop(): void {
    this.stopped = true;
    for (const g of this.groups.values()) clearTimeout(g.timer);
  }

  private schedule(g: Group, at: number, sooner = false): void {
    if (g.timer && !sooner) return;
    clearTimeout(g.timer);
    g.timer = setTimeout(() => {
      g.timer = undefined;
      this.flush(g).catch((err) => this.log.error({ err, group: g.key }, 'notification failed'));
    }, Math.max(0, at - Date.now()));
    g.timer.unref();
  }

  private async flush(g: Group): Promise<void> {
    if (this.stopped) return;
    const now = Date.now();
    const { route, env } = g;
    const alerts = [...g.fps].map((fp) => this.alerts.get(env.id, fp)).filter((a): a is Alert => a !== undefined);
    const firingAll = this.alerts.list(env.id, { state: 'firing' });
    const active = (a: Alert) => !this.silences.silencing(env.id, a.labels, now).length && !inhibitedBy(this.routing.inhibit, a, firingAll).length;
    const firing = alerts.filter((a) => a.state === 'firing' && active(a));
    // send_resolved: a resolved alert is told once, to the receivers that were told it fired.
    const resolved = alerts.filter((a) => a.state === 'resolved' && g.notified.get(a.fingerprint) === 'firing');
    const changed = firing.some((a) => g.notified.get(a.fingerprint) !== 'firing') || resolved.length > 0 || g.force;
    const repeat = firing.length > 0 && now - g.lastNotifyAt >= route.repeatIntervalMs;
    const muted =
      anyHolds(this.routing.intervals, route.muteTimeIntervals, now) || (route.activeTimeIntervals.length > 0 && !anyHolds(this.routing.intervals, route.activeTimeIntervals, now));
    g.flushedOnce = true;
    g.lastFlushAt = now;
    g.force = false;
    if ((changed || repeat) && (firing.length || resolved.length) && !muted) {
      await this.enqueue(env, buildNotification(route.receiver, g.key, g.labels, [...firing, ...resolved], this.routing.externalUrl));
      g.lastNotifyAt = now;
      for (const a of firing) g.notified.set(a.fingerprint, 'firing');
    }
    for (const a of alerts) {
      if (a.state !== 'resolved') continue;
      // Told, or never told: either way the group is done with it (unless muted, to tell later).
      if (!muted || g.notified.get(a.fingerprint) !== 'firing') {
        g.fps.delete(a.fingerprint);
        g.notified.delete(a.fingerprint);
      }
    }
    if (g.fps.size === 0) {
      this.groups.delete(g.key);
      return;
    }
    // Firing alerts keep the group ticking: repeats, silences expiring, new members.
    this.schedule(g, now + route.groupIntervalMs);
  }
}
