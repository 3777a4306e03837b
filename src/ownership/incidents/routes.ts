// The incidents API: list, declare, show (with its timeline, deploy markers on the service's
// datasets included), change state/severity/title/postmortem, add notes; and the signed links
// from notifications, which acknowledge or resolve without signing in (GET shows what the link
// does, POST does it, so a link preview cannot acknowledge by fetching it).
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { authorOf } from '../../alerts/index.js';
import { principalOf } from '../../auth/index.js';
import { badRequest, conflict, HttpError, notFound, parseJsonBody, validate } from '../../http/index.js';
import type { Environment } from '../../store/index.js';
import { SEVERITIES } from '../config.js';
import type { Ownership } from '../ownership.js';
import { incidentJson } from '../views.js';
import type { AffectedCustomer } from './customers.js';
import { IncidentError, type IncidentService } from './incident-service.js';
import type { LinkSigner } from './links.js';
import { INCIDENT_STATES, type Incident, type TimelineEntry } from './model.js';

const Declare = z.strictObject({ service: z.string().min(1), severity: z.enum(SEVERITIES).default('SEV3'), title: z.string().min(1).max(500) });
const Patch = z.strictObject({
  state: z.enum(['acknowledged', 'mitigated', 'resolved']).optional(),
  severity: z.enum(SEVERITIES).optional(),
  title: z.string().min(1).max(500).optional(),
  postmortem: z.string().max(200_000).optional(),
});
const Note = z.strictObject({ text: z.string().min(1).max(20_000) });

export interface IncidentRouteDeps {
  ownership: Ownership;
  incidents: IncidentService;
  signer: LinkSigner;
  envOf(id: string): Promise<Environment | undefined>;
  /** Deploy markers on these datasets between two times, as timeline entries. */
  deploys(env: Environment, datasets: string[], fromMs: number, toMs: number): Promise<TimelineEntry[]>;
  /** The customers with the most errors and slow requests on these datasets between two times. */
  customers(env: Environment, datasets: string[], fromMs: number, toMs: number): Promise<AffectedCustomer[]>;
  now(): number;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function registerIncidentRoutes(app: FastifyInstance, d: IncidentRouteDeps): void {
  const find = async (envId: string, id: string) => {
    const i = await d.incidents.get(envId, id);
    if (!i) throw notFound(`no incident ${id}`);
    return i;
  };
  const full = async (env: Environment, i: Incident) => {
    const s = d.ownership.catalog.service(env.id, i.service);
    const own = await d.incidents.timeline(i.id);
    // Deploys from an hour before it opened: a deploy is the usual suspect.
    const deploys = s?.datasets.length ? await d.deploys(env, s.datasets, i.openedAt - 3_600_000, i.resolvedAt ?? d.now()) : [];
    const timeline = [...own, ...deploys].sort((a, b) => a.at - b.at);
    // A question the service's data may not answer (a query timing out, say) leaves the list out, not the incident.
    const customers = s?.datasets.length ? await d.customers(env, s.datasets, i.openedAt, i.resolvedAt ?? d.now()).catch(() => null) : [];
    return { ...incidentJson(i, timeline), runbook: (s && d.ownership.runbookUrl(s, i.alertName)) ?? null, customers_affected: customers };
  };
  const change = async (env: Environment, id: string, c: z.infer<typeof Patch>, author: string) => {
    try {
      const i = await d.incidents.change(env, id, c, author);
      return i;
    } catch (err) {
      if (err instanceof IncidentError) throw conflict(err.message);
      throw err;
    }
  };

  app.get<{ Querystring: { service?: string; state?: string; limit?: string } }>('/api/v1/incidents', async (request) => {
    const { env } = principalOf(request);
    const { service, state, limit } = request.query;
    if (state !== undefined && state !== 'open' && !(INCIDENT_STATES as readonly string[]).includes(state)) throw badRequest(`state: one of open, ${INCIDENT_STATES.join(', ')}`);
    const n = limit === undefined ? 100 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 1000) throw badRequest('limit: an integer from 1 to 1000');
    const list = await d.incidents.list(env.id, { service, state: state as never, limit: n });
    return { incidents: list.map((i) => incidentJson(i)) };
  });

  app.post('/api/v1/incidents', async (request, reply) => {
    const { env } = principalOf(request);
    const b = validate(Declare, parseJsonBody(request.body), 'incident');
    const s = d.ownership.catalog.service(env.id, b.service);
    if (!s) throw badRequest(`service: no service named "${b.service}"`);
    const i = await d.ownership.declare(env, s, b.severity, b.title, authorOf(request));
    reply.code(201);
    return full(env, i);
  });

  app.get<{ Params: { id: string } }>('/api/v1/incidents/:id', async (request) => {
    const { env } = principalOf(request);
    return full(env, await find(env.id, request.params.id));
  });

  app.patch<{ Params: { id: string } }>('/api/v1/incidents/:id', async (request) => {
    const { env } = principalOf(request);
    const b = validate(Patch, parseJsonBody(request.body), 'incident');
    await find(env.id, request.params.id);
    return full(env, await change(env, request.params.id, b, authorOf(request)));
  });

  app.post<{ Params: { id: string } }>('/api/v1/incidents/:id/notes', async (request, reply) => {
    const { env } = principalOf(request);
    const b = validate(Note, parseJsonBody(request.body), 'note');
    await find(env.id, request.params.id);
    const i = await d.incidents.note(env, request.params.id, 'note', authorOf(request), b.text);
    reply.code(201);
    return full(env, i);
  });

  // A link that was never signed names nothing (404); a signed one past its time is gone (410).
  const claimOf = (token: string) => {
    const c = d.signer.verify(token, d.now());
    if (c === 'the link has expired') throw new HttpError(410, `link: ${c}`);
    if (typeof c === 'string') throw notFound(`link: ${c}`);
    return c;
  };

  // The token rides in the query: it is longer than a path parameter may be.
  app.get<{ Querystring: { token?: string } }>('/api/v1/incident-links', async (request, reply) => {
    const c = claimOf(request.query.token ?? '');
    const env = await d.envOf(c.env);
    const i = env ? await d.incidents.get(env.id, c.incident) : undefined;
    if (!env || !i) throw notFound('the incident is gone');
    const title = `${c.action === 'acknowledge' ? 'Acknowledge' : 'Resolve'} ${i.severity} ${i.service}: ${i.title}`;
    reply.header('content-type', 'text/html; charset=utf-8');
    return `<!doctype html><meta charset="utf-8"><title>${escapeHtml(title)}</title><h1>${escapeHtml(title)}</h1>
<p>State: ${escapeHtml(i.state)}. As ${escapeHtml(c.person)}.</p>
<form method="post"><button type="submit">${c.action === 'acknowledge' ? 'Acknowledge' : 'Resolve'}</button></form>`;
  });

  app.post<{ Querystring: { token?: string } }>('/api/v1/incident-links', async (request) => {
    const c = claimOf(request.query.token ?? '');
    const env = await d.envOf(c.env);
    if (!env) throw notFound('the incident is gone');
    const i = await find(env.id, c.incident);
    const target = c.action === 'acknowledge' ? 'acknowledged' : 'resolved';
    // Acknowledging what is already acknowledged (or further) is done, not an error.
    const order = INCIDENT_STATES.indexOf(i.state);
    const done = order >= INCIDENT_STATES.indexOf(target) ? i : await change(env, i.id, { state: target }, `${c.person} (link)`);
    // No credential came with it, so the audit log is told who the link stood for.
    request.audit = {
      env, action: `incident.${c.action}_link`, target: { kind: 'incident', id: i.id }, before: { state: i.state }, after: { state: done.state },
      actor: { kind: 'anonymous', id: c.person, email: c.person.includes('@') ? c.person : undefined },
    };
    return incidentJson(done);
  });
}
