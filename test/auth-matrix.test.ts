// The authorization matrix: every route the server registers, sent with a valid body as each
// role, a key of each kind, a key of another environment, an expired session and no credential
// at all, each answer checked against the permission table (src/auth/permissions.ts). A route
// missing from the table, or from the samples below, fails this test.
import crypto from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyHolds, registeredRoutes, roleHolds, ROUTE_PERMISSIONS, ruleFor, type Role, type RouteRule } from '../src/auth/index.js';
import type { Tend } from '../src/server/index.js';
import { Browser, OWNER, startWithOwner } from './support/people.js';
import { DEFAULT_WEB_DIR } from '../src/web-app/index.js';

const T0 = Math.floor(Date.now() / 1000) - 600;
const PASSWORD = 'lamp orbit violet ferry 9';
const TEND_YAML = `
checks:
  - { name: web, kind: tcp, host: 127.0.0.1, port: 9, interval: 1h }
  - { name: backup, kind: heartbeat, period: 1d, uuid: 6f1c2a3e-8d4b-4f2a-9c1e-0a1b2c3d4e5f }
status_pages:
  - { slug: public, title: Public, checks: [web, backup] }
`;

let tend: Tend;
let adminKey: string;
let counter = 0;
const unique = () => `${Date.now().toString(36)}${counter++}`;

/** Calls with the production admin key, for fixtures. */
async function admin(method: string, path: string, body?: unknown, raw?: string): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const res = await fetch(tend.url + path, {
    method,
    headers: { 'x-honeycomb-team': adminKey, 'content-type': raw === undefined ? 'application/json' : 'text/plain' },
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`fixture ${method} ${path}: ${res.status} ${text}`);
  return text ? JSON.parse(text) : undefined;
}

interface Sample {
  path: string | (() => Promise<string>);
  body?: unknown | (() => Promise<unknown>);
  /** A tend.yaml body instead of JSON. */
  raw?: string;
  /** Answers that count as "done" for an allowed caller; any 2xx when absent. */
  ok?: number[];
  /** The path names a production object: a key of another environment must get 404. */
  production?: boolean;
}

const fixtures = {
  queryId: '',
  resultId: '',
  userId: '',
};

const marker = async () => (await admin('POST', '/1/markers/app', { message: 'm', type: 'deploy' })).id as string;
const notice = async () => (await admin('POST', '/api/v1/status-pages/public/notices', { title: 'n' })).id as string;
const readKey = async () => (await admin('POST', '/api/v1/keys', { kind: 'read' })).id as string;
const check = async () => {
  const name = `doomed-${unique()}`;
  await admin('POST', '/api/v1/checks', { name, kind: 'tcp', host: '127.0.0.1', port: 9, interval: '1h' });
  return name;
};
const user = async () => (await tend.people.create({ email: `gone-${unique()}@example.com`, roles: { production: 'viewer' } })).id;
const alertFp = async () => {
  const labels = { alertname: `matrix-${unique()}` };
  await admin('POST', '/api/v2/alerts', [{ labels }]);
  return (await admin('GET', `/api/v1/alerts?filter=${encodeURIComponent(`alertname="${labels.alertname}"`)}`)).alerts[0].fingerprint as string;
};
const triggerBody = () => ({ name: `t-${unique()}`, query: { calculations: [{ op: 'COUNT' }], time_range: 300 }, threshold: { op: '>', value: 1 }, frequency: 60 });
const trigger = async () => (await admin('POST', '/1/triggers/app', triggerBody())).id as string;
const silenceBody = () => ({ matchers: [{ name: 'alertname', value: 'x', isRegex: false, isEqual: true }], startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString(), comment: 'matrix' });
const silence = async () => (await admin('POST', '/api/v2/silences', silenceBody())).silenceID as string;
const columnBody = () => ({ alias: `dc_${unique()}`, expression: 'LT($duration_ms, 300)' });
const derivedColumn = async () => (await admin('POST', '/1/derived_columns/app', columnBody())).id as string;
let sliAlias: string | undefined;
const sloBody = async () => {
  sliAlias ??= (await admin('POST', '/1/derived_columns/app', columnBody())).alias as string;
  return { name: `slo-${unique()}`, sli: { alias: sliAlias }, time_period_days: 30, target_per_million: 999_000 };
};
const slo = async () => (await admin('POST', '/1/slos/app', await sloBody())) as { id: string; name: string };
// Ownership: a service imported from a Backstage file (tend.yaml declares none here), an incident declared on it.
const importBody = () => ({ files: [{ name: 'catalog-info.yaml', text: `kind: Component\nmetadata: { name: svc-${unique()} }\nspec: { owner: team-a, lifecycle: production }\n` }] });
const service = async () => (await admin('POST', '/api/v1/catalog/import', importBody())).added[0].replace('service ', '') as string;
const incident = async () => (await admin('POST', '/api/v1/incidents', { service: await service(), title: 'matrix' })).id as string;

const deploy = async () => (await admin('POST', '/api/v1/deploys', { service: 'app', build: `b-${unique()}` })).id as string;

const SAMPLES: Record<string, Sample> = {
  'GET /healthz': { path: '/healthz' },
  'GET /': { path: '/' },
  'GET /assets/*': { path: async () => `/assets/${(await import('node:fs')).readdirSync(`${DEFAULT_WEB_DIR}/assets`)[0]}` },
  // Without Accept: text/html the catch-all answers every caller the JSON 404 it always did.
  'GET /*': { path: '/no-such-page', ok: [404] },
  'GET /api/v1/ui/settings': { path: '/api/v1/ui/settings' },
  // People have recent queries; an allowed key is told to sign in (400).
  'GET /api/v1/ui/recent-queries': { path: '/api/v1/ui/recent-queries', ok: [200, 400] },
  'POST /api/v1/ui/recent-queries': { path: '/api/v1/ui/recent-queries', body: { dataset: 'app', spec: { calculations: [{ op: 'COUNT' }] } }, ok: [201, 400] },
  'GET /1/datasets': { path: '/1/datasets' },
  'GET /api/v1/datasets': { path: '/api/v1/datasets' },
  'GET /readyz': { path: '/readyz' },
  'GET /metrics': { path: '/metrics' },
  'GET /1/auth': { path: '/1/auth' },
  // Into a dataset of their own, so a key of another environment never has an `app` of its own.
  'POST /1/events/:dataset': { path: '/1/events/inbox', body: { status: 200 } },
  'POST /1/batch/:dataset': { path: '/1/batch/inbox', body: [{ data: { status: 200 } }] },
  'POST /v1/traces': { path: '/v1/traces', body: { resourceSpans: [] } },
  'POST /v1/logs': { path: '/v1/logs', body: { resourceLogs: [] } },
  'POST /v1/metrics': { path: '/v1/metrics', body: { resourceMetrics: [] } },
  'GET /1/columns/:dataset': { path: '/1/columns/app', production: true },
  'POST /1/markers/:dataset': { path: '/1/markers/app', body: { message: 'deploy', type: 'deploy' } },
  'PUT /1/markers/:dataset/:id': { path: async () => `/1/markers/app/${await marker()}`, body: { message: 'changed' }, production: true },
  'DELETE /1/markers/:dataset/:id': { path: async () => `/1/markers/app/${await marker()}`, production: true },
  'GET /1/markers/:dataset': { path: '/1/markers/app' },
  'POST /api/v1/deploys': { path: '/api/v1/deploys', body: { service: 'app', build: 'matrix' } },
  'GET /api/v1/deploys': { path: '/api/v1/deploys' },
  'GET /api/v1/deploys/:id': { path: async () => `/api/v1/deploys/${await deploy()}`, production: true },
  'GET /api/v1/deploys/:id/report': { path: async () => `/api/v1/deploys/${await deploy()}/report`, production: true },
  // No webhook secret in this tend.yaml: the webhooks are not set up, whoever calls.
  'POST /api/v1/deploys/github': { path: '/api/v1/deploys/github', body: {}, ok: [404] },
  'POST /api/v1/deploys/gitlab': { path: '/api/v1/deploys/gitlab', body: {}, ok: [404] },
  'POST /api/v1/query/:dataset': { path: '/api/v1/query/app', body: { start_time: T0 - 600, end_time: T0 + 1200 }, production: true },
  'POST /1/queries/:dataset': { path: '/1/queries/app', body: { time_range: 60 }, production: true },
  'GET /1/queries/:dataset/:id': { path: async () => `/1/queries/app/${fixtures.queryId}`, production: true },
  'POST /1/query_results/:dataset': { path: '/1/query_results/app', body: async () => ({ query_id: fixtures.queryId }), production: true },
  'GET /1/query_results/:dataset/:id': { path: async () => `/1/query_results/app/${fixtures.resultId}`, production: true },
  'POST /api/v1/bubbleup/:dataset': {
    path: '/api/v1/bubbleup/app',
    body: { baseline: { start_time: T0 - 600, end_time: T0 + 1200 }, selection: { start_time: T0 - 600, end_time: T0 + 1200, column: 'duration_ms', min: 1 } },
    production: true,
  },
  'POST /api/v1/events/:dataset/search': { path: '/api/v1/events/app/search', body: { start_time: T0 - 600, end_time: T0 + 1200 }, production: true },
  'GET /api/v1/customers': { path: '/api/v1/customers?dataset=app&window=1h', production: true },
  'GET /api/v1/customers/:id': { path: '/api/v1/customers/acme?dataset=app&window=1h', production: true },
  // No span has this id: an allowed caller is told so (404), a refused one never gets that far.
  'GET /api/v1/traces/:traceId': { path: '/api/v1/traces/0af7651916cd43dd8448eb211c80319c', ok: [404] },
  'GET /api/v1/cluster': { path: '/api/v1/cluster' },
  'POST /api/v1/config/reload': { path: '/api/v1/config/reload' },
  'GET /api/v1/checks': { path: '/api/v1/checks' },
  'GET /api/v1/checks/:name': { path: '/api/v1/checks/web', production: true },
  'POST /api/v1/checks': { path: '/api/v1/checks', body: async () => ({ name: `new-${unique()}`, kind: 'tcp', host: '127.0.0.1', port: 9, interval: '1h' }) },
  'PUT /api/v1/checks/:name': { path: async () => `/api/v1/checks/${await check()}`, body: { kind: 'tcp', host: '127.0.0.1', port: 9, interval: '2h' }, production: true },
  'DELETE /api/v1/checks/:name': { path: async () => `/api/v1/checks/${await check()}`, production: true },
  'POST /api/v1/checks/:name/run': { path: '/api/v1/checks/web/run', production: true },
  'POST /api/v1/checks/:name/pause': { path: '/api/v1/checks/web/pause', production: true },
  'POST /api/v1/checks/:name/resume': { path: '/api/v1/checks/web/resume', production: true },
  'POST /api/v1/checks/apply': { path: '/api/v1/checks/apply', raw: TEND_YAML },
  'POST /api/v1/ping-key': { path: '/api/v1/ping-key' },
  'GET /ping/:a': { path: '/ping/6f1c2a3e-8d4b-4f2a-9c1e-0a1b2c3d4e5f' },
  'POST /ping/:a': { path: '/ping/6f1c2a3e-8d4b-4f2a-9c1e-0a1b2c3d4e5f' },
  'GET /ping/:a/:b': { path: '/ping/6f1c2a3e-8d4b-4f2a-9c1e-0a1b2c3d4e5f/start' },
  'POST /ping/:a/:b': { path: '/ping/6f1c2a3e-8d4b-4f2a-9c1e-0a1b2c3d4e5f/0' },
  // Ping-key URLs name a key nobody has here: public, answered 404 whoever asks.
  'GET /ping/:a/:b/:c': { path: '/ping/nokey/backup/start', ok: [404] },
  'POST /ping/:a/:b/:c': { path: '/ping/nokey/backup/fail', ok: [404] },
  'GET /api/v1/status-pages': { path: '/api/v1/status-pages' },
  'GET /status/:slug': { path: '/status/public' },
  'GET /badge/:name/status.svg': { path: '/badge/web/status.svg' },
  'GET /badge/:name/uptime.svg': { path: '/badge/web/uptime.svg' },
  'GET /api/v1/status-pages/:slug/notices': { path: '/api/v1/status-pages/public/notices', production: true },
  'POST /api/v1/status-pages/:slug/notices': { path: '/api/v1/status-pages/public/notices', body: { title: 'Slow' }, production: true },
  'POST /api/v1/status-pages/:slug/notices/:id/resolve': { path: async () => `/api/v1/status-pages/public/notices/${await notice()}/resolve`, production: true },
  'GET /api/v1/keys': { path: '/api/v1/keys' },
  'POST /api/v1/keys': { path: '/api/v1/keys', body: { kind: 'read' } },
  'DELETE /api/v1/keys/:id': { path: async () => `/api/v1/keys/${await readKey()}`, production: true },
  'POST /api/v1/auth/login': { path: '/api/v1/auth/login', body: { email: OWNER.email, password: OWNER.password } },
  'POST /api/v1/auth/logout': { path: '/api/v1/auth/logout' },
  'GET /api/v1/auth/me': { path: '/api/v1/auth/me' },
  // Single sign-on is not configured here (test/auth-oidc.test.ts signs in through a provider).
  'GET /api/v1/auth/oidc/login': { path: '/api/v1/auth/oidc/login', ok: [404] },
  'GET /api/v1/auth/oidc/callback': { path: '/api/v1/auth/oidc/callback?code=x&state=y', ok: [404] },
  'GET /api/v1/users': { path: '/api/v1/users' },
  'POST /api/v1/users': { path: '/api/v1/users', body: async () => ({ email: `new-${unique()}@example.com`, password: PASSWORD, roles: { production: 'viewer' } }) },
  'GET /api/v1/users/:id': { path: async () => `/api/v1/users/${fixtures.userId}` },
  'PATCH /api/v1/users/:id': { path: async () => `/api/v1/users/${fixtures.userId}`, body: { name: 'Renamed' } },
  'DELETE /api/v1/users/:id': { path: async () => `/api/v1/users/${await user()}` },
  'GET /api/v1/audit': { path: '/api/v1/audit?limit=5' },
  'GET /api/v1/audit/settings': { path: '/api/v1/audit/settings' },
  'PUT /api/v1/audit/settings': { path: '/api/v1/audit/settings', body: { retention_days: 400 } },
  'GET /api/v1/alerts': { path: '/api/v1/alerts' },
  'GET /api/v1/alerts/:fingerprint': { path: async () => `/api/v1/alerts/${await alertFp()}`, production: true },
  'POST /api/v1/alerts/:fingerprint/ack': { path: async () => `/api/v1/alerts/${await alertFp()}/ack`, production: true },
  'POST /api/v1/alerts/:fingerprint/unack': { path: async () => `/api/v1/alerts/${await alertFp()}/unack`, production: true },
  // No receiver is configured here: an allowed caller is told so.
  'POST /api/v1/alerts/receivers/:name/test': { path: '/api/v1/alerts/receivers/none/test', ok: [404] },
  'GET /api/v1/triggers': { path: '/api/v1/triggers' },
  'GET /1/triggers/:dataset': { path: '/1/triggers/app' },
  'POST /1/triggers/:dataset': { path: '/1/triggers/app', body: async () => triggerBody() },
  'GET /1/triggers/:dataset/:id': { path: async () => `/1/triggers/app/${await trigger()}`, production: true },
  'PUT /1/triggers/:dataset/:id': { path: async () => `/1/triggers/app/${await trigger()}`, body: async () => triggerBody(), production: true },
  'DELETE /1/triggers/:dataset/:id': { path: async () => `/1/triggers/app/${await trigger()}`, production: true },
  'POST /api/v2/alerts': { path: '/api/v2/alerts', body: [{ labels: { alertname: 'pushed' } }] },
  'GET /api/v2/alerts': { path: '/api/v2/alerts' },
  'GET /api/v2/alerts/groups': { path: '/api/v2/alerts/groups' },
  'GET /api/v2/silences': { path: '/api/v2/silences' },
  'POST /api/v2/silences': { path: '/api/v2/silences', body: async () => silenceBody() },
  'GET /api/v2/silence/:id': { path: async () => `/api/v2/silence/${await silence()}`, production: true },
  'DELETE /api/v2/silence/:id': { path: async () => `/api/v2/silence/${await silence()}`, production: true },
  'GET /api/v2/status': { path: '/api/v2/status' },
  'GET /api/v1/slos': { path: '/api/v1/slos' },
  'GET /api/v1/slos/:name': { path: async () => `/api/v1/slos/${(await slo()).name}`, production: true },
  'GET /1/slos/:dataset': { path: '/1/slos/app' },
  'POST /1/slos/:dataset': { path: '/1/slos/app', body: sloBody },
  'GET /1/slos/:dataset/:id': { path: async () => `/1/slos/app/${(await slo()).id}`, production: true },
  'PUT /1/slos/:dataset/:id': { path: async () => `/1/slos/app/${(await slo()).id}`, body: sloBody, production: true },
  'DELETE /1/slos/:dataset/:id': { path: async () => `/1/slos/app/${(await slo()).id}`, production: true },
  'GET /1/derived_columns/:dataset': { path: '/1/derived_columns/app' },
  'POST /1/derived_columns/:dataset': { path: '/1/derived_columns/app', body: async () => columnBody() },
  'GET /1/derived_columns/:dataset/:id': { path: async () => `/1/derived_columns/app/${await derivedColumn()}`, production: true },
  'PUT /1/derived_columns/:dataset/:id': { path: async () => `/1/derived_columns/app/${await derivedColumn()}`, body: async () => columnBody(), production: true },
  'DELETE /1/derived_columns/:dataset/:id': { path: async () => `/1/derived_columns/app/${await derivedColumn()}`, production: true },
  'GET /api/v1/services': { path: '/api/v1/services' },
  'GET /api/v1/services/:name': { path: async () => `/api/v1/services/${await service()}`, production: true },
  'GET /api/v1/services/:name/capacity': { path: async () => `/api/v1/services/${await service()}/capacity`, production: true },
  'GET /api/v1/services/:name/capacity/plan': { path: async () => `/api/v1/services/${await service()}/capacity/plan?multiplier=2`, production: true },
  // Without a runbook or schedule the service is not ready: the hand-over is refused.
  'POST /api/v1/services/:name/handoff': { path: async () => `/api/v1/services/${await service()}/handoff`, ok: [409], production: true },
  'GET /api/v1/teams': { path: '/api/v1/teams' },
  'POST /api/v1/catalog/import': { path: '/api/v1/catalog/import', body: importBody },
  // A relative dest is refused (400) after the permission check: no backup runs for each caller (test/backups-api.test.ts takes them).
  'POST /api/v1/backups': { path: '/api/v1/backups', body: { dest: 'relative/folder' }, ok: [400] },
  'GET /api/v1/backups': { path: '/api/v1/backups' },
  'GET /api/v1/backups/:id': { path: '/api/v1/backups/none', ok: [404] },
  'GET /api/v1/schedules': { path: '/api/v1/schedules' },
  // No schedules are declared here: the permission is what is tested (test/ownership-*.test.ts test the answers).
  'GET /api/v1/oncall': { path: '/api/v1/oncall?schedule=none', ok: [404] },
  'GET /api/v1/schedules/:name.ics': { path: '/api/v1/schedules/none.ics?token=cal_unknown', ok: [404] },
  'GET /api/v1/schedules/:name/shifts': { path: '/api/v1/schedules/none/shifts', ok: [404] },
  'GET /api/v1/schedules/:name/overrides': { path: '/api/v1/schedules/none/overrides', ok: [404] },
  'POST /api/v1/schedules/:name/overrides': { path: '/api/v1/schedules/none/overrides', body: { layer: 'l', email: 'a@example.com', from: '2026-01-01T00:00:00Z', to: '2026-01-02T00:00:00Z' }, ok: [404] },
  'DELETE /api/v1/schedules/:name/overrides/:id': { path: '/api/v1/schedules/none/overrides/x', ok: [404] },
  'POST /api/v1/oncall/calendar-token': { path: '/api/v1/oncall/calendar-token' },
  'GET /api/v1/incidents': { path: '/api/v1/incidents' },
  'POST /api/v1/incidents': { path: '/api/v1/incidents', body: async () => ({ service: await service(), title: 'declared' }) },
  'GET /api/v1/incidents/:id': { path: async () => `/api/v1/incidents/${await incident()}`, production: true },
  'PATCH /api/v1/incidents/:id': { path: async () => `/api/v1/incidents/${await incident()}`, body: { state: 'acknowledged' }, production: true },
  'POST /api/v1/incidents/:id/notes': { path: async () => `/api/v1/incidents/${await incident()}/notes`, body: { text: 'a note' }, production: true },
  'GET /api/v1/incident-links': { path: '/api/v1/incident-links?token=not.signed', ok: [404] },
  'POST /api/v1/incident-links': { path: '/api/v1/incident-links?token=not.signed', ok: [404] },
};

interface Credential {
  name: string;
  /** Headers for one request; sessions may be fresh (sign-out ends the one it is sent with). */
  headers(fresh: boolean): Promise<Record<string, string>>;
  /** The answer the table promises: allowed, or the refusal status. */
  expect(rule: RouteRule): 'allowed' | 401 | 403;
  otherEnvironment?: boolean;
}

const sessionHeaders = (b: Browser) => ({ cookie: b.cookie!, 'x-csrf-token': b.csrf! });

async function signIn(email: string, password: string): Promise<Browser> {
  const b = new Browser(tend.url);
  const r = await b.login(email, password);
  if (r.status !== 200) throw new Error(`sign-in ${email}: ${r.status} ${JSON.stringify(r.body)}`);
  return b;
}

function roleCredential(role: Role, email: string, password: string): Credential {
  let browser: Browser | undefined;
  return {
    name: `${role} session`,
    async headers(fresh) {
      if (fresh) return sessionHeaders(await signIn(email, password));
      browser ??= await signIn(email, password);
      return sessionHeaders(browser);
    },
    expect: (rule) => (roleHolds(role, rule.permission) ? 'allowed' : 403),
  };
}

function keyCredential(name: string, kind: 'ingest' | 'read' | 'admin', key: () => string, otherEnvironment = false): Credential {
  return {
    name,
    headers: async () => ({ 'x-honeycomb-team': key() }),
    expect: (rule) => (keyHolds(kind, rule) ? 'allowed' : 403),
    otherEnvironment,
  };
}

const credentials: Credential[] = [];

beforeAll(async () => {
  tend = await startWithOwner();
  const keys = (await import('node:fs')).readFileSync(`${tend.config.dataDir}/keys.json`, 'utf8');
  adminKey = JSON.parse(keys).admin_key;
  const ingestKey = JSON.parse(keys).ingest_key;
  const read = (await admin('POST', '/api/v1/keys', { kind: 'read' })).key;
  const staging = (await tend.auth.createKey('staging', 'admin')).key;
  for (const role of ['admin', 'member', 'viewer'] as const) {
    await tend.people.create({ email: `${role}@example.com`, password: PASSWORD, roles: { production: role } });
  }
  fixtures.userId = (await tend.people.create({ email: 'target@example.com', roles: { production: 'viewer' } })).id;
  await admin('POST', '/1/batch/app', Array.from({ length: 20 }, (_, i) => ({ time: new Date((T0 + i) * 1000).toISOString(), data: { duration_ms: i, status: 200 } })));
  await admin('POST', '/api/v1/checks/apply', undefined, TEND_YAML);
  fixtures.queryId = (await admin('POST', '/1/queries/app', { time_range: 60 })).id;
  fixtures.resultId = (await admin('POST', '/1/query_results/app', { query_id: fixtures.queryId })).id;

  // An expired session: signed in, then left idle past the limit.
  const expired = await signIn('viewer@example.com', PASSWORD);
  const token = /tend_session=(.*)/.exec(expired.cookie!)![1];
  await tend.meta.query('UPDATE sessions SET last_seen_ms = 0 WHERE id = $1', [crypto.createHash('sha256').update(token).digest('hex')]);

  credentials.push(
    { name: 'no credential', headers: async () => ({}), expect: (rule) => (rule.permission === 'public' ? 'allowed' : 401) },
    { name: 'expired session', headers: async () => sessionHeaders(expired), expect: (rule) => (rule.permission === 'public' ? 'allowed' : 401) },
    roleCredential('owner', OWNER.email, OWNER.password),
    roleCredential('admin', 'admin@example.com', PASSWORD),
    roleCredential('member', 'member@example.com', PASSWORD),
    roleCredential('viewer', 'viewer@example.com', PASSWORD),
    keyCredential('ingest key', 'ingest', () => ingestKey),
    keyCredential('read key', 'read', () => read),
    keyCredential('admin key', 'admin', () => adminKey),
    keyCredential('admin key of staging', 'admin', () => staging, true),
  );
}, 60_000);

// A loaded machine can take a while to stop the checks, alerts and SLOs this test made.
afterAll(() => tend?.close(), 120_000);

const resolve = async <T>(v: T | (() => Promise<T>)): Promise<T> => (typeof v === 'function' ? await (v as () => Promise<T>)() : v);

describe('authorization matrix', () => {
  it('declares every registered route in the permission table and has a sample for it', () => {
    const routes = registeredRoutes(tend.app);
    expect(routes.length).toBeGreaterThan(50);
    const undeclared = routes.filter((r) => {
      const [method, pattern] = r.split(' ');
      return !ruleFor(method, pattern);
    });
    expect(undeclared, 'routes missing from src/auth/permissions.ts').toEqual([]);
    const unsampled = routes.filter((r) => !r.startsWith('HEAD ') && !SAMPLES[r]);
    expect(unsampled, 'routes without a sample in this test').toEqual([]);
    // And the table names no route the server does not have (a typo would leave the real one undeclared).
    const stale = Object.keys(ROUTE_PERMISSIONS).filter((r) => !routes.includes(r));
    expect(stale).toEqual([]);
  });

  it('answers every route, for every caller, as the table says', async () => {
    const failures: string[] = [];
    const routes = registeredRoutes(tend.app).filter((r) => !r.startsWith('HEAD '));
    for (const route of routes) {
      const [method, pattern] = route.split(' ');
      const rule = ruleFor(method, pattern);
      const sample = SAMPLES[route];
      // Reported by the test above; here they would only hide the answers of the others.
      if (!rule || !sample) continue;
      for (const cred of credentials) {
        const expected = cred.expect(rule);
        // Objects are made afresh only for callers that may change them.
        const path = expected === 'allowed' ? await resolve(sample.path) : typeof sample.path === 'string' ? sample.path : pattern.replace(/:(\w+)/g, 'x');
        const body = sample.raw ?? (sample.body === undefined ? undefined : JSON.stringify(await resolve(sample.body)));
        const headers = await cred.headers(route === 'POST /api/v1/auth/logout');
        const res = await fetch(tend.url + path, {
          method,
          headers: { ...headers, ...(body === undefined ? {} : { 'content-type': sample.raw ? 'text/plain' : 'application/json' }) },
          body,
          redirect: 'manual',
        });
        const text = await res.text();
        const got = res.status;
        let ok: boolean;
        let want: string;
        if (expected !== 'allowed') {
          ok = got === expected;
          want = String(expected);
        } else if (cred.otherEnvironment && sample.production) {
          ok = got === 404;
          want = '404 (a production object, out of reach)';
        } else if (cred.otherEnvironment) {
          ok = got !== 401 && got !== 403 && got < 500;
          want = 'not refused';
        } else {
          ok = sample.ok ? sample.ok.includes(got) : got >= 200 && got < 300;
          want = sample.ok ? sample.ok.join('|') : '2xx';
        }
        if (!ok) failures.push(`${route} as ${cred.name}: got ${got}, want ${want}: ${text.slice(0, 160)}`);
      }
    }
    expect(failures).toEqual([]);
  }, 240_000);
});

describe('the roles, as the issue defines them', () => {
  it('gives owners everything, admins keys and checks, members markers and notices, viewers reads only', () => {
    const holders = (permission: Parameters<typeof roleHolds>[1]) => (['owner', 'admin', 'member', 'viewer'] as const).filter((r) => roleHolds(r, permission));
    expect(holders('users.manage')).toEqual(['owner']);
    expect(holders('keys.manage')).toEqual(['owner', 'admin']);
    expect(holders('checks.write')).toEqual(['owner', 'admin']);
    expect(holders('markers.write')).toEqual(['owner', 'admin', 'member']);
    expect(holders('notices.write')).toEqual(['owner', 'admin', 'member']);
    expect(holders('data.read')).toEqual(['owner', 'admin', 'member', 'viewer']);
    expect(holders('checks.read')).toEqual(['owner', 'admin', 'member', 'viewer']);
    const writes = ['events.write', 'markers.write', 'checks.write', 'notices.write', 'keys.manage', 'settings.write', 'users.manage'] as const;
    expect(writes.filter((p) => roleHolds('viewer', p))).toEqual([]);
    // Keys: read keys only read, ingest keys only write events and markers, no key manages users.
    const rule = (permission: RouteRule['permission']): RouteRule => ({ permission });
    expect(keyHolds('read', rule('data.read'))).toBe(true);
    expect(keyHolds('read', rule('events.write'))).toBe(false);
    expect(keyHolds('ingest', rule('data.read'))).toBe(false);
    expect(keyHolds('ingest', rule('markers.write'))).toBe(true);
    expect(keyHolds('admin', rule('users.manage'))).toBe(false);
  });
});
