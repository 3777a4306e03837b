// The one table of who may do what. Every route Tend serves is listed here as `METHOD /pattern`
// with the permission it needs; the access hook (access.ts) consults it on every request, and
// test/auth-matrix.test.ts fails when the server has a route this table does not declare.
//
// A permission is held by roles (per environment, for people signed in with a session) and by
// key kinds (API keys belong to one environment). Users and roles are managed only by owners,
// through a session: no key kind holds `users.manage`.
import type { KeyKind } from './keys.js';

export const ROLES = ['owner', 'admin', 'member', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

export type Permission =
  | 'public' // no credential: health, heartbeat pings, sign-in, public status pages and badges
  | 'session' // any signed-in person, whatever their role: who am I, sign out
  | 'events.write' // send events (Honeycomb, OTLP)
  | 'markers.write'
  | 'data.read' // queries, columns, traces, event search, BubbleUp, markers, metrics
  | 'checks.read'
  | 'checks.write' // checks, heartbeats, ping keys, tend.yaml apply
  | 'notices.write' // status page notices: incident communication
  | 'keys.manage'
  | 'audit.read'
  | 'audit.settings' // the audit log's retention: owners only
  | 'alerts.read' // alerts, triggers, silences, Alertmanager API reads
  | 'alerts.write' // acknowledge alerts, make and expire silences
  | 'alerts.push' // push alerts (Prometheus through the Alertmanager API)
  | 'alerts.configure' // triggers (Honeycomb's Triggers API), test receivers
  | 'settings.write' // what an admin may do that no narrower permission names
  | 'users.manage';

interface Grant {
  /** The least role that holds the permission (roles are ordered owner > admin > member > viewer). */
  role: Role | null;
  keys: KeyKind[];
}

const GRANTS: Record<Exclude<Permission, 'public' | 'session'>, Grant> = {
  'events.write': { role: 'admin', keys: ['ingest', 'admin'] },
  'markers.write': { role: 'member', keys: ['ingest', 'admin'] },
  'data.read': { role: 'viewer', keys: ['read', 'admin'] },
  'checks.read': { role: 'viewer', keys: ['admin'] },
  'checks.write': { role: 'admin', keys: ['admin'] },
  'notices.write': { role: 'member', keys: ['admin'] },
  'keys.manage': { role: 'admin', keys: ['admin'] },
  'audit.read': { role: 'admin', keys: ['admin'] },
  'audit.settings': { role: 'owner', keys: [] },
  'alerts.read': { role: 'viewer', keys: ['read', 'admin'] },
  'alerts.write': { role: 'member', keys: ['admin'] },
  'alerts.push': { role: 'admin', keys: ['ingest', 'admin'] },
  'alerts.configure': { role: 'admin', keys: ['admin'] },
  'settings.write': { role: 'admin', keys: ['admin'] },
  'users.manage': { role: 'owner', keys: [] },
};

export interface RouteRule {
  permission: Permission;
  /**
   * Ingest keys keep what they reached before roles existed: the key check (/1/auth), reading
   * markers and /metrics. Listed per route so `data.read` does not open queries to them.
   */
  ingestKeyToo?: boolean;
}

const r = (permission: Permission, ingestKeyToo = false): RouteRule => ({ permission, ingestKeyToo });

/** Every route, keyed by `METHOD /pattern` exactly as fastify registers it. */
export const ROUTE_PERMISSIONS: Record<string, RouteRule> = {
  'GET /healthz': r('public'),
  'GET /readyz': r('public'),
  'GET /metrics': r('data.read', true),
  'GET /1/auth': r('data.read', true),

  // Ingest (Honeycomb and OTLP/HTTP)
  'POST /1/events/:dataset': r('events.write'),
  'POST /1/batch/:dataset': r('events.write'),
  'POST /v1/traces': r('events.write'),
  'POST /v1/logs': r('events.write'),
  'POST /v1/metrics': r('events.write'),
  'GET /1/columns/:dataset': r('data.read'),

  // Markers
  'POST /1/markers/:dataset': r('markers.write'),
  'PUT /1/markers/:dataset/:id': r('markers.write'),
  'DELETE /1/markers/:dataset/:id': r('markers.write'),
  'GET /1/markers/:dataset': r('data.read', true),

  // Deploys (src/deploys): an ingest key may record one, so CI can; the CI webhooks carry no key
  // and are checked by their signature (GitHub) or token (GitLab) instead.
  'POST /api/v1/deploys': r('markers.write'),
  'GET /api/v1/deploys': r('data.read'),
  'GET /api/v1/deploys/:id': r('data.read'),
  'GET /api/v1/deploys/:id/report': r('data.read'),
  'POST /api/v1/deploys/github': r('public'),
  'POST /api/v1/deploys/gitlab': r('public'),

  // Queries
  'POST /api/v1/query/:dataset': r('data.read'),
  'POST /1/queries/:dataset': r('data.read'),
  'GET /1/queries/:dataset/:id': r('data.read'),
  'POST /1/query_results/:dataset': r('data.read'),
  'GET /1/query_results/:dataset/:id': r('data.read'),
  'POST /api/v1/bubbleup/:dataset': r('data.read'),
  'POST /api/v1/events/:dataset/search': r('data.read'),
  // Customers (src/customers): the most affected list and a customer's page
  'GET /api/v1/customers': r('data.read'),
  'GET /api/v1/customers/:id': r('data.read'),
  'GET /api/v1/traces/:traceId': r('data.read'),

  // Several nodes on one PostgreSQL (src/cluster): the nodes and the work each owns
  'GET /api/v1/cluster': r('settings.write'),
  'POST /api/v1/config/reload': r('settings.write'),

  // Checks, heartbeats and status pages
  'GET /api/v1/checks': r('checks.read'),
  'GET /api/v1/checks/:name': r('checks.read'),
  'POST /api/v1/checks': r('checks.write'),
  'PUT /api/v1/checks/:name': r('checks.write'),
  'DELETE /api/v1/checks/:name': r('checks.write'),
  'POST /api/v1/checks/:name/run': r('checks.write'),
  'POST /api/v1/checks/:name/pause': r('checks.write'),
  'POST /api/v1/checks/:name/resume': r('checks.write'),
  'POST /api/v1/checks/apply': r('checks.write'),
  'POST /api/v1/ping-key': r('checks.write'),
  'GET /ping/:a': r('public'),
  'POST /ping/:a': r('public'),
  'GET /ping/:a/:b': r('public'),
  'POST /ping/:a/:b': r('public'),
  'GET /ping/:a/:b/:c': r('public'),
  'POST /ping/:a/:b/:c': r('public'),
  'GET /api/v1/status-pages': r('checks.read'),
  'GET /status/:slug': r('public'),
  'GET /badge/:name/status.svg': r('public'),
  'GET /badge/:name/uptime.svg': r('public'),
  'GET /api/v1/status-pages/:slug/notices': r('checks.read'),
  'POST /api/v1/status-pages/:slug/notices': r('notices.write'),
  'POST /api/v1/status-pages/:slug/notices/:id/resolve': r('notices.write'),

  // The web app (src/web-app): the page and its assets are public (the app signs people in);
  // the catch-all answers index.html for the app's client routes and 404 for anything else.
  'GET /': r('public'),
  'GET /assets/*': r('public'),
  'GET /*': r('public'),
  'GET /api/v1/ui/settings': r('public'),
  // A person's recent queries (src/web-app): people only; a key is told to sign in.
  'GET /api/v1/ui/recent-queries': r('data.read'),
  'POST /api/v1/ui/recent-queries': r('data.read'),
  'GET /1/datasets': r('data.read'),
  'GET /api/v1/datasets': r('data.read'), // with each dataset's retention (src/retention)

  // Keys
  'GET /api/v1/keys': r('keys.manage'),
  'POST /api/v1/keys': r('keys.manage'),
  'DELETE /api/v1/keys/:id': r('keys.manage'),

  // People, sessions and single sign-on
  'POST /api/v1/auth/login': r('public'),
  'POST /api/v1/auth/logout': r('session'),
  'GET /api/v1/auth/me': r('session'),
  'GET /api/v1/auth/oidc/login': r('public'),
  'GET /api/v1/auth/oidc/callback': r('public'),
  'GET /api/v1/users': r('users.manage'),
  'POST /api/v1/users': r('users.manage'),
  'GET /api/v1/users/:id': r('users.manage'),
  'PATCH /api/v1/users/:id': r('users.manage'),
  'DELETE /api/v1/users/:id': r('users.manage'),

  // Audit log
  'GET /api/v1/audit': r('audit.read'),
  'GET /api/v1/audit/settings': r('audit.read'),
  'PUT /api/v1/audit/settings': r('audit.settings'),

  // Alerts (src/alerts): Tend's API, Honeycomb's Triggers API, Alertmanager's API v2
  'GET /api/v1/alerts': r('alerts.read'),
  'GET /api/v1/alerts/:fingerprint': r('alerts.read'),
  'POST /api/v1/alerts/:fingerprint/ack': r('alerts.write'),
  'POST /api/v1/alerts/:fingerprint/unack': r('alerts.write'),
  'POST /api/v1/alerts/receivers/:name/test': r('alerts.configure'),
  'GET /api/v1/triggers': r('alerts.read'),
  'GET /1/triggers/:dataset': r('alerts.read'),
  'POST /1/triggers/:dataset': r('alerts.configure'),
  'GET /1/triggers/:dataset/:id': r('alerts.read'),
  'PUT /1/triggers/:dataset/:id': r('alerts.configure'),
  'DELETE /1/triggers/:dataset/:id': r('alerts.configure'),
  'POST /api/v2/alerts': r('alerts.push'),
  'GET /api/v2/alerts': r('alerts.read'),
  'GET /api/v2/alerts/groups': r('alerts.read'),
  'GET /api/v2/silences': r('alerts.read'),
  'POST /api/v2/silences': r('alerts.write'),
  'GET /api/v2/silence/:id': r('alerts.read'),
  'DELETE /api/v2/silence/:id': r('alerts.write'),
  'GET /api/v2/status': r('alerts.read'),

  // SLOs (src/slos): Tend's view, Honeycomb's SLO API and derived columns
  'GET /api/v1/slos': r('alerts.read'),
  'GET /api/v1/slos/:name': r('alerts.read'),
  'GET /1/slos/:dataset': r('alerts.read'),
  'POST /1/slos/:dataset': r('alerts.configure'),
  'GET /1/slos/:dataset/:id': r('alerts.read'),
  'PUT /1/slos/:dataset/:id': r('alerts.configure'),
  'DELETE /1/slos/:dataset/:id': r('alerts.configure'),
  'GET /1/derived_columns/:dataset': r('data.read'),
  'POST /1/derived_columns/:dataset': r('settings.write'),
  'GET /1/derived_columns/:dataset/:id': r('data.read'),
  'PUT /1/derived_columns/:dataset/:id': r('settings.write'),
  'DELETE /1/derived_columns/:dataset/:id': r('settings.write'),

  // Ownership (src/ownership): catalog, on-call, incidents. The iCalendar feed is opened by a
  // per-user token in its URL and notification links by a signed token, so both are public here.
  'GET /api/v1/services': r('alerts.read'),
  'GET /api/v1/services/:name': r('alerts.read'),
  'GET /api/v1/services/:name/capacity': r('alerts.read'),
  'GET /api/v1/services/:name/capacity/plan': r('alerts.read'),
  'POST /api/v1/services/:name/handoff': r('alerts.configure'),
  'GET /api/v1/teams': r('alerts.read'),
  'POST /api/v1/catalog/import': r('settings.write'),

  // Backups (src/backups): the whole node, every environment, to a path on the server
  'POST /api/v1/backups': r('settings.write'),
  'GET /api/v1/backups': r('settings.write'),
  'GET /api/v1/backups/:id': r('settings.write'),
  'GET /api/v1/schedules': r('alerts.read'),
  'GET /api/v1/oncall': r('alerts.read'),
  'GET /api/v1/schedules/:name.ics': r('public'),
  'GET /api/v1/schedules/:name/shifts': r('alerts.read'),
  'GET /api/v1/schedules/:name/overrides': r('alerts.read'),
  'POST /api/v1/schedules/:name/overrides': r('alerts.write'),
  'DELETE /api/v1/schedules/:name/overrides/:id': r('alerts.write'),
  'POST /api/v1/oncall/calendar-token': r('session'),
  'GET /api/v1/incidents': r('alerts.read'),
  'POST /api/v1/incidents': r('alerts.write'),
  'GET /api/v1/incidents/:id': r('alerts.read'),
  'PATCH /api/v1/incidents/:id': r('alerts.write'),
  'POST /api/v1/incidents/:id/notes': r('alerts.write'),
  'GET /api/v1/incident-links': r('public'),
  'POST /api/v1/incident-links': r('public'),
};

/** HEAD is answered by the GET route (fastify adds it), so it needs what GET needs. */
export function ruleFor(method: string, pattern: string): RouteRule | undefined {
  const m = method === 'HEAD' ? 'GET' : method;
  return ROUTE_PERMISSIONS[`${m} ${pattern}`];
}

const RANK: Record<Role, number> = { owner: 4, admin: 3, member: 2, viewer: 1 };

export function roleHolds(role: Role, permission: Permission): boolean {
  if (permission === 'public' || permission === 'session') return true;
  const least = GRANTS[permission].role;
  return least !== null && RANK[role] >= RANK[least];
}

export function keyHolds(kind: KeyKind, rule: RouteRule): boolean {
  if (rule.permission === 'public') return true;
  if (rule.permission === 'session') return false;
  if (kind === 'ingest' && rule.ingestKeyToo) return true;
  return GRANTS[rule.permission].keys.includes(kind);
}
