// Durable delivery. A notification is a row in the metadata store before its first attempt;
// a worker leases due rows (so one node sends each), sends, and records the outcome: sent,
// failed for good, or retried later with exponential backoff and jitter until it is older
// than the give-up age. A restart finds the rows still pending and sends them, with the same
// Idempotency-Key (the row id) as every earlier attempt. Receivers are sent to concurrently,
// each with its own small limit, so a slow receiver holds back only itself.
import crypto from 'node:crypto';
import type { AlertsSettings } from '../../config.js';
import type { Environment, MetaStore, Row } from '../../store/index.js';
import type { AlertingConfig, ReceiverKind } from '../config.js';
import { event, NOTIFICATIONS_DATASET, type EventWriter } from '../events.js';
import { DeliveryError, integrationsOf, send, sendsResolved, type Integration } from '../receivers/index.js';
import type { Notification } from '../routing/notification.js';

const SCHEMA = [
  `CREATE TABLE alert_deliveries (id TEXT PRIMARY KEY, env_id TEXT NOT NULL, receiver TEXT NOT NULL, kind TEXT NOT NULL, idx INTEGER NOT NULL, group_key TEXT NOT NULL, fingerprints TEXT NOT NULL, payload TEXT NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT NULL, created_at BIGINT NOT NULL, next_at BIGINT NOT NULL, lease_owner TEXT, lease_until BIGINT NOT NULL, last_error TEXT, last_status INTEGER, done_at BIGINT)`,
];

/** Backoff, give-up age, timeouts and per-receiver concurrency (src/config.ts, AlertsSettings). */
export type DeliverySettings = AlertsSettings['delivery'];

export interface DeliveryRecord {
  id: string;
  receiver: string;
  kind: string;
  groupKey: string;
  state: string;
  attempts: number;
  createdAt: string;
  doneAt?: string;
  lastError?: string;
  lastStatus?: number;
}

const toRecord = (r: Row): DeliveryRecord => ({
  id: String(r.id), receiver: String(r.receiver), kind: String(r.kind), groupKey: String(r.group_key), state: String(r.state), attempts: Number(r.attempts),
  createdAt: new Date(Number(r.created_at)).toISOString(), doneAt: r.done_at == null ? undefined : new Date(Number(r.done_at)).toISOString(),
  lastError: r.last_error == null ? undefined : String(r.last_error), lastStatus: r.last_status == null ? undefined : Number(r.last_status),
});

export function backoffMs(attempt: number, s: Pick<DeliverySettings, 'baseDelayMs' | 'maxDelayMs'>, rng = Math.random): number {
  const plain = Math.min(s.maxDelayMs, s.baseDelayMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(plain * (0.8 + 0.4 * rng()));
}

export class DeliveryQueue {
  private timer: NodeJS.Timeout | undefined;
  private inFlight = new Map<string, number>();
  private attempts = new Set<Promise<void>>();
  private polling = false;
  private again = false;
  private stopped = true;

  private constructor(
    private readonly meta: MetaStore,
    private readonly owner: string,
    private config: AlertingConfig,
    private readonly settings: DeliverySettings,
    private readonly write: EventWriter,
    private readonly envOf: (id: string) => Promise<Environment | undefined>,
    private readonly log: { error(obj: object, msg: string): void },
  ) {}

  static async open(
    meta: MetaStore, owner: string, config: AlertingConfig, settings: DeliverySettings, write: EventWriter,
    envOf: (id: string) => Promise<Environment | undefined>, log: { error(obj: object, msg: string): void },
  ): Promise<DeliveryQueue> {
    await meta.migrate('alerts.deliveries.v1', SCHEMA);
    // This node just started: nothing of its own is in flight, whatever its old leases say.
    await meta.query(`UPDATE alert_deliveries SET lease_until = 0 WHERE lease_owner = $1 AND state = 'pending'`, [owner]);
    return new DeliveryQueue(meta, owner, config, settings, write, envOf, log);
  }

  setConfig(c: AlertingConfig): void {
    this.config = c;
  }

  /**
   * Queues a notification for every integration of its receiver; resolves once stored. A row
   * whose receiver has room is leased to this node as it is written and sent at once, without
   * waiting for the next poll.
   */
  async enqueue(env: Environment, n: Notification, kinds?: ReceiverKind[]): Promise<void> {
    const r = this.config.receivers.find((x) => x.name === n.receiver);
    if (!r) return;
    const now = Date.now();
    const rows: Row[] = integrationsOf(r)
      .filter((i) => !kinds || kinds.includes(i.kind))
      .map((i) => ({ i, payload: { ...n, alerts: sendsResolved(r, i) ? n.alerts : n.alerts.filter((a) => a.status === 'firing') } }))
      .filter(({ payload }) => payload.alerts.length > 0)
      .map(({ i, payload }) => {
        const mine = !this.stopped && this.room(i.receiver);
        if (mine) this.inFlight.set(i.receiver, (this.inFlight.get(i.receiver) ?? 0) + 1);
        return {
          id: crypto.randomUUID(), env_id: env.id, receiver: i.receiver, kind: i.kind, idx: i.index, group_key: n.groupKey,
          fingerprints: payload.alerts.map((a) => a.fingerprint).join(','), payload: JSON.stringify(payload), attempts: 0, created_at: now,
          lease_owner: mine ? this.owner : null, lease_until: mine ? now + this.leaseMs() : 0,
        };
      });
    if (!rows.length) return;
    try {
      await this.meta.transaction(
        rows.map((row) => ({
          sql: `INSERT INTO alert_deliveries (id, env_id, receiver, kind, idx, group_key, fingerprints, payload, state, attempts, created_at, next_at, lease_owner, lease_until) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'pending', 0, $9, $9, $10, $11)`,
          params: [row.id, row.env_id, row.receiver, row.kind, row.idx, row.group_key, row.fingerprints, row.payload, row.created_at, row.lease_owner, row.lease_until],
        })),
      );
    } catch (err) {
      for (const row of rows) if (row.lease_owner) this.inFlight.set(String(row.receiver), (this.inFlight.get(String(row.receiver)) ?? 1) - 1);
      throw err;
    }
    for (const row of rows) if (row.lease_owner) this.begin(row);
    if (rows.some((row) => !row.lease_owner)) this.wake();
  }

  /** The notifications that carried an alert, newest first. */
  async historyOf(envId: string, fingerprint: string, limit = 50): Promise<DeliveryRecord[]> {
    const rows = await this.meta.query(`SELECT * FROM alert_deliveries WHERE env_id = $1 AND fingerprints LIKE $2 ORDER BY created_at DESC LIMIT ${Math.floor(limit)}`, [envId, `%${fingerprint}%`]);
    return rows.map(toRecord);
  }

  /** Forgets notifications that ended (sent or failed) before `ms`. */
  async prune(ms: number): Promise<void> {
    await this.meta.query(`DELETE FROM alert_deliveries WHERE state <> 'pending' AND done_at < $1`, [ms]);
  }

  start(): void {
    this.stopped = false;
    this.wake();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await Promise.all(this.attempts);
  }

  /** Looks for due notifications now (after an enqueue), else at the next poll. */
  wake(): void {
    if (this.stopped) return;
    if (this.polling) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    this.polling = true;
    this.poll()
      .catch((err) => this.log.error({ err }, 'delivery poll failed'))
      .finally(() => {
        this.polling = false;
        if (this.stopped) return;
        if (this.again) {
          this.again = false;
          this.wake();
          return;
        }
        this.timer = setTimeout(() => this.wake(), this.settings.pollMs);
        this.timer.unref();
      });
  }

  private room(receiver: string): boolean {
    return (this.inFlight.get(receiver) ?? 0) < this.settings.perReceiver;
  }

  /**
   * How long a node owns a delivery it is sending: an attempt ends within its timeout, so a few
   * seconds more is enough, and a node that dies mid-send hands the row on within 15 s.
   */
  private leaseMs(): number {
    return this.settings.attemptTimeoutMs + 5_000;
  }

  private async poll(): Promise<void> {
    const now = Date.now();
    const due = await this.meta.query(`SELECT * FROM alert_deliveries WHERE state = 'pending' AND next_at <= $1 AND lease_until <= $1 ORDER BY next_at LIMIT 200`, [now]);
    for (const row of due) {
      const receiver = String(row.receiver);
      if (!this.room(receiver)) continue;
      const leaseUntil = now + this.leaseMs();
      const got = await this.meta.query(
        `UPDATE alert_deliveries SET lease_owner = $1, lease_until = $2 WHERE id = $3 AND state = 'pending' AND lease_until <= $4 RETURNING id`,
        [this.owner, leaseUntil, row.id, now],
      );
      if (got.length !== 1) continue; // another node took it
      this.inFlight.set(receiver, (this.inFlight.get(receiver) ?? 0) + 1);
      this.begin(row);
    }
  }

  /** Sends a row this node has leased (and counted in flight). */
  private begin(row: Row): void {
    const receiver = String(row.receiver);
    const attempt = this.attempt(row).finally(() => {
      this.inFlight.set(receiver, (this.inFlight.get(receiver) ?? 1) - 1);
      this.attempts.delete(attempt);
      this.wake();
    });
    this.attempts.add(attempt);
  }

  private async attempt(row: Row): Promise<void> {
    const n = JSON.parse(String(row.payload)) as Notification;
    const i: Integration = { receiver: String(row.receiver), kind: row.kind as Integration['kind'], index: Number(row.idx) };
    const attempt = Number(row.attempts) + 1;
    const started = performance.now();
    let status: 'sent' | 'failed' | 'retrying';
    let httpStatus: number | undefined;
    let error: string | undefined;
    try {
      httpStatus = (await send(this.config, i, n, { idempotencyKey: String(row.id), timeoutMs: this.settings.attemptTimeoutMs })).httpStatus;
      status = 'sent';
    } catch (err) {
      const de = err instanceof DeliveryError ? err : new DeliveryError((err as Error).message, false);
      httpStatus = de.httpStatus;
      error = de.message;
      const tooOld = Date.now() - Number(row.created_at) >= this.settings.giveUpAfterMs;
      status = de.permanent || tooOld ? 'failed' : 'retrying';
    }
    const durationMs = performance.now() - started;
    const now = Date.now();
    await this.meta.query(
      `UPDATE alert_deliveries SET state = $1, attempts = $2, next_at = $3, lease_until = 0, last_error = $4, last_status = $5, done_at = $6 WHERE id = $7`,
      [status === 'retrying' ? 'pending' : status, attempt, status === 'retrying' ? now + backoffMs(attempt, this.settings) : now, error ?? null, httpStatus ?? null, status === 'retrying' ? null : now, row.id],
    );
    const env = await this.envOf(String(row.env_id));
    if (!env) return;
    const events = n.alerts.map((a) =>
      event(now, {
        receiver: i.receiver, 'receiver.kind': i.kind, 'alert.fingerprint': a.fingerprint, 'alert.name': a.labels.alertname, 'alert.status': a.status,
        'group.key': n.groupKey, 'notification.id': String(row.id), status, attempt, 'http.status_code': httpStatus, duration_ms: durationMs, error,
      }),
    );
    await this.write(env, NOTIFICATIONS_DATASET, events).catch((err) => this.log.error({ err }, 'could not write notification events'));
  }
}
