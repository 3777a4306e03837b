// Cross-site safety over HTTP: a strict Content-Security-Policy on every HTML answer (the status
// page's own inline styles allowed by hash, nothing else inline), nosniff, no referrer, no
// framing; CORS closed unless origins are named, and never with credentials.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Tend } from '../src/server/index.js';
import { startWithOwner } from './support/people.js';
import { tempDataDir } from './support/tend.js';

const yaml = path.join(tempDataDir('tend-headers'), 'tend.yaml');
fs.writeFileSync(yaml, `
checks:
  - { name: web, kind: tcp, host: 127.0.0.1, port: 9, interval: 1h }
status_pages:
  - { slug: public, title: Public, checks: [web] }
`);

let tend: Tend;
let open: Tend;
beforeAll(async () => {
  tend = await startWithOwner({ config: yaml });
  open = await startWithOwner({ corsOrigin: 'https://dash.example.com' });
});
afterAll(async () => {
  await tend.close();
  await open.close();
});

const sha = (text: string) => `'sha256-${crypto.createHash('sha256').update(text).digest('base64')}'`;

describe('security headers', () => {
  it('put a strict, hash-based Content-Security-Policy on HTML pages', async () => {
    const res = await fetch(`${tend.url}/status/public`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    const csp = res.headers.get('content-security-policy')!;
    const directives = Object.fromEntries(csp.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    expect(directives['default-src']).toEqual(["'none'"]);
    expect(directives['frame-ancestors']).toEqual(["'none'"]);
    expect(directives['script-src']).toEqual(["'self'"]);
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    // Every inline style block and attribute of the page is allowed by its hash, and only those.
    const blocks = [...html.matchAll(/<style[^>]*>([\s\S]*?)<\/style>/g)].map((m) => m[1]);
    const attrs = [...new Set([...html.matchAll(/\sstyle="([^"]*)"/g)].map((m) => m[1]))];
    expect(blocks.length).toBeGreaterThan(0);
    expect(directives['style-src'].sort()).toEqual(["'self'", ...blocks.map(sha), ...(attrs.length ? ["'unsafe-hashes'", ...attrs.map(sha)] : [])].sort());
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });

  it('put the common headers and a deny-all policy on every other answer, refusals included', async () => {
    for (const res of [await fetch(`${tend.url}/healthz`), await fetch(`${tend.url}/api/v1/checks`), await fetch(`${tend.url}/nowhere`)]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });
});

describe('CORS', () => {
  const preflight = (url: string, origin: string) =>
    fetch(`${url}/api/v1/query/app`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'x-honeycomb-team' } });

  it('is closed by default: no Access-Control headers for any origin', async () => {
    const res = await preflight(tend.url, 'https://dash.example.com');
    expect(res.headers.get('access-control-allow-origin')).toBeNull();
    const get = await fetch(`${tend.url}/healthz`, { headers: { origin: 'https://dash.example.com' } });
    expect(get.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('opens to the named origins only, for keys, never with credentials', async () => {
    const res = await preflight(open.url, 'https://dash.example.com');
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('https://dash.example.com');
    expect(res.headers.get('access-control-allow-headers')).toContain('x-honeycomb-team');
    expect(res.headers.get('access-control-allow-credentials')).toBeNull();
    expect((await preflight(open.url, 'https://evil.example.com')).headers.get('access-control-allow-origin')).toBeNull();
  });
});
