// GET /api/v1/audit?actor=&action=&since=&until=&limit=&cursor= answers {"events", "next_cursor"},
// newest first, read from `tend.audit` through the query engine's event search. There is no
// route that deletes entries. GET/PUT /api/v1/audit/settings: the audit log's retention, which
// only owners may change.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../auth/index.js';
import { badRequest, HttpError, parseJsonBody, validate } from '../http/index.js';
import { searchEvents, type Filter, type QueryDeps } from '../query/index.js';
import { AUDIT_DATASET } from './audit-log.js';
import type { AuditRetention } from './retention.js';

const AuditSettings = z.strictObject({
  /** null: follow the retention rules (tend.yaml, --retention-days) like every other dataset. */
  retention_days: z.number().int().min(1).max(36_500).nullable(),
});

const MAX_WINDOW_S = 62 * 86_400;
const seconds = (field: string) =>
  z.string().optional().transform((v, ctx) => {
    if (v === undefined || v === '') return undefined;
    const n = /^\d+$/.test(v) ? Number(v) : Date.parse(v) / 1000;
    if (!Number.isFinite(n)) {
      ctx.addIssue({ code: 'custom', message: `${field}: must be Unix seconds or an ISO-8601 time` });
      return z.NEVER;
    }
    return Math.floor(n);
  });

const AuditQuery = z.object({
  actor: z.string().min(1).max(320).optional(),
  action: z.string().min(1).max(100).optional(),
  since: seconds('since'),
  until: seconds('until'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(200).optional(),
});

interface Cursor {
  /** Seconds: the next page ends here. */
  t: number;
  /** audit.id of the last entry given; the next page starts below it. */
  id: string;
}

function readCursor(text: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (typeof c.t === 'number' && typeof c.id === 'string') return c;
  } catch {
    // answered below
  }
  throw badRequest('cursor: not a cursor this server gave out');
}

/**
 * `ruledDays`: the days the retention rules (src/retention) give a dataset, for the audit log's
 * default_retention_days: what it keeps without the owners' setting (null when kept for ever).
 */
export function registerAuditRoutes(app: FastifyInstance, deps: QueryDeps, retention: AuditRetention, ruledDays: (dataset: string) => number): void {
  const settings = async (envId: string) => ({ retention_days: await retention.get(envId), default_retention_days: ruledDays(AUDIT_DATASET) || null });

  app.get('/api/v1/audit/settings', async (request) => settings(principalOf(request).env.id));

  app.put('/api/v1/audit/settings', async (request) => {
    const body = validate(AuditSettings, parseJsonBody(request.body), 'body');
    const env = principalOf(request).env;
    const before = await settings(env.id);
    await retention.set(env.id, body.retention_days);
    const after = await settings(env.id);
    request.audit = { action: 'audit_settings.update', target: { kind: 'environment', id: env.slug }, before, after };
    return after;
  });

  app.get('/api/v1/audit', async (request) => {
    const q = validate(AuditQuery, request.query, 'query');
    const env = principalOf(request).env;
    const cursor = q.cursor ? readCursor(q.cursor) : undefined;
    const until = Math.min(q.until ?? Math.floor(Date.now() / 1000) + 1, cursor ? cursor.t + 1 : Infinity);
    const since = q.since ?? until - MAX_WINDOW_S;
    if (until - since > MAX_WINDOW_S) throw badRequest(`since: a page of the audit log covers at most ${MAX_WINDOW_S / 86_400} days; narrow since and until`);
    if (until <= since) throw badRequest('until: must be after since');
    const filters: Filter[] = [];
    if (q.actor) filters.push({ column: q.actor.includes('@') ? 'actor.email' : 'actor.id', op: '=', value: q.actor.toLowerCase() });
    if (q.action) filters.push(q.action.endsWith('*') ? { column: 'action', op: 'starts-with', value: q.action.slice(0, -1) } : { column: 'action', op: '=', value: q.action });
    if (cursor) filters.push({ column: 'audit.id', op: '<', value: cursor.id });
    let found;
    try {
      found = await searchEvents(deps, env, AUDIT_DATASET, { filters, start_time: since, end_time: until, order: 'descending', limit: q.limit });
    } catch (err) {
      // No audit entry yet in this environment: the dataset does not exist.
      if (err instanceof HttpError && err.status === 404) return { events: [], next_cursor: null };
      throw err;
    }
    const events = found.events.map((e) => ({ time: e.time, ...e.data }));
    const lastEvent = found.events[found.events.length - 1];
    const next = found.meta.more && lastEvent
      ? Buffer.from(JSON.stringify({ t: Math.ceil(Date.parse(lastEvent.time) / 1000), id: lastEvent.data['audit.id'] })).toString('base64url')
      : null;
    return { events, next_cursor: next };
  });
}
