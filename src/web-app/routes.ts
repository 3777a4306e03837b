// Serves the web app: `/` and every client route answer index.html (the app routes in the
// browser), `/assets/*` the hashed files with a year of caching, gzipped when the client accepts
// it. GET /api/v1/ui/settings tells the sign-in page whether single sign-on is configured. The
// catch-all answers the usual 404 for API paths and for clients that do not ask for HTML, so
// curl sees what it saw before the UI.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { notFound } from '../http/index.js';
import type { WebBuild } from './assets.js';

const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Paths that belong to APIs and server-rendered pages, never to the app's client routes. */
const NOT_CLIENT_ROUTES = /^\/(api|1|v1|ping|status|badge|assets)(\/|$)/;

export interface WebAppOptions {
  build: WebBuild;
  /** Whether single sign-on is configured now (a reload may change it). */
  oidc: () => boolean;
}

export function registerWebApp(app: FastifyInstance, options: WebAppOptions): void {
  const { build } = options;
  const sendIndex = (reply: FastifyReply) => {
    if (build.index === undefined) throw notFound('the web app is not built: run npm run build');
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(build.index);
  };
  // Browsers ask for text/html when they navigate; curl's */* keeps getting the JSON 404.
  const wantsHtml = (request: FastifyRequest) => String(request.headers.accept ?? '').includes('text/html');

  app.get('/', async (_request, reply) => sendIndex(reply));

  app.get<{ Params: { '*': string } }>('/assets/*', async (request, reply) => {
    const asset = build.asset(request.params['*']);
    if (!asset) throw notFound(`no asset ${request.params['*'].slice(0, 200)}`);
    reply.type(asset.type).header('cache-control', IMMUTABLE).header('vary', 'accept-encoding');
    if (asset.gzip && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(asset.gzip);
    return reply.send(asset.body);
  });

  app.get('/api/v1/ui/settings', async () => ({ oidc: options.oidc() }));

  app.get('/*', async (request, reply) => {
    const path = request.url.split('?')[0];
    if (NOT_CLIENT_ROUTES.test(path) || !wantsHtml(request)) throw notFound(`no route for ${request.method} ${path}`);
    return sendIndex(reply);
  });
}
