// Triggers as rows of the metadata store: those from tend.yaml (managed_by file, replaced when
// the file is applied) and those made through the Triggers API (managed_by api). Each keeps
// its evaluation state (consecutive exceedances per group) beside it, so a restart or another
// node carries on where the last evaluation left off.
import crypto from 'node:crypto';
import type { MetaStore, Row } from '../../store/index.js';
import type { Trigger, TriggerInput } from './definition.js';

const SCHEMA = [
  `CREATE TABLE alert_triggers (id TEXT PRIMARY KEY, env_id TEXT NOT NULL, dataset TEXT NOT NULL, name TEXT NOT NULL, definition TEXT NOT NULL, managed_by TEXT NOT NULL, updated_at BIGINT NOT NULL)`,
  `CREATE TABLE alert_trigger_state (trigger_id TEXT PRIMARY KEY, data TEXT NOT NULL)`,
];

/** Per group (JSON of its labels): consecutive evaluations over the threshold, and whether it fires. */
export type TriggerState = Record<string, { count: number; firing: boolean }>;

function toTrigger(r: Row): Trigger {
  const def = JSON.parse(String(r.definition)) as TriggerInput;
  return { ...def, id: String(r.id), envId: String(r.env_id), dataset: String(r.dataset), managedBy: r.managed_by as Trigger['managedBy'] };
}

export const newTriggerId = (): string => crypto.randomBytes(6).toString('base64url');

export class TriggerStore {
  private constructor(private readonly meta: MetaStore) {}

  static async open(meta: MetaStore): Promise<TriggerStore> {
    await meta.migrate('alerts.triggers.v1', SCHEMA);
    return new TriggerStore(meta);
  }

  async all(): Promise<Trigger[]> {
    return (await this.meta.query('SELECT * FROM alert_triggers ORDER BY name')).map(toTrigger);
  }

  async save(t: Trigger): Promise<void> {
    const { id, envId, dataset, managedBy, ...def } = t;
    await this.meta.query(
      `INSERT INTO alert_triggers (id, env_id, dataset, name, definition, managed_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET dataset = excluded.dataset, name = excluded.name, definition = excluded.definition, managed_by = excluded.managed_by, updated_at = excluded.updated_at`,
      [id, envId, dataset, t.name, JSON.stringify(def), managedBy, Date.now()],
    );
  }

  async delete(id: string): Promise<void> {
    await this.meta.transaction([
      { sql: 'DELETE FROM alert_triggers WHERE id = $1', params: [id] },
      { sql: 'DELETE FROM alert_trigger_state WHERE trigger_id = $1', params: [id] },
    ]);
  }

  async states(): Promise<Map<string, TriggerState>> {
    const rows = await this.meta.query('SELECT trigger_id, data FROM alert_trigger_state');
    return new Map(rows.map((r) => [String(r.trigger_id), JSON.parse(String(r.data)) as TriggerState]));
  }

  async saveStates(states: [string, TriggerState][]): Promise<void> {
    if (!states.length) return;
    await this.meta.transaction(
      states.map(([id, s]) => ({
        sql: 'INSERT INTO alert_trigger_state (trigger_id, data) VALUES ($1, $2) ON CONFLICT (trigger_id) DO UPDATE SET data = excluded.data',
        params: [id, JSON.stringify(s)],
      })),
    );
  }
}
