// Public: GET /status/:slug (HTML; JSON with Accept: application/json or /status/:slug.json),
// GET /badge/:name/status.svg and /badge/:name/uptime.svg (?env=, default production; only
// for checks shown on one of the environment's status pages, so nothing else is public).
// Admin: notices on the key's own status pages.
import type { FastifyInstance } from 'fastify';
import type { AuthService } from '../auth/index.js';
import type { ChecksService } from '../checks/index.js';
import { principalOf } from '../auth/index.js';
import { parseJsonBody, badRequest, notFound, validate } from '../http/index.js';
import type { Environment } from '../store/index.js';
import { badgeSvg, STATE_BADGE_COLOR, uptimeColor } from './badge.js';
import { renderStatusPage } from './html.js';
import { NoticeInput, type NoticeStore } from './notices.js';
import { pageData, percent, type PageData } from './page-data.js';
import { TtlCache } from './ttl-cache.js';
import { dailyUptime, type UptimeDeps } from './uptime.js';

/** Public answers are at most this old. */
export const PUBLIC_TTL_MS = 15_000;

export interface StatusDeps extends UptimeDeps {
  checks: ChecksService;
  auth: AuthService;
  notices: NoticeStore;
}

export function registerStatusRoutes(app: FastifyInstance, deps: StatusDeps): void {
  const pages = new TtlCache<PageData | undefined>(PUBLIC_TTL_MS);
  const uptimes = new TtlCache<number | null>(PUBLIC_TTL_MS);
  const publicRoute = { config: { access: 'public' as const } };

  const loadPage = async (slug: string): Promise<PageData | undefined> => {
    const page = await deps.checks.page(slug);
    if (!page) return undefined;
    const env = (await deps.auth.environments()).find((e) => e.id === page.envId);
    if (!env) return undefined;
    return pageData(deps, deps.checks, env, page, await deps.notices.list(slug, true));
  };

  app.get<{ Params: { slug: string } }>('/status/:slug', publicRoute, async (request, reply) => {
    const asJson = request.params.slug.endsWith('.json') || /application\/json/.test(request.headers.accept ?? '');
    const slug = request.params.slug.replace(/\.json$/, '');
    const data = await pages.get(slug, () => loadPage(slug));
    if (!data) throw notFound(`no status page "${slug}"`);
    reply.header('cache-control', `public, max-age=${PUBLIC_TTL_MS / 1000}`);
    if (asJson) return data;
    reply.type('text/html; charset=utf-8');
    return renderStatusPage(data);
  });

  const shown = new TtlCache<Environment | undefined>(PUBLIC_TTL_MS);
  /** The check if it is shown on a status page of the environment named by ?env=. */
  const publicCheck = async (name: string, envName: string | undefined): Promise<{ env: Environment; name: string }> => {
    const env = await shown.get(`${envName}\u0000${name}`, async () => {
      const found = await deps.auth.environment(envName ?? 'production');
      return found && (await deps.checks.pages(found.id)).some((p) => p.checks.includes(name)) ? found : undefined;
    });
    if (!env || !deps.checks.find(env.id, name)) throw notFound(`no public check "${name}": badges exist for checks shown on a status page`);
    return { env, name };
  };

  type BadgeRoute = { Params: { name: string }; Querystring: { env?: string; days?: string } };

  app.get<BadgeRoute>('/badge/:name/status.svg', publicRoute, async (request, reply) => {
    const { env, name } = await publicCheck(request.params.name, request.query.env);
    const state = deps.checks.view(deps.checks.find(env.id, name)!).state;
    reply.type('image/svg+xml').header('cache-control', 'no-cache, max-age=0');
    return badgeSvg(name, state, STATE_BADGE_COLOR[state]);
  });

  app.get<BadgeRoute>('/badge/:name/uptime.svg', publicRoute, async (request, reply) => {
    const days = request.query.days === undefined ? 30 : Number(request.query.days);
    if (!Number.isInteger(days) || days < 1 || days > 90) throw badRequest('days: expected a whole number from 1 to 90');
    const { env, name } = await publicCheck(request.params.name, request.query.env);
    const p = await uptimes.get(`${env.id}\u0000${name}\u0000${days}`, async () => {
      const found = (await dailyUptime(deps, env, [name], days)).get(name) ?? [];
      return percent(found.reduce((s, d) => s + d.ok, 0), found.reduce((s, d) => s + d.total, 0));
    });
    reply.type('image/svg+xml').header('cache-control', `public, max-age=${PUBLIC_TTL_MS / 1000}`);
    return badgeSvg(`uptime ${days}d`, p === null ? 'no data' : `${p}%`, uptimeColor(p));
  });

  type PageRoute = { Params: { slug: string } };
  const ownPage = async (envId: string, slug: string) => {
    const page = await deps.checks.page(slug);
    if (!page || page.envId !== envId) throw notFound(`no status page "${slug}" in this environment`);
    return page;
  };

  app.get<PageRoute>('/api/v1/status-pages/:slug/notices', async (request) => {
    await ownPage(principalOf(request).env.id, request.params.slug);
    return { notices: await deps.notices.list(request.params.slug, false) };
  });

  app.post<PageRoute>('/api/v1/status-pages/:slug/notices', async (request, reply) => {
    await ownPage(principalOf(request).env.id, request.params.slug);
    const notice = await deps.notices.post(request.params.slug, validate(NoticeInput, parseJsonBody(request.body), 'body'));
    pages.clear();
    reply.code(201);
    return notice;
  });

  app.post<{ Params: { slug: string; id: string } }>('/api/v1/status-pages/:slug/notices/:id/resolve', async (request) => {
    await ownPage(principalOf(request).env.id, request.params.slug);
    if (!(await deps.notices.resolve(request.params.slug, request.params.id))) throw notFound(`no open notice "${request.params.id}" on this page`);
    pages.clear();
    return { resolved: request.params.id };
  });
}
