// Per-user secret tokens for the iCalendar feed: calendar apps cannot send a header, so the
// feed's URL carries `?token=...`. Only the token's SHA-256 is stored; making a new one (the
// user rotates it) replaces the old, which stops working at once.
import crypto from 'node:crypto';
import type { MetaStore } from '../../store/index.js';

const SCHEMA = [`CREATE TABLE oncall_calendar_tokens (user_id TEXT PRIMARY KEY, token_hash TEXT NOT NULL, created_at BIGINT NOT NULL)`];
const hash = (t: string) => crypto.createHash('sha256').update(t).digest('hex');

export class CalendarTokens {
  private constructor(private readonly meta: MetaStore) {}

  static async open(meta: MetaStore): Promise<CalendarTokens> {
    await meta.migrate('ownership.calendar-tokens.v1', SCHEMA);
    return new CalendarTokens(meta);
  }

  /** A new token for the user; the previous one no longer opens the feed. */
  async rotate(userId: string, now = Date.now()): Promise<string> {
    const token = `cal_${crypto.randomBytes(24).toString('base64url')}`;
    await this.meta.query(
      `INSERT INTO oncall_calendar_tokens (user_id, token_hash, created_at) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at`,
      [userId, hash(token), now],
    );
    return token;
  }

  /** The user the token belongs to, if any. */
  async userOf(token: string): Promise<string | undefined> {
    const rows = await this.meta.query('SELECT user_id FROM oncall_calendar_tokens WHERE token_hash = $1', [hash(token)]);
    return rows.length ? String(rows[0].user_id) : undefined;
  }
}
