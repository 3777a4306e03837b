// Turns requests into audit entries just before they are answered (so a change acknowledged to
// its client is already in the log): every state-changing request to a
// route that changes Tend's configuration or people (not event ingest, pings or queries, whose
// data is their own record), every refusal of such a request to a known caller, and whatever a
// handler described on `request.audit` (sign-in, sign-out, single sign-on, key and user changes).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Environment } from '../store/index.js';
import type { Outcome, Permission } from '../auth/index.js';
import type { AuditEntry, AuditLog } from './audit-log.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/**
 * Data rather than changes: events, queries and alerts pushed by Prometheus are their own
 * record (an alert's every change is in tend.alerts). An audit entry per push also made every
 * push wait for a commit of its own (bench:alerts, part c).
 */
const NOT_CHANGES = new Set<Permission>(['public', 'events.write', 'data.read', 'alerts.push']);
/** Words that, ending a route, are its verb (`/api/v1/checks/:name/run` -> check.run). */
const VERBS = new Set(['apply', 'run', 'pause', 'resume', 'resolve', 'login', 'logout']);
const METHOD_VERB: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'update', DELETE: 'delete' };
const PREFIXES = new Set(['api', 'v1', '1']);

const singular = (word: string) => word.replace(/-/g, '_').replace(/s$/, '');

/** `<object>.<verb>` for a route: POST /api/v1/checks -> check.create. */
export function actionOf(method: string, route: string): { action: string; targetKind: string; param?: string } {
  const parts = route.split('/').filter((p) => p && !PREFIXES.has(p));
  const statics = parts.filter((p) => !p.startsWith(':'));
  const params = parts.filter((p) => p.startsWith(':'));
  let verb = METHOD_VERB[method] ?? method.toLowerCase();
  let object = statics[statics.length - 1] ?? 'request';
  if (VERBS.has(object) && statics.length > 1) {
    verb = object;
    object = statics[statics.length - 2];
  }
  return { action: `${singular(object)}.${verb}`, targetKind: singular(object), param: params[params.length - 1]?.slice(1) };
}

/** The JSON object a handler answered, when it is one and small. */
function answerObject(payload: unknown): Record<string, unknown> | undefined {
  if (typeof payload !== 'string' || payload.length > 65_536 || !payload.startsWith('{')) return undefined;
  try {
    return JSON.parse(payload) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

function outcomeOf(status: number): Outcome {
  if (status < 400) return 'success';
  return status === 401 || status === 403 || status === 429 ? 'denied' : 'failure';
}

export function registerAuditHook(app: FastifyInstance, audit: AuditLog, defaultEnv: () => Promise<Environment>): void {
  // Callback style: requests that are not audited (ingest, queries) pass straight through, so
  // handlers that call reply.send() without returning it are answered once.
  app.addHook('onSend', (request: FastifyRequest, reply, payload, done) => {
    const entry = entryOf(request, reply.statusCode, payload);
    if (!entry) return done(null, payload);
    void entryEnv(entry, defaultEnv).then((e) => audit.record(e)).then(() => done(null, payload), done);
  });
}

type Pending = Omit<AuditEntry, 'env'> & { env?: Environment };

async function entryEnv(entry: Pending, defaultEnv: () => Promise<Environment>): Promise<AuditEntry> {
  return { ...entry, env: entry.env ?? (await defaultEnv()) };
}

/** The entry a request makes, or undefined when it is not audited. */
function entryOf(request: FastifyRequest, status: number, payload: unknown): Pending | undefined {
  const rule = request.accessRule;
  const route = request.routeOptions.url;
  if (!rule || !route) return undefined;
  const detail = request.audit;
  const p = request.principal;
  if (!detail) {
    if (SAFE_METHODS.has(request.method) || NOT_CHANGES.has(rule.permission)) return undefined;
    // A refusal with no credential names nobody; recording those would let anyone fill the log.
    if (!p) return undefined;
  }
  const derived = actionOf(request.method, route);
  const param = derived.param ? (request.params as Record<string, string>)[derived.param] : undefined;
  // A route that does not describe its change: what it answered is the object after it.
  const answered = !detail && status < 300 && request.method !== 'DELETE' ? answerObject(payload) : undefined;
  const answeredId = answered?.id ?? answered?.name;
  // A wrong password is a failure of the one who tried; other 401s are refusals.
  const outcome = detail?.action === 'auth.login_failed' && status === 401 ? 'failure' : outcomeOf(status);
  return {
    env: detail?.env ?? p?.env,
    actor: detail?.actor ?? p?.actor ?? { kind: 'anonymous', id: '' },
    action: detail?.action ?? derived.action,
    target: detail?.target ?? (param || answeredId ? { kind: derived.targetKind, id: String(param ?? answeredId) } : undefined),
    outcome,
    status,
    address: request.ip,
    userAgent: request.headers['user-agent'],
    before: detail?.before,
    after: detail ? detail.after : answered,
    method: request.method,
    route,
  };
}
