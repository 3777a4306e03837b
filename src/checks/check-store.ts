// Where checks, their last known state, ping keys and status pages are kept (MetaStore,
// portable SQL). Definitions are stored as the JSON the schema accepted; `source` says who
// manages a check: "file" (tend.yaml) or "api".
import crypto from 'node:crypto';
import type { Environment, MetaStore } from '../store/index.js';
import { CheckDefinition, type CheckKind } from './definition.js';

export const CHECKS_SCHEMA = [
  `CREATE TABLE checks (id TEXT PRIMARY KEY, env_id TEXT NOT NULL, name TEXT NOT NULL, kind TEXT NOT NULL, definition TEXT NOT NULL, source TEXT NOT NULL, created_at TEXT NOT NULL, updated_at TEXT NOT NULL, UNIQUE (env_id, name))`,
  `CREATE TABLE check_status (check_id TEXT PRIMARY KEY, state TEXT NOT NULL, since TEXT NOT NULL, data TEXT NOT NULL)`,
  `CREATE TABLE ping_keys (env_id TEXT PRIMARY KEY, key_hash TEXT NOT NULL, created_at TEXT NOT NULL)`,
  `CREATE TABLE status_pages (slug TEXT PRIMARY KEY, env_id TEXT NOT NULL, title TEXT NOT NULL, checks TEXT NOT NULL, source TEXT NOT NULL, updated_at TEXT NOT NULL)`,
];

export type CheckSource = 'file' | 'api';

export interface CheckRecord {
  id: string;
  env: Environment;
  name: string;
  kind: CheckKind;
  definition: CheckDefinition;
  source: CheckSource;
  createdAt: string;
  updatedAt: string;
}

export interface StatusRow {
  state: string;
  since: string;
  data: string;
}

export interface StatusPageRecord {
  slug: string;
  envId: string;
  title: string;
  checks: string[];
  source: CheckSource;
}

export const hashPingKey = (key: string): string => crypto.createHash('sha256').update(key).digest('hex');

export class CheckStore {
  private constructor(private readonly meta: MetaStore) {}

  static async open(meta: MetaStore): Promise<CheckStore> {
    await meta.migrate('checks.v1', CHECKS_SCHEMA);
    return new CheckStore(meta);
  }

  async all(environments: Environment[]): Promise<CheckRecord[]> {
    const byId = new Map(environments.map((e) => [e.id, e]));
    const rows = await this.meta.query('SELECT * FROM checks ORDER BY env_id, name');
    return rows.filter((r) => byId.has(String(r.env_id))).map((r) => toRecord(r, byId.get(String(r.env_id))!));
  }

  /** Stores a new check; undefined when the environment already has a check of that name. */
  async insert(env: Environment, definition: CheckDefinition, source: CheckSource): Promise<CheckRecord | undefined> {
    const now = new Date().toISOString();
    const rec: CheckRecord = { id: crypto.randomUUID(), env, name: definition.name, kind: definition.kind, definition, source, createdAt: now, updatedAt: now };
    const rows = await this.meta.query(
      `INSERT INTO checks (id, env_id, name, kind, definition, source, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT DO NOTHING RETURNING id`,
      [rec.id, env.id, rec.name, rec.kind, JSON.stringify(definition), source, now, now],
    );
    return rows.length ? rec : undefined;
  }

  async update(rec: CheckRecord, definition: CheckDefinition, source: CheckSource): Promise<CheckRecord> {
    const now = new Date().toISOString();
    await this.meta.query('UPDATE checks SET kind = $1, definition = $2, source = $3, updated_at = $4 WHERE id = $5', [
      definition.kind, JSON.stringify(definition), source, now, rec.id,
    ]);
    return { ...rec, kind: definition.kind, definition, source, updatedAt: now };
  }

  async delete(id: string): Promise<void> {
    await this.meta.transaction([
      { sql: 'DELETE FROM checks WHERE id = $1', params: [id] },
      { sql: 'DELETE FROM check_status WHERE check_id = $1', params: [id] },
    ]);
  }

  async statuses(): Promise<Map<string, StatusRow>> {
    const rows = await this.meta.query('SELECT check_id, state, since, data FROM check_status');
    return new Map(rows.map((r) => [String(r.check_id), { state: String(r.state), since: String(r.since), data: String(r.data) }]));
  }

  async status(checkId: string): Promise<StatusRow | undefined> {
    const rows = await this.meta.query('SELECT state, since, data FROM check_status WHERE check_id = $1', [checkId]);
    return rows.length ? { state: String(rows[0].state), since: String(rows[0].since), data: String(rows[0].data) } : undefined;
  }

  async saveStatus(checkId: string, status: StatusRow): Promise<void> {
    await this.meta.query(
      `INSERT INTO check_status (check_id, state, since, data) VALUES ($1, $2, $3, $4)
       ON CONFLICT (check_id) DO UPDATE SET state = excluded.state, since = excluded.since, data = excluded.data`,
      [checkId, status.state, status.since, status.data],
    );
  }

  /** Makes a new ping key for the environment (replacing any old one in the same statement); only the hash is kept. */
  async rotatePingKey(envId: string): Promise<string> {
    const key = crypto.randomBytes(16).toString('base64url');
    await this.meta.query(
      `INSERT INTO ping_keys (env_id, key_hash, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (env_id) DO UPDATE SET key_hash = excluded.key_hash, created_at = excluded.created_at`,
      [envId, hashPingKey(key), new Date().toISOString()],
    );
    return key;
  }

  async envOfPingKey(key: string): Promise<string | undefined> {
    const rows = await this.meta.query('SELECT env_id FROM ping_keys WHERE key_hash = $1', [hashPingKey(key)]);
    return rows.length ? String(rows[0].env_id) : undefined;
  }

  async pages(envId?: string): Promise<StatusPageRecord[]> {
    const rows = await this.meta.query(`SELECT * FROM status_pages WHERE $1 = '' OR env_id = $1 ORDER BY slug`, [envId ?? '']);
    return rows.map(toPage);
  }

  async page(slug: string): Promise<StatusPageRecord | undefined> {
    const rows = await this.meta.query('SELECT * FROM status_pages WHERE slug = $1', [slug]);
    return rows.length ? toPage(rows[0]) : undefined;
  }

  /** Creates or replaces a page; false when another environment holds the slug (its page is left alone). */
  async savePage(p: StatusPageRecord): Promise<boolean> {
    const rows = await this.meta.query(
      `INSERT INTO status_pages (slug, env_id, title, checks, source, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (slug) DO UPDATE SET title = excluded.title, checks = excluded.checks, source = excluded.source, updated_at = excluded.updated_at
       WHERE status_pages.env_id = excluded.env_id
       RETURNING slug`,
      [p.slug, p.envId, p.title, JSON.stringify(p.checks), p.source, new Date().toISOString()],
    );
    return rows.length > 0;
  }

  async deletePage(slug: string): Promise<void> {
    await this.meta.query('DELETE FROM status_pages WHERE slug = $1', [slug]);
  }
}

function toRecord(r: Record<string, unknown>, env: Environment): CheckRecord {
  // Stored definitions passed the schema when written; parsing again fills defaults added later.
  const definition = CheckDefinition.parse(JSON.parse(String(r.definition)));
  return {
    id: String(r.id),
    env,
    name: String(r.name),
    kind: definition.kind,
    definition,
    source: String(r.source) as CheckSource,
    createdAt: String(r.created_at),
    updatedAt: String(r.updated_at),
  };
}

function toPage(r: Record<string, unknown>): StatusPageRecord {
  return { slug: String(r.slug), envId: String(r.env_id), title: String(r.title), checks: JSON.parse(String(r.checks)), source: String(r.source) as CheckSource };
}
