// Silences are operational, not configuration: made through the API or `tend alerts silence`,
// kept in the metadata store, never in tend.yaml. Each has matchers, a start and an end, its
// author (the user or key that made it) and a comment; expiring one sets its end to now.
// Every node keeps them all in memory (each alert is judged against them); one made on another
// node arrives through reload(), which start.ts calls when that node announces it.
import crypto from 'node:crypto';
import type { MetaStore, Row } from '../../store/index.js';
import type { Labels } from '../labels.js';
import { matchesAll, type Matcher } from '../matchers.js';

const SCHEMA = [
  `CREATE TABLE alert_silences (id TEXT PRIMARY KEY, env_id TEXT NOT NULL, matchers TEXT NOT NULL, starts_at BIGINT NOT NULL, ends_at BIGINT NOT NULL, created_by TEXT NOT NULL, comment TEXT NOT NULL, updated_at BIGINT NOT NULL)`,
];

export interface Silence {
  id: string;
  envId: string;
  matchers: Matcher[];
  startsAt: number;
  endsAt: number;
  createdBy: string;
  comment: string;
  updatedAt: number;
}

export type SilenceState = 'pending' | 'active' | 'expired';

export function silenceState(s: Silence, now: number): SilenceState {
  return now < s.startsAt ? 'pending' : now < s.endsAt ? 'active' : 'expired';
}

function toSilence(r: Row): Silence {
  return {
    id: String(r.id), envId: String(r.env_id), matchers: JSON.parse(String(r.matchers)), startsAt: Number(r.starts_at), endsAt: Number(r.ends_at),
    createdBy: String(r.created_by), comment: String(r.comment), updatedAt: Number(r.updated_at),
  };
}

export class Silences {
  private byId = new Map<string, Silence>();
  private readonly listeners: (() => void)[] = [];

  private constructor(private readonly meta: MetaStore) {}

  /** Told after every silence stored through this node, so the other nodes reload(). */
  onSaved?: () => void;

  static async open(meta: MetaStore): Promise<Silences> {
    await meta.migrate('alerts.silences.v1', SCHEMA);
    const s = new Silences(meta);
    await s.read();
    return s;
  }

  private async read(): Promise<void> {
    this.byId = new Map((await this.meta.query('SELECT * FROM alert_silences')).map((r) => [String(r.id), toSilence(r)]));
  }

  /** Reads every silence again (another node made or ended one), and tells the listeners. */
  async reload(): Promise<void> {
    await this.read();
    this.changed();
  }

  /** Called after a silence ends early or changes (here or on another node), so muted alerts can be notified again. */
  onChange(l: () => void): void {
    this.listeners.push(l);
  }

  list(envId: string): Silence[] {
    return [...this.byId.values()].filter((s) => s.envId === envId).sort((a, b) => b.updatedAt - a.updatedAt);
  }

  get(envId: string, id: string): Silence | undefined {
    const s = this.byId.get(id);
    return s?.envId === envId ? s : undefined;
  }

  /** Active silences muting these labels. */
  silencing(envId: string, labels: Labels, now = Date.now()): string[] {
    const ids: string[] = [];
    for (const s of this.byId.values()) if (s.envId === envId && silenceState(s, now) === 'active' && matchesAll(s.matchers, labels)) ids.push(s.id);
    return ids;
  }

  /** Creates a silence, or replaces one (`id` given): Alertmanager's POST /api/v2/silences. */
  async put(input: Omit<Silence, 'id' | 'updatedAt'> & { id?: string }): Promise<Silence> {
    const s: Silence = { ...input, id: input.id ?? crypto.randomUUID(), updatedAt: Date.now() };
    await this.meta.query(
      `INSERT INTO alert_silences (id, env_id, matchers, starts_at, ends_at, created_by, comment, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO UPDATE SET matchers = excluded.matchers, starts_at = excluded.starts_at, ends_at = excluded.ends_at, created_by = excluded.created_by, comment = excluded.comment, updated_at = excluded.updated_at`,
      [s.id, s.envId, JSON.stringify(s.matchers), s.startsAt, s.endsAt, s.createdBy, s.comment, s.updatedAt],
    );
    this.byId.set(s.id, s);
    this.onSaved?.();
    this.changed();
    return s;
  }

  /** Ends a silence now; false when it was not found or had already ended. */
  async expire(envId: string, id: string): Promise<boolean> {
    const s = this.get(envId, id);
    const now = Date.now();
    if (!s || silenceState(s, now) === 'expired') return false;
    await this.put({ ...s, endsAt: now, startsAt: Math.min(s.startsAt, now) });
    return true;
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}
