// Notices on a status page ("Investigating slow logins"): posted and resolved by admins,
// shown on the page while open.
import crypto from 'node:crypto';
import { z } from 'zod';
import type { MetaStore } from '../store/index.js';

export const NOTICES_SCHEMA = [
  `CREATE TABLE status_notices (id TEXT PRIMARY KEY, page_slug TEXT NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, severity TEXT NOT NULL, created_at TEXT NOT NULL, resolved_at TEXT)`,
];

export const NOTICE_SEVERITIES = ['info', 'minor', 'major', 'maintenance'] as const;

export const NoticeInput = z.strictObject({
  title: z.string().min(1).max(200),
  body: z.string().max(10_000).default(''),
  severity: z.enum(NOTICE_SEVERITIES).default('info'),
});

export interface Notice {
  id: string;
  page: string;
  title: string;
  body: string;
  severity: (typeof NOTICE_SEVERITIES)[number];
  created_at: string;
  resolved_at: string | null;
}

export class NoticeStore {
  private constructor(private readonly meta: MetaStore) {}

  static async open(meta: MetaStore): Promise<NoticeStore> {
    await meta.migrate('status.notices.v1', NOTICES_SCHEMA);
    return new NoticeStore(meta);
  }

  async post(page: string, input: z.infer<typeof NoticeInput>): Promise<Notice> {
    const notice: Notice = { id: crypto.randomUUID(), page, ...input, created_at: new Date().toISOString(), resolved_at: null };
    await this.meta.query('INSERT INTO status_notices (id, page_slug, title, body, severity, created_at) VALUES ($1, $2, $3, $4, $5, $6)', [
      notice.id, page, notice.title, notice.body, notice.severity, notice.created_at,
    ]);
    return notice;
  }

  async list(page: string, openOnly: boolean): Promise<Notice[]> {
    const rows = await this.meta.query(
      `SELECT * FROM status_notices WHERE page_slug = $1 AND ($2 = 'all' OR resolved_at IS NULL) ORDER BY created_at DESC LIMIT 100`,
      [page, openOnly ? 'open' : 'all'],
    );
    return rows.map((r) => ({
      id: String(r.id),
      page: String(r.page_slug),
      title: String(r.title),
      body: String(r.body),
      severity: r.severity as Notice['severity'],
      created_at: String(r.created_at),
      resolved_at: r.resolved_at == null ? null : String(r.resolved_at),
    }));
  }

  /** Resolves an open notice of the page; false when there is none with that id. */
  async resolve(page: string, id: string): Promise<boolean> {
    const rows = await this.meta.query('UPDATE status_notices SET resolved_at = $1 WHERE id = $2 AND page_slug = $3 AND resolved_at IS NULL RETURNING id', [
      new Date().toISOString(), id, page,
    ]);
    return rows.length > 0;
  }
}
