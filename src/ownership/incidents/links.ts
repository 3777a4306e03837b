// Acknowledge and resolve links in notifications work without signing in: the link carries a
// token naming the environment, incident, action, person and expiry, signed with HMAC-SHA256
// under a secret made once and kept in the metadata store (so every node checks the same way).
import crypto from 'node:crypto';
import type { MetaStore } from '../../store/index.js';

const SCHEMA = [`CREATE TABLE ownership_secrets (name TEXT PRIMARY KEY, secret TEXT NOT NULL)`];

export type LinkAction = 'acknowledge' | 'resolve';
export interface LinkClaim {
  env: string;
  incident: string;
  action: LinkAction;
  /** Who was notified: the author of what the link does. */
  person: string;
  /** ms since epoch */
  expires: number;
}

export class LinkSigner {
  private constructor(private readonly key: Buffer) {}

  static async open(meta: MetaStore): Promise<LinkSigner> {
    await meta.migrate('ownership.secrets.v1', SCHEMA);
    await meta.query(`INSERT INTO ownership_secrets (name, secret) VALUES ('links', $1) ON CONFLICT (name) DO NOTHING`, [crypto.randomBytes(32).toString('hex')]);
    const rows = await meta.query(`SELECT secret FROM ownership_secrets WHERE name = 'links'`);
    return new LinkSigner(Buffer.from(String(rows[0].secret), 'hex'));
  }

  private mac(body: string): string {
    return crypto.createHmac('sha256', this.key).update(body).digest('base64url');
  }

  sign(c: LinkClaim): string {
    const body = Buffer.from(JSON.stringify([c.env, c.incident, c.action, c.person, c.expires])).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The claim, or why the token is refused. */
  verify(token: string, now = Date.now()): LinkClaim | string {
    const [body, mac] = token.split('.');
    if (!body || !mac) return 'the link is malformed';
    const want = Buffer.from(this.mac(body));
    const got = Buffer.from(mac);
    if (want.length !== got.length || !crypto.timingSafeEqual(want, got)) return 'the link is not valid';
    const [env, incident, action, person, expires] = JSON.parse(Buffer.from(body, 'base64url').toString()) as [string, string, LinkAction, string, number];
    if (expires <= now) return 'the link has expired';
    return { env, incident, action, person, expires };
  }
}
