// Headers every answer carries, and the cross-origin rules. Pages Tend serves get a strict
// Content-Security-Policy: scripts and styles from Tend's own origin only, plus the exact
// inline blocks the page carries, allowed by their SHA-256 (computed here from the page
// itself, so a page that changes stays allowed and an injected block does not). CORS is closed
// unless origins are named (--cors-origin); even then no credentials are allowed across
// origins: other sites' pages may use API keys, never the session cookie.
import crypto from 'node:crypto';
import type { FastifyInstance } from 'fastify';

const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const sha256 = (text: string) => `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The policy for one HTML page: hashes of its inline scripts, style blocks and style attributes. */
export function contentSecurityPolicy(html: string): string {
  const scripts = [...html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi)].map((m) => sha256(m[1]));
  const styles = [...html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/gi)].map((m) => sha256(m[1]));
  const attrs = [...new Set([...html.matchAll(/\sstyle="([^"]*)"/gi)].map((m) => sha256(m[1])))];
  const scriptSrc = ["'self'", ...new Set(scripts)].join(' ');
  // 'unsafe-hashes' lets exactly the hashed style attributes through, nothing else inline.
  const styleSrc = ["'self'", ...new Set(styles), ...(attrs.length ? ["'unsafe-hashes'", ...attrs] : [])].join(' ');
  return [
    "default-src 'none'",
    `script-src ${scriptSrc}`,
    `style-src ${styleSrc}`,
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

const CORS_HEADERS = 'authorization, content-type, content-encoding, x-honeycomb-team, x-honeycomb-dataset, x-tend-environment';
const CORS_METHODS = 'GET, HEAD, POST, PUT, PATCH, DELETE';

export function registerSecurityHeaders(app: FastifyInstance, corsOrigins: string[]): void {
  const allowed = new Set(corsOrigins);
  app.addHook('onRequest', async (request, reply) => {
    reply.headers(COMMON_HEADERS);
    const origin = request.headers.origin;
    if (typeof origin !== 'string' || !allowed.has(origin)) return;
    reply.header('access-control-allow-origin', origin).header('vary', 'Origin');
    if (request.method === 'OPTIONS' && request.headers['access-control-request-method']) {
      await reply
        .code(204)
        .headers({ 'access-control-allow-methods': CORS_METHODS, 'access-control-allow-headers': CORS_HEADERS, 'access-control-max-age': '600' })
        .send();
      return reply;
    }
  });
  // Not async: handlers that call reply.send() without returning it must see the answer go out
  // at once, or fastify would send a second, empty one.
  app.addHook('onSend', (_request, reply, payload, done) => {
    const type = String(reply.getHeader('content-type') ?? '');
    if (type.startsWith('text/html')) {
      const html = typeof payload === 'string' ? payload : Buffer.isBuffer(payload) ? payload.toString('utf8') : '';
      reply.header('content-security-policy', contentSecurityPolicy(html));
    } else {
      reply.header('content-security-policy', "default-src 'none'; frame-ancestors 'none'");
    }
    done(null, payload);
  });
}
