// Alertmanager's API v2, so Prometheus and amtool work against Tend with only the URL and
// credentials changed: alert pushes, alerts and groups, silences, status. JSON shapes follow
// Alertmanager's OpenAPI document (amtool's generated client checks required fields).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { principalOf } from '../../auth/index.js';
import { badRequest, notFound, parseJsonBody, validate } from '../../http/index.js';
import type { AlertService } from '../alert-service.js';
import { authorOf } from '../author.js';
import { cleanLabels, LABEL_NAME } from '../labels.js';
import { matchesAll, type Matcher } from '../matchers.js';
import type { Alert, AlertReport } from '../model.js';
import type { Dispatcher } from '../routing/dispatcher.js';
import { parseFilter } from '../routes.js';
import { silenceState, type Silence, type Silences } from '../silences/silence-store.js';

const VERSION = '0.25.0-tend';
const time = z.string().refine((s) => !Number.isNaN(Date.parse(s)), { message: 'expected an RFC 3339 time' });

const PostableAlerts = z.array(
  z.object({
    labels: z.record(z.string(), z.string()).refine((l) => Object.keys(l).length > 0, { message: 'an alert needs at least one label' }),
    annotations: z.record(z.string(), z.string()).default({}),
    startsAt: time.optional(),
    endsAt: time.optional(),
    generatorURL: z.string().optional(),
  }),
).max(10_000);

type PostableAlert = z.input<typeof PostableAlerts>[number];

/** Names the first problem zod finds, with where it is. */
function parsePostableAlerts(body: unknown): PostableAlert[] {
  const parsed = PostableAlerts.safeParse(body);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw badRequest(`alerts${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')}: ${issue.message}`);
}

const isStringRecord = (v: unknown): v is Record<string, string> => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  for (const k in v) if (typeof (v as Record<string, unknown>)[k] !== 'string' || k === '__proto__') return false;
  return true;
};
const isTime = (v: unknown) => v === undefined || (typeof v === 'string' && !Number.isNaN(Date.parse(v)));
const PUSHED_FIELDS = new Set(['labels', 'annotations', 'startsAt', 'endsAt', 'generatorURL']);

/**
 * The pushed alerts when they are plainly what PostableAlerts accepts, else undefined (zod then
 * names the problem). zod's walk cost 2 us per alert on the hot path, a tenth of Alertmanager's
 * time per alert (bench:alerts, part c); this check accepts only what zod accepts, so the 4xx
 * messages stay zod's. Other fields go to zod, which strips them.
 */
function plainPostableAlerts(body: unknown): PostableAlert[] | undefined {
  if (!Array.isArray(body) || body.length > 10_000) return undefined;
  for (const a of body as Record<string, unknown>[]) {
    if (typeof a !== 'object' || a === null || Array.isArray(a)) return undefined;
    for (const k in a) if (!PUSHED_FIELDS.has(k)) return undefined;
    if (!isStringRecord(a.labels) || Object.keys(a.labels).length === 0) return undefined;
    if (a.annotations !== undefined && !isStringRecord(a.annotations)) return undefined;
    if (!isTime(a.startsAt) || !isTime(a.endsAt)) return undefined;
    if (a.generatorURL !== undefined && typeof a.generatorURL !== 'string') return undefined;
  }
  return body as PostableAlert[];
}

const PostableSilence = z.object({
  id: z.string().optional(),
  matchers: z.array(z.object({ name: z.string().min(1), value: z.string(), isRegex: z.boolean(), isEqual: z.boolean().default(true) })).min(1),
  startsAt: time,
  endsAt: time,
  createdBy: z.string().default(''),
  comment: z.string().default(''),
});

export interface AlertmanagerApiDeps {
  alerts: AlertService;
  silences: Silences;
  dispatcher: Dispatcher;
  resolveTimeoutMs: () => number;
  configText: () => string;
  startedAt: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const ZERO_TIME = '0001-01-01T00:00:00.000Z';

function silenceJson(s: Silence) {
  return {
    id: s.id,
    status: { state: silenceState(s, Date.now()) },
    updatedAt: iso(s.updatedAt),
    comment: s.comment,
    createdBy: s.createdBy,
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    matchers: s.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.op === '=~' || m.op === '!~', isEqual: m.op === '=' || m.op === '=~' })),
  };
}

const bool = (v: string | undefined, dflt: boolean) => (v === undefined ? dflt : v === 'true');

export function registerAlertmanagerApi(app: FastifyInstance, deps: AlertmanagerApiDeps): void {
  const { alerts, silences, dispatcher } = deps;

  const gettable = (a: Alert) => {
    const muted = dispatcher.mutedBy(a);
    const suppressed = muted.silencedBy.length > 0 || muted.inhibitedBy.length > 0;
    return {
      annotations: a.annotations,
      endsAt: a.endsAt !== undefined ? iso(a.endsAt) : a.expiresAt !== undefined ? iso(a.expiresAt) : ZERO_TIME,
      fingerprint: a.fingerprint,
      receivers: [...new Set(dispatcher.routesFor(a.labels).map((r) => r.receiver))].map((name) => ({ name })),
      startsAt: iso(a.startsAt),
      status: { state: suppressed ? 'suppressed' : 'active', silencedBy: muted.silencedBy, inhibitedBy: muted.inhibitedBy },
      updatedAt: iso(a.updatedAt),
      generatorURL: a.generatorUrl ?? '',
      labels: a.labels,
    };
  };

  app.post('/api/v2/alerts', async (request) => {
    const body = parseJsonBody(request.body);
    const pushed = plainPostableAlerts(body) ?? parsePostableAlerts(body);
    const reports: AlertReport[] = pushed.map((a, i) => {
      for (const name of Object.keys(a.labels)) if (!LABEL_NAME.test(name)) throw badRequest(`alerts[${i}].labels: "${name}" is not a valid label name`);
      return {
        labels: cleanLabels(a.labels),
        annotations: a.annotations ?? {},
        startsAt: a.startsAt ? Date.parse(a.startsAt) : undefined,
        endsAt: a.endsAt ? Date.parse(a.endsAt) : undefined,
        generatorUrl: a.generatorURL,
      };
    });
    await alerts.report(principalOf(request).env, 'alertmanager', reports, { resolveTimeoutMs: deps.resolveTimeoutMs() });
    return '';
  });

  app.get<{ Querystring: { active?: string; silenced?: string; inhibited?: string; unprocessed?: string; filter?: string | string[]; receiver?: string } }>('/api/v2/alerts', async (request) => {
    const q = request.query;
    const matchers = parseFilter(q.filter);
    let receiver: RegExp | undefined;
    try {
      receiver = q.receiver ? new RegExp(`^(?:${q.receiver})$`) : undefined;
    } catch {
      throw badRequest(`receiver: "${q.receiver}" is not a valid regular expression`);
    }
    return alerts
      .list(principalOf(request).env.id, { state: 'firing', matchers })
      .map(gettable)
      .filter((a) => {
        const silenced = a.status.silencedBy.length > 0;
        const inhibited = a.status.inhibitedBy.length > 0;
        if (silenced && !bool(q.silenced, true)) return false;
        if (inhibited && !bool(q.inhibited, true)) return false;
        if (!silenced && !inhibited && !bool(q.active, true)) return false;
        return !receiver || a.receivers.some((r) => receiver.test(r.name));
      });
  });

  app.get<{ Querystring: { filter?: string | string[]; receiver?: string } }>('/api/v2/alerts/groups', async (request) => {
    const matchers = parseFilter(request.query.filter);
    const env = principalOf(request).env;
    return dispatcher
      .groupsOf(env.id)
      .map((g) => ({ labels: g.labels, receiver: { name: g.receiver }, alerts: g.alerts.filter((a) => a.state === 'firing' && matchesAll(matchers, a.labels)).map(gettable) }))
      .filter((g) => g.alerts.length > 0 && (!request.query.receiver || g.receiver.name === request.query.receiver));
  });

  app.get<{ Querystring: { filter?: string | string[] } }>('/api/v2/silences', async (request) => {
    const matchers = parseFilter(request.query.filter);
    const list = silences.list(principalOf(request).env.id);
    // A silence matches a filter when one of its matchers says the same (Alertmanager's rule).
    const keep = (s: Silence) => matchers.every((f) => s.matchers.some((m) => m.name === f.name && m.value === f.value && m.op === f.op));
    return list.filter(keep).map(silenceJson);
  });

  app.post('/api/v2/silences', async (request) => {
    const env = principalOf(request).env;
    const body = validate(PostableSilence, parseJsonBody(request.body), 'silence');
    const startsAt = Date.parse(body.startsAt);
    const endsAt = Date.parse(body.endsAt);
    if (endsAt <= startsAt) throw badRequest('silence.endsAt: must be after startsAt');
    if (endsAt <= Date.now()) throw badRequest('silence.endsAt: is in the past');
    if (body.id && !silences.get(env.id, body.id)) throw notFound(`no silence ${body.id}`);
    const matchers: Matcher[] = body.matchers.map((m) => ({ name: m.name, value: m.value, op: m.isRegex ? (m.isEqual ? '=~' : '!~') : m.isEqual ? '=' : '!=' }));
    parseFilter(matchers.map((m) => `${m.name}${m.op}${JSON.stringify(m.value)}`), 'silence.matchers');
    const s = await silences.put({ id: body.id, envId: env.id, matchers, startsAt, endsAt, createdBy: authorOf(request), comment: body.comment });
    return { silenceID: s.id };
  });

  app.get<{ Params: { id: string } }>('/api/v2/silence/:id', async (request) => {
    const s = silences.get(principalOf(request).env.id, request.params.id);
    if (!s) throw notFound(`no silence ${request.params.id}`);
    return silenceJson(s);
  });

  app.delete<{ Params: { id: string } }>('/api/v2/silence/:id', async (request) => {
    const env = principalOf(request).env;
    if (!silences.get(env.id, request.params.id)) throw notFound(`no silence ${request.params.id}`);
    await silences.expire(env.id, request.params.id);
    return '';
  });

  app.get('/api/v2/status', async () => ({
    cluster: { name: 'tend', status: 'ready', peers: [] },
    versionInfo: { branch: 'tend', buildDate: '', buildUser: 'tend', goVersion: 'none', revision: 'tend', version: VERSION },
    config: { original: deps.configText() },
    uptime: iso(deps.startedAt),
  }));
}
