// Escalation: an incident pages through its service's policy, step by step, until someone
// acknowledges it. Each step still to run is a row in the metadata store with the time it is
// due; a node takes a due row under a lease (so one node runs it, and a restart finds it),
// sends the step's notifications through the alerts capability's durable delivery queue,
// and in one transaction marks the row done and adds the next step's row. Acknowledging or
// resolving cancels the rows still pending.
import crypto from 'node:crypto';
import { LEASE_TTL_MS, type Environment, type MetaStore, type Row } from '../../store/index.js';
import { parseDuration } from '../../alerts/index.js';
import type { Policy, Target } from '../config.js';

const SCHEMA = [
  `CREATE TABLE escalation_steps (id TEXT PRIMARY KEY, env_id TEXT NOT NULL, incident_id TEXT NOT NULL, round_no INTEGER NOT NULL, step_no INTEGER NOT NULL,
     due_at BIGINT NOT NULL, state TEXT NOT NULL, lease_owner TEXT, lease_until BIGINT NOT NULL, done_at BIGINT)`,
];

/** What running one step needs from the rest of ownership. */
export interface StepRunner {
  /** The policy of the incident's service, or undefined when the incident no longer pages (acknowledged, gone). */
  policyFor(envId: string, incidentId: string): Promise<Policy | undefined>;
  /** Notifies a step's target; resolves with a line for the timeline. */
  notify(envId: string, incidentId: string, target: Target, round: number, step: number): Promise<string>;
  /** Adds an escalation entry to the incident's timeline. */
  record(envId: string, incidentId: string, text: string): Promise<void>;
}

export class Escalator {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private running: Promise<void> | undefined;

  private constructor(
    private readonly meta: MetaStore,
    private readonly owner: string,
    private readonly runner: StepRunner,
    private readonly log: { error(obj: object, msg: string): void },
    private readonly now: () => number,
  ) {}

  static async open(meta: MetaStore, owner: string, runner: StepRunner, log: { error(obj: object, msg: string): void }, now: () => number = Date.now): Promise<Escalator> {
    await meta.migrate('ownership.escalation.v1', SCHEMA);
    // This node just started: nothing of its own is running, whatever its old leases say.
    await meta.query(`UPDATE escalation_steps SET lease_until = 0 WHERE lease_owner = $1 AND state = 'pending'`, [owner]);
    return new Escalator(meta, owner, runner, log, now);
  }

  private insert(envId: string, incidentId: string, round: number, step: number, dueAt: number) {
    return {
      sql: `INSERT INTO escalation_steps (id, env_id, incident_id, round_no, step_no, due_at, state, lease_until) VALUES ($1, $2, $3, $4, $5, $6, 'pending', 0)`,
      params: [crypto.randomUUID(), envId, incidentId, round, step, dueAt],
    };
  }

  /** Starts paging: the first step is due now. */
  async begin(env: Environment, incidentId: string): Promise<void> {
    const s = this.insert(env.id, incidentId, 0, 0, this.now());
    await this.meta.query(s.sql, s.params);
  }

  /** Stops paging (acknowledged, mitigated or resolved). */
  async cancel(envId: string, incidentId: string): Promise<number> {
    const rows = await this.meta.query(`UPDATE escalation_steps SET state = 'cancelled', done_at = $3 WHERE env_id = $1 AND incident_id = $2 AND state = 'pending' RETURNING id`, [envId, incidentId, this.now()]);
    return rows.length;
  }

  /** The steps still to run for an incident (for its page). */
  async pending(envId: string, incidentId: string): Promise<{ round: number; step: number; dueAt: number }[]> {
    const rows = await this.meta.query(`SELECT round_no, step_no, due_at FROM escalation_steps WHERE env_id = $1 AND incident_id = $2 AND state = 'pending' ORDER BY due_at`, [envId, incidentId]);
    return rows.map((r) => ({ round: Number(r.round_no), step: Number(r.step_no), dueAt: Number(r.due_at) }));
  }

  /** Runs every due step once; tests call it after moving their clock. */
  tick(): Promise<void> {
    this.running ??= this.runDue().finally(() => (this.running = undefined));
    return this.running;
  }

  private async runDue(): Promise<void> {
    const now = this.now();
    const due = await this.meta.query(`SELECT * FROM escalation_steps WHERE state = 'pending' AND due_at <= $1 AND lease_until <= $1 ORDER BY due_at LIMIT 100`, [now]);
    for (const row of due) {
      const got = await this.meta.query(
        `UPDATE escalation_steps SET lease_owner = $1, lease_until = $2 WHERE id = $3 AND state = 'pending' AND lease_until <= $4 RETURNING id`,
        // A step only queues notifications and records a line: done well within the shared lease
        // time, after which a dead node's step moves to another (docs/scale-out.md: within 15 s).
        [this.owner, now + LEASE_TTL_MS, row.id, now],
      );
      if (got.length !== 1) continue; // another node took it
      await this.run(row).catch((err) => this.log.error({ err, incident: row.incident_id }, 'escalation step failed'));
    }
  }

  private async run(row: Row): Promise<void> {
    const envId = String(row.env_id);
    const incidentId = String(row.incident_id);
    const round = Number(row.round_no);
    const step = Number(row.step_no);
    const policy = await this.runner.policyFor(envId, incidentId);
    const done = { sql: `UPDATE escalation_steps SET state = $1, done_at = $2, lease_until = 0 WHERE id = $3`, params: [policy ? 'done' : 'cancelled', this.now(), row.id] };
    if (!policy || step >= policy.steps.length) {
      await this.meta.query(done.sql, done.params);
      return;
    }
    const s = policy.steps[step];
    const line = await this.runner.notify(envId, incidentId, s.notify, round, step);
    const waitMs = parseDuration(s.wait)!;
    const last = step + 1 >= policy.steps.length;
    const next = !last ? [round, step + 1] : round < policy.repeat ? [round + 1, 0] : undefined;
    const statements = [done, ...(next ? [this.insert(envId, incidentId, next[0], next[1], this.now() + waitMs)] : [])];
    await this.meta.transaction(statements);
    const after = next ? `; next step in ${s.wait} unless acknowledged` : '; the policy is exhausted';
    await this.runner.record(envId, incidentId, `round ${round + 1}, step ${step + 1}: ${line}${after}`);
  }

  start(pollMs: number): void {
    this.stopped = false;
    const loop = () => {
      if (this.stopped) return;
      // A metadata store out of reach (PostgreSQL restarting) must not end the process.
      this.timer = setTimeout(() => void this.tick().catch((err) => this.log.error({ err }, 'escalation poll failed')).finally(loop), pollMs);
      this.timer.unref();
    };
    loop();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
