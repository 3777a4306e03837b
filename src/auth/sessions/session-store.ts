// Browser and CLI sessions. The token lives only in the client's cookie (or the CLI's session
// file); the store keeps its SHA-256, like API keys, so a copy of the data folder signs nobody
// in. A session ends after `idleMs` without use, `maxMs` after sign-in whatever happens, at
// sign-out, and when the user's password, roles or standing change.
import crypto from 'node:crypto';
import type { MetaStore } from '../../store/index.js';

export const SESSIONS_SCHEMA = [
  `CREATE TABLE sessions (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, created_ms BIGINT NOT NULL, last_seen_ms BIGINT NOT NULL)`,
];

export interface SessionLimits {
  idleMs: number;
  maxMs: number;
}

export interface Session {
  id: string;
  userId: string;
  createdMs: number;
}

const hash = (token: string) => crypto.createHash('sha256').update(token).digest('hex');

/** How often creating a session also clears out expired ones. */
const SWEEP_EVERY_MS = 3_600_000;

export class SessionStore {
  private lastSweep = 0;

  private constructor(
    private readonly meta: MetaStore,
    readonly limits: SessionLimits,
    private readonly now: () => number,
  ) {}

  static async open(meta: MetaStore, limits: SessionLimits, now: () => number = Date.now): Promise<SessionStore> {
    await meta.migrate('sessions.v1', SESSIONS_SCHEMA);
    return new SessionStore(meta, limits, now);
  }

  /** A new session; the token is known only to the caller. */
  async create(userId: string): Promise<{ token: string; session: Session }> {
    const token = `tks_${crypto.randomBytes(32).toString('base64url')}`;
    const now = this.now();
    // Sessions never used again would stay forever: sign-ins clear expired ones now and then.
    if (now - this.lastSweep > SWEEP_EVERY_MS) {
      this.lastSweep = now;
      await this.sweep();
    }
    const id = hash(token);
    await this.meta.query('INSERT INTO sessions (id, user_id, created_ms, last_seen_ms) VALUES ($1, $2, $3, $3)', [id, userId, now]);
    return { token, session: { id, userId, createdMs: now } };
  }

  /** The live session for a token, refreshing its last use; null when unknown or expired. */
  async verify(token: string): Promise<Session | null> {
    const id = hash(token);
    const rows = await this.meta.query('SELECT user_id, created_ms, last_seen_ms FROM sessions WHERE id = $1', [id]);
    if (rows.length === 0) return null;
    const now = this.now();
    const created = Number(rows[0].created_ms);
    const seen = Number(rows[0].last_seen_ms);
    if (now - seen >= this.limits.idleMs || now - created >= this.limits.maxMs) {
      await this.meta.query('DELETE FROM sessions WHERE id = $1', [id]);
      return null;
    }
    // One write per stretch of use rather than per request; a tenth of the idle limit keeps it honest.
    if (now - seen > Math.min(60_000, this.limits.idleMs / 10)) {
      await this.meta.query('UPDATE sessions SET last_seen_ms = $2 WHERE id = $1', [id, now]);
    }
    return { id, userId: String(rows[0].user_id), createdMs: created };
  }

  async revoke(token: string): Promise<void> {
    await this.meta.query('DELETE FROM sessions WHERE id = $1', [hash(token)]);
  }

  /** Ends every session of a user: after a password, role or standing change. */
  async revokeUser(userId: string): Promise<void> {
    await this.meta.query('DELETE FROM sessions WHERE user_id = $1', [userId]);
  }

  /** Drops expired rows (verify() already refuses them). */
  private async sweep(): Promise<void> {
    const now = this.now();
    await this.meta.query('DELETE FROM sessions WHERE last_seen_ms <= $1 OR created_ms <= $2', [now - this.limits.idleMs, now - this.limits.maxMs]);
  }
}

/**
 * The CSRF token of a session: an HMAC keyed by the session token, so it needs no storage, is
 * worthless without the cookie, and differs for every session.
 */
export function csrfTokenOf(sessionToken: string): string {
  return crypto.createHmac('sha256', sessionToken).update('tend csrf').digest('base64url');
}

export function csrfMatches(sessionToken: string, sent: string | undefined): boolean {
  if (!sent) return false;
  const expected = Buffer.from(csrfTokenOf(sessionToken));
  const got = Buffer.from(sent);
  return got.length === expected.length && crypto.timingSafeEqual(got, expected);
}
