// Environments and the API keys that reach them. A key belongs to one environment; every
// request is answered inside that environment only.
import crypto from 'node:crypto';
import type { MetaStore } from '../store/index.js';
import type { Environment } from '../store/index.js';
import { generateKey, hashKey, keyId, type KeyKind } from './keys.js';

export const AUTH_SCHEMA = [
  `CREATE TABLE environments (id TEXT PRIMARY KEY, name TEXT NOT NULL, slug TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL)`,
  `CREATE TABLE api_keys (id TEXT PRIMARY KEY, key_hash TEXT NOT NULL UNIQUE, env_id TEXT NOT NULL, kind TEXT NOT NULL, name TEXT NOT NULL, created_at TEXT NOT NULL, revoked_at TEXT)`,
];
/** Keys are attributed to the user who made them (null for bootstrap keys and keys made by a key). */
const AUTH_SCHEMA_V2 = [`ALTER TABLE api_keys ADD COLUMN created_by TEXT`];

/** Who is calling: the key and the environment it reaches. */
export interface Principal {
  keyId: string;
  kind: KeyKind;
  env: Environment;
}

export interface KeyRecord {
  id: string;
  kind: KeyKind;
  name: string;
  environment: string;
  createdAt: string;
  revokedAt: string | null;
  /** The user who made the key, when a person did. */
  createdBy: string | null;
}

/** How long a verified key is trusted without asking the store again (revocation here is instant). */
const CACHE_MS = 10_000;
/** Nodes sharing one PostgreSQL tell each other of revoked keys on this channel. */
const KEYS_CHANNEL = 'tend_keys';
const CACHE_MAX = 10_000;

export function slugify(name: string): string {
  return name.trim().toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

export class AuthService {
  private cache = new Map<string, { principal: Principal | null; until: number }>();

  private constructor(private readonly meta: MetaStore) {}

  static async open(meta: MetaStore): Promise<AuthService> {
    await meta.migrate('auth.v1', AUTH_SCHEMA);
    await meta.migrate('auth.v2', AUTH_SCHEMA_V2);
    const auth = new AuthService(meta);
    // A key revoked on another node must stop working here too, not when the cache runs out.
    await meta.listen?.(KEYS_CHANNEL, () => auth.cache.clear());
    return auth;
  }

  async environments(): Promise<Environment[]> {
    const rows = await this.meta.query('SELECT id, name, slug FROM environments ORDER BY slug');
    return rows.map((r) => ({ id: String(r.id), name: String(r.name), slug: String(r.slug) }));
  }

  async environment(nameOrSlug: string): Promise<Environment | undefined> {
    return (await this.environments()).find((e) => e.slug === slugify(nameOrSlug));
  }

  async ensureEnvironment(name: string): Promise<Environment> {
    const found = await this.environment(name);
    if (found) return found;
    const slug = slugify(name);
    if (!slug) throw new Error(`environment name "${name}" has no letters or digits`);
    // Another caller may create it between the look-up and here: then theirs is the one.
    await this.meta.query('INSERT INTO environments (id, name, slug, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT (slug) DO NOTHING', [
      crypto.randomBytes(6).toString('hex'), name.trim(), slug, new Date().toISOString(),
    ]);
    return (await this.environment(slug))!;
  }

  /** Creates a key; `key` is only known to the caller, and only now. */
  async createKey(envName: string, kind: KeyKind, opts: { name?: string; key?: string; createdBy?: string } = {}): Promise<{ key: string; record: KeyRecord }> {
    const env = await this.ensureEnvironment(envName);
    const key = opts.key ?? generateKey(kind).key;
    const id = keyId(key);
    const createdAt = new Date().toISOString();
    const name = opts.name ?? `${kind} key`;
    await this.meta.query(
      'INSERT INTO api_keys (id, key_hash, env_id, kind, name, created_at, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)',
      [id, hashKey(key), env.id, kind, name, createdAt, opts.createdBy ?? null],
    );
    return { key, record: { id, kind, name, environment: env.slug, createdAt, revokedAt: null, createdBy: opts.createdBy ?? null } };
  }

  async listKeys(envId?: string): Promise<KeyRecord[]> {
    const rows = await this.meta.query(
      `SELECT k.id, k.kind, k.name, e.slug AS environment, k.created_at, k.revoked_at, k.created_by
         FROM api_keys k JOIN environments e ON e.id = k.env_id
        WHERE $1 = '' OR k.env_id = $1
        ORDER BY e.slug, k.created_at`,
      [envId ?? ''],
    );
    return rows.map((r) => ({
      id: String(r.id),
      kind: r.kind as KeyKind,
      name: String(r.name),
      environment: String(r.environment),
      createdAt: String(r.created_at),
      revokedAt: r.revoked_at == null ? null : String(r.revoked_at),
      createdBy: r.created_by == null ? null : String(r.created_by),
    }));
  }

  /** Attributes every key nobody is named for (the bootstrap keys) to a user: the first owner. */
  async attributeUnownedKeys(userId: string): Promise<void> {
    await this.meta.query('UPDATE api_keys SET created_by = $1 WHERE created_by IS NULL', [userId]);
  }

  /** Revokes a key by id; returns false when no active key has that id (in that environment). */
  async revokeKey(id: string, envId?: string): Promise<boolean> {
    const rows = await this.meta.query(
      `UPDATE api_keys SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL AND ($3 = '' OR env_id = $3) RETURNING id`,
      [new Date().toISOString(), id, envId ?? ''],
    );
    this.cache.clear();
    if (rows.length > 0) await this.meta.notify?.(KEYS_CHANNEL, id);
    return rows.length > 0;
  }

  /** The principal for a key, or null when the key is unknown or revoked. */
  async verify(key: string): Promise<Principal | null> {
    const now = Date.now();
    const hit = this.cache.get(key);
    if (hit && hit.until > now) return hit.principal;
    const rows = await this.meta.query(
      `SELECT k.id, k.kind, e.id AS env_id, e.name AS env_name, e.slug AS env_slug
         FROM api_keys k JOIN environments e ON e.id = k.env_id
        WHERE k.key_hash = $1 AND k.revoked_at IS NULL`,
      [hashKey(key)],
    );
    const principal: Principal | null = rows.length
      ? {
          keyId: String(rows[0].id),
          kind: rows[0].kind as KeyKind,
          env: { id: String(rows[0].env_id), name: String(rows[0].env_name), slug: String(rows[0].env_slug) },
        }
      : null;
    if (this.cache.size >= CACHE_MAX) this.cache.clear();
    this.cache.set(key, { principal, until: now + CACHE_MS });
    return principal;
  }
}
