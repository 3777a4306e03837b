import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { MetricsRegistry } from '../telemetry/index.js';
import { startTestTend, type TestTend } from '../../test/support/tend.js';
import { registerHealthRoutes } from './health-routes.js';

const started: TestTend[] = [];
afterAll(async () => {
  for (const t of started) await t.close();
});

describe('/readyz', () => {
  it('follows the phases and the ingest pressure: starting, ready, overloaded, stopping', async () => {
    const app = Fastify();
    let busy: string | undefined;
    const health = registerHealthRoutes(app, new MetricsRegistry(), { ingestBusy: () => busy, diskProblem: () => undefined });
    const ready = async () => {
      const res = await app.inject('/readyz');
      return [res.statusCode, res.json()];
    };
    expect(await ready()).toEqual([503, { status: 'not ready', reason: 'starting' }]);
    health.started();
    expect(await ready()).toEqual([200, { status: 'ready' }]);
    busy = 'overloaded: the ingest queue holds 200000 events, its limit';
    expect(await ready()).toEqual([503, { status: 'not ready', reason: busy }]);
    busy = undefined;
    expect(await ready()).toEqual([200, { status: 'ready' }]);
    health.stopping();
    expect(await ready()).toEqual([503, { status: 'not ready', reason: 'stopping' }]);
    // Liveness is not readiness: the process still answers.
    expect((await app.inject('/healthz')).statusCode).toBe(200);
  });

  it('answers 200 from a started Tend, and 503 naming the disk when free space is under --min-free-disk', async () => {
    const t = await startTestTend();
    started.push(t);
    const res = await fetch(`${t.url}/readyz`);
    expect([res.status, await res.json()]).toEqual([200, { status: 'ready' }]);

    const full = await startTestTend({ minFreeDisk: '1000TB' });
    started.push(full);
    const refused = await fetch(`${full.url}/readyz`);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(((await refused.json()) as { reason: string }).reason).toMatch(/^disk full: .* free for the data folder, under the 1024000 GB minimum \(--min-free-disk\)$/);
  });
});
