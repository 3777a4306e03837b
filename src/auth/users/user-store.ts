// People and their roles, kept in the metadata store. Emails are unique without regard to case
// (stored lower-cased); a role is given per environment. Password hashes never leave this file
// except to the sign-in check.
import crypto from 'node:crypto';
import type { Environment, MetaStore, Row } from '../../store/index.js';
import { ROLES, type Role } from '../permissions.js';

export const USERS_SCHEMA = [
  `CREATE TABLE users (id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, name TEXT NOT NULL, password_hash TEXT,
     oidc_subject TEXT, disabled_at TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL)`,
  `CREATE TABLE user_roles (user_id TEXT NOT NULL, env_id TEXT NOT NULL, role TEXT NOT NULL, PRIMARY KEY (user_id, env_id))`,
];

/** A user as the API shows it: roles by environment slug, never the password hash. */
export interface User {
  id: string;
  email: string;
  name: string;
  roles: Record<string, Role>;
  disabled: boolean;
  has_password: boolean;
  sso: boolean;
  created_at: string;
  updated_at: string;
}

export interface UserRecord extends User {
  passwordHash: string | null;
  /** Environments by slug, in the order roles are listed (first is the default for a session). */
  envs: Environment[];
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export class UserStore {
  private constructor(private readonly meta: MetaStore) {}

  static async open(meta: MetaStore): Promise<UserStore> {
    await meta.migrate('users.v1', USERS_SCHEMA);
    return new UserStore(meta);
  }

  async list(): Promise<UserRecord[]> {
    return this.load('', '');
  }

  async byId(id: string): Promise<UserRecord | undefined> {
    return (await this.load('id', id))[0];
  }

  async byEmail(email: string): Promise<UserRecord | undefined> {
    return (await this.load('email', normalizeEmail(email)))[0];
  }

  async bySubject(subject: string): Promise<UserRecord | undefined> {
    return (await this.load('oidc_subject', subject))[0];
  }

  private async load(column: '' | 'id' | 'email' | 'oidc_subject', value: string): Promise<UserRecord[]> {
    // The column name is one of four literals above, never request text.
    const where = column ? `WHERE u.${column} = $1` : `WHERE $1 = ''`;
    const users = await this.meta.query(`SELECT * FROM users u ${where} ORDER BY u.email`, [value]);
    if (users.length === 0) return [];
    const roles = await this.meta.query(
      `SELECT r.user_id, r.role, e.id AS env_id, e.name AS env_name, e.slug AS env_slug
         FROM user_roles r JOIN environments e ON e.id = r.env_id
         JOIN users u ON u.id = r.user_id ${where}
        ORDER BY e.slug`,
      [value],
    );
    return users.map((u) => toRecord(u, roles.filter((r) => r.user_id === u.id)));
  }

  async insert(u: { email: string; name: string; passwordHash: string | null; subject?: string; roles: { env: Environment; role: Role }[] }): Promise<string> {
    const id = crypto.randomBytes(8).toString('hex');
    const now = new Date().toISOString();
    await this.meta.transaction([
      {
        sql: 'INSERT INTO users (id, email, name, password_hash, oidc_subject, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6)',
        params: [id, normalizeEmail(u.email), u.name, u.passwordHash, u.subject ?? null, now],
      },
      ...u.roles.map((r) => ({ sql: 'INSERT INTO user_roles (user_id, env_id, role) VALUES ($1, $2, $3)', params: [id, r.env.id, r.role] })),
    ]);
    return id;
  }

  async update(id: string, change: { name?: string; passwordHash?: string; disabled?: boolean; subject?: string; roles?: { env: Environment; role: Role }[] }): Promise<void> {
    const now = new Date().toISOString();
    const statements: { sql: string; params: unknown[] }[] = [{ sql: 'UPDATE users SET updated_at = $2 WHERE id = $1', params: [id, now] }];
    if (change.name !== undefined) statements.push({ sql: 'UPDATE users SET name = $2 WHERE id = $1', params: [id, change.name] });
    if (change.passwordHash !== undefined) statements.push({ sql: 'UPDATE users SET password_hash = $2 WHERE id = $1', params: [id, change.passwordHash] });
    if (change.subject !== undefined) statements.push({ sql: 'UPDATE users SET oidc_subject = $2 WHERE id = $1', params: [id, change.subject] });
    if (change.disabled !== undefined) {
      statements.push({ sql: 'UPDATE users SET disabled_at = $2 WHERE id = $1', params: [id, change.disabled ? now : null] });
    }
    if (change.roles) {
      statements.push({ sql: 'DELETE FROM user_roles WHERE user_id = $1', params: [id] });
      for (const r of change.roles) statements.push({ sql: 'INSERT INTO user_roles (user_id, env_id, role) VALUES ($1, $2, $3)', params: [id, r.env.id, r.role] });
    }
    await this.meta.transaction(statements);
  }

  async remove(id: string): Promise<void> {
    await this.meta.transaction([
      { sql: 'DELETE FROM user_roles WHERE user_id = $1', params: [id] },
      { sql: 'DELETE FROM users WHERE id = $1', params: [id] },
    ]);
  }
}

function toRecord(u: Row, roles: Row[]): UserRecord {
  const byEnv: Record<string, Role> = {};
  const envs: Environment[] = [];
  for (const r of roles) {
    if (!ROLES.includes(r.role as Role)) continue;
    byEnv[String(r.env_slug)] = r.role as Role;
    envs.push({ id: String(r.env_id), name: String(r.env_name), slug: String(r.env_slug) });
  }
  return {
    id: String(u.id),
    email: String(u.email),
    name: String(u.name),
    roles: byEnv,
    disabled: u.disabled_at != null,
    has_password: u.password_hash != null,
    sso: u.oidc_subject != null,
    created_at: String(u.created_at),
    updated_at: String(u.updated_at),
    passwordHash: u.password_hash == null ? null : String(u.password_hash),
    envs,
  };
}

/** The public shape of a user (no hash, no environment ids). */
export function publicUser(u: UserRecord): User {
  const { passwordHash: _h, envs: _e, ...rest } = u;
  return rest;
}
