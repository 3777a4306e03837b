// On-call API: who is on call for a schedule at a time, its shifts between two times (the
// calendar page), overrides, the iCalendar feed (opened
// by a per-user token in its URL, since calendar apps send no header) and that token's rotation.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authorOf } from '../../alerts/index.js';
import { principalOf, type People } from '../../auth/index.js';
import { badRequest, notFound, parseJsonBody, unauthorized, validate } from '../../http/index.js';
import type { Ownership } from '../ownership.js';
import type { CalendarTokens } from './calendar-tokens.js';
import { icsFeed } from './ics.js';
import type { OverrideStore } from './override-store.js';
import { scheduleShifts } from './shifts.js';

const Instant = z.string().refine((s) => !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time');
const OverrideBody = z.strictObject({ layer: z.string().min(1), email: z.string().email(), from: Instant, to: Instant });
const FEED_DAYS = 90;
const DAY_MS = 86_400_000;
/** The calendar page asks for a week or a month; more than two months is one question too many. */
const MAX_SHIFT_DAYS = 62;

export interface OncallRouteDeps {
  ownership: Ownership;
  overrides: OverrideStore;
  tokens: CalendarTokens;
  people: People;
  names(): Promise<Map<string, string>>;
  now(): number;
}

export function registerOncallRoutes(app: FastifyInstance, d: OncallRouteDeps): void {
  const schedule = (envId: string, name: string) => {
    const s = d.ownership.catalog.schedule(envId, name);
    if (!s) throw notFound(`no schedule named "${name}"`);
    return s;
  };
  const iso = (ms: number) => new Date(ms).toISOString();

  app.get('/api/v1/schedules', async (request) => {
    const { env } = principalOf(request);
    return { schedules: d.ownership.catalog.schedules(env.id).map((s) => ({ name: s.name, time_zone: s.time_zone, layers: s.layers })) };
  });

  app.get<{ Querystring: { schedule?: string; at?: string } }>('/api/v1/oncall', async (request) => {
    const { env } = principalOf(request);
    const { schedule: name, at } = request.query;
    if (!name) throw badRequest('schedule: required');
    if (at !== undefined && Number.isNaN(Date.parse(at))) throw badRequest('at: expected an ISO 8601 time');
    schedule(env.id, name);
    const t = at === undefined ? d.now() : Date.parse(at);
    const names = await d.names();
    const on = (await d.ownership.onCallNow(env.id, name, t)) ?? [];
    return {
      schedule: name, at: iso(t),
      on_call: on.map((x) => ({ email: x.email, name: names.get(x.email) ?? null, layer: x.layer, shift_start: iso(x.start), shift_end: iso(x.end), override: x.override ?? null })),
    };
  });

  // Every shift between two times (overrides applied): what the on-call calendar draws.
  app.get<{ Params: { name: string }; Querystring: { from?: string; to?: string } }>('/api/v1/schedules/:name/shifts', async (request) => {
    const { env } = principalOf(request);
    const s = schedule(env.id, request.params.name);
    const instant = (field: 'from' | 'to', fallback: number) => {
      const v = request.query[field];
      if (v === undefined) return fallback;
      if (Number.isNaN(Date.parse(v))) throw badRequest(`${field}: expected an ISO 8601 time`);
      return Date.parse(v);
    };
    const from = instant('from', d.now());
    const to = instant('to', from + 7 * DAY_MS);
    if (to <= from) throw badRequest('to: must be after from');
    if (to - from > MAX_SHIFT_DAYS * DAY_MS) throw badRequest(`to: at most ${MAX_SHIFT_DAYS} days after from`);
    const names = await d.names();
    const shifts = scheduleShifts(s, from, to, await d.overrides.list(env.id, s.name));
    return {
      schedule: s.name, time_zone: s.time_zone, from: iso(from), to: iso(to), layers: s.layers.map((l) => l.name),
      shifts: shifts.map((x) => ({ email: x.email, name: names.get(x.email) ?? null, layer: x.layer, start: iso(x.start), end: iso(x.end), override: x.override ?? null })),
    };
  });

  app.get<{ Params: { name: string } }>('/api/v1/schedules/:name/overrides', async (request) => {
    const { env } = principalOf(request);
    schedule(env.id, request.params.name);
    const list = await d.overrides.list(env.id, request.params.name);
    return { overrides: list.map((o) => ({ id: o.id, layer: o.layer, email: o.email, from: iso(o.from), to: iso(o.to), created_by: o.createdBy ?? null })) };
  });

  app.post<{ Params: { name: string } }>('/api/v1/schedules/:name/overrides', async (request, reply) => {
    const { env } = principalOf(request);
    const s = schedule(env.id, request.params.name);
    const b = validate(OverrideBody, parseJsonBody(request.body), 'override');
    if (!s.layers.some((l) => l.name === b.layer)) throw badRequest(`layer: schedule ${s.name} has no layer "${b.layer}" (it has ${s.layers.map((l) => l.name).join(', ')})`);
    const from = Date.parse(b.from);
    const to = Date.parse(b.to);
    if (to <= from) throw badRequest('to: must be after from');
    const o = await d.overrides.add(env.id, s.name, { layer: b.layer, email: b.email.toLowerCase(), from, to, createdBy: authorOf(request) });
    reply.code(201);
    return { id: o.id, layer: o.layer, email: o.email, from: iso(o.from), to: iso(o.to), created_by: o.createdBy ?? null };
  });

  app.delete<{ Params: { name: string; id: string } }>('/api/v1/schedules/:name/overrides/:id', async (request) => {
    const { env } = principalOf(request);
    schedule(env.id, request.params.name);
    if (!(await d.overrides.remove(env.id, request.params.name, request.params.id))) throw notFound(`no override ${request.params.id} on schedule ${request.params.name}`);
    return { deleted: request.params.id };
  });

  // Public: the token in the URL stands for the person (calendar apps cannot send a header).
  app.get<{ Params: { name: string }; Querystring: { token?: string } }>('/api/v1/schedules/:name.ics', async (request, reply) => {
    const { name } = request.params;
    if (!request.query.token) throw unauthorized('token: required (make one with POST /api/v1/oncall/calendar-token)');
    // As with any secret address, an unknown token finds nothing.
    const userId = await d.tokens.userOf(request.query.token);
    if (!userId) throw notFound('no calendar at this address: the token is not valid (rotated?)');
    const user = await d.people.get(userId).catch(() => undefined);
    if (!user || user.disabled) throw unauthorized('token: its user is disabled or gone');
    const env = user.envs.find((e) => d.ownership.catalog.schedule(e.id, name));
    if (!env) throw notFound(`no schedule named "${name}"`);
    const s = schedule(env.id, name);
    const now = d.now();
    const shifts = scheduleShifts(s, now, now + FEED_DAYS * 86_400_000, await d.overrides.list(env.id, s.name));
    reply.header('content-type', 'text/calendar; charset=utf-8').header('cache-control', 'private, max-age=300');
    return icsFeed(s.name, shifts, await d.names(), now);
  });

  app.post('/api/v1/oncall/calendar-token', async (request) => {
    const { actor } = principalOf(request);
    if (actor.kind !== 'user') throw badRequest('calendar tokens belong to people: sign in');
    const token = await d.tokens.rotate(actor.id);
    // The token only in its own field (the audit log removes fields named token, not values).
    return { token, feed: '/api/v1/schedules/SCHEDULE.ics?token=TOKEN' };
  });
}
