// Every probing kind against real local targets the test starts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCheck, probe, type CheckDefinition } from '../src/checks/index.js';
import { closedPort, startDnsTarget, startHttpTarget, startTcpTarget, startTlsTarget, type HttpTarget, type TlsTarget } from './support/check-targets.js';

function def(input: Record<string, unknown>): Exclude<CheckDefinition, { kind: 'heartbeat' }> {
  const r = parseCheck({ name: 't', ...input });
  if (!r.ok) throw new Error(r.problem);
  if (r.check.kind === 'heartbeat') throw new Error('heartbeat');
  return r.check;
}

let web: HttpTarget;
beforeAll(async () => {
  web = await startHttpTarget();
});
afterAll(async () => web?.close());

describe('http', () => {
  const run = (path: string, extra: Record<string, unknown> = {}) => probe(def({ kind: 'http', url: `${web.url}${path}`, ...extra }));

  it('passes on 200 with the expected body and reports the status', async () => {
    const r = await run('/ok', { expect: { status: [200], body_contains: 'ok' } });
    expect(r).toMatchObject({ ok: true, httpStatus: 200 });
    expect(r.durationMs).toBeGreaterThan(0);
  });
  it('fails on 500, naming the status', async () => {
    const r = await run('/500');
    expect(r).toMatchObject({ ok: false, httpStatus: 500, error: 'status 500, expected 2xx or 3xx' });
  });
  it('fails on the wrong body', async () => {
    expect(await run('/wrong', { expect: { body_contains: 'all ok' } })).toMatchObject({ ok: false, error: 'body does not contain "all ok"' });
    expect(await run('/wrong', { expect: { body_matches: '^all' } })).toMatchObject({ ok: false, error: 'body does not match /^all/' });
    expect(await run('/ok', { expect: { body_matches: '^all \\w+$' } })).toMatchObject({ ok: true });
  });
  it('checks a JSON path', async () => {
    expect(await run('/json', { expect: { json_path: { path: '$.status.db', equals: 'up' } } })).toMatchObject({ ok: true });
    expect(await run('/json', { expect: { json_path: { path: 'status.replicas[1]', equals: 2 } } })).toMatchObject({ ok: true });
    expect(await run('/json', { expect: { json_path: { path: 'status.db', equals: 'down' } } })).toMatchObject({ ok: false, error: 'status.db is "up", expected "down"' });
  });
  it('fails a slow answer on max latency, and times out a slower one', async () => {
    const slow = await run('/slow?ms=300', { expect: { max_latency_ms: 100 } });
    expect(slow.ok).toBe(false);
    expect(slow.error).toMatch(/^took \d+ ms, more than 100 ms$/);
    const timedOut = await run('/slow?ms=5000', { timeout: '200ms' });
    expect(timedOut).toMatchObject({ ok: false, error: 'timeout after 200 ms' });
  });
  it('fails when the target is gone', async () => {
    const r = await probe(def({ kind: 'http', url: `http://127.0.0.1:${await closedPort()}/` }));
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/ECONNREFUSED/);
  });
  it('follows redirects unless told not to, and stops redirect loops', async () => {
    expect(await run('/redirect', { expect: { status: [200], body_contains: 'all ok' } })).toMatchObject({ ok: true, httpStatus: 200 });
    expect(await run('/redirect', { follow_redirects: false, expect: { status: [302] } })).toMatchObject({ ok: true, httpStatus: 302 });
    expect(await run('/loop')).toMatchObject({ ok: false, error: 'more than 10 redirects' });
  });
  it('sends the configured method, headers and body', async () => {
    expect(await run('/echo-method', { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' }, expect: { body_contains: 'POST' } })).toMatchObject({ ok: true });
  });
});

describe('tls', () => {
  let target: TlsTarget;
  beforeAll(async () => {
    target = await startTlsTarget(2);
  });
  afterAll(async () => target?.close());

  it('reports an untrusted self-signed chain as invalid, with the days left', async () => {
    const r = await probe(def({ kind: 'tls', host: 'localhost', port: target.port }));
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/^certificate chain is not valid: .*SELF_SIGNED/);
    expect(r.certDaysLeft).toBe(1);
  });
  it('passes when the certificate is trusted, and fails when it expires sooner than required', async () => {
    const trusted = { kind: 'tls', host: 'localhost', port: target.port, ca_file: target.certFile };
    expect(await probe(def(trusted))).toMatchObject({ ok: true, certDaysLeft: 1 });
    const r = await probe(def({ ...trusted, expect: { min_days_left: 14 } }));
    expect(r).toMatchObject({ ok: false, error: 'certificate expires in 1 days, fewer than 14', certDaysLeft: 1 });
  });
  it('checks the name the certificate was issued for', async () => {
    const r = await probe(def({ kind: 'tls', host: '127.0.0.1', servername: 'example.com', port: target.port, ca_file: target.certFile }));
    expect(r.ok).toBe(false);
    expect(r.error).toBe('certificate is not valid for "example.com"');
  });
  it('gives https checks the certificate days left', async () => {
    const r = await probe(def({ kind: 'http', url: `https://localhost:${target.port}/`, ca_file: target.certFile, expect: { cert_days_left_min: 30 } }));
    expect(r).toMatchObject({ ok: false, httpStatus: 200, certDaysLeft: 1, error: 'certificate expires in 1 days, fewer than 30' });
  });
});

describe('tcp', () => {
  it('connects, sends and waits for the expected answer', async () => {
    const t = await startTcpTarget();
    try {
      expect(await probe(def({ kind: 'tcp', host: '127.0.0.1', port: t.port }))).toMatchObject({ ok: true });
      expect(await probe(def({ kind: 'tcp', host: '127.0.0.1', port: t.port, send: 'PING\n', expect: { contains: 'PONG' } }))).toMatchObject({ ok: true });
      const r = await probe(def({ kind: 'tcp', host: '127.0.0.1', port: t.port, timeout: '300ms', expect: { contains: 'NEVER' } }));
      expect(r).toMatchObject({ ok: false, error: 'timeout after 300 ms waiting for "NEVER"' });
    } finally {
      await t.close();
    }
  });
  it('fails on a closed port', async () => {
    const r = await probe(def({ kind: 'tcp', host: '127.0.0.1', port: await closedPort() }));
    expect(r.ok).toBe(false);
    expect(r.error).toMatch(/ECONNREFUSED/);
  });
});

describe('dns', () => {
  it('resolves localhost through the system resolver', async () => {
    expect(await probe(def({ kind: 'dns', host: 'localhost', expect: { contains: '127.0.0.1' } }))).toMatchObject({ ok: true });
  });
  it('asks the given server and compares the records', async () => {
    const dns = await startDnsTarget({ 'api.tend.test': ['10.0.0.1', '10.0.0.2'] });
    try {
      const base = { kind: 'dns', host: 'api.tend.test', server: dns.server };
      expect(await probe(def({ ...base, expect: { values: ['10.0.0.2', '10.0.0.1'] } }))).toMatchObject({ ok: true });
      expect(await probe(def({ ...base, expect: { values: ['10.0.0.9'] } }))).toMatchObject({
        ok: false,
        error: 'A records are 10.0.0.1, 10.0.0.2, expected 10.0.0.9',
      });
      const missing = await probe(def({ kind: 'dns', host: 'nope.tend.test', server: dns.server }));
      expect(missing.ok).toBe(false);
      expect(missing.error).toMatch(/ENOTFOUND/);
      expect(dns.queries).toBeGreaterThanOrEqual(3);
    } finally {
      await dns.close();
    }
  });
});
